"""Audit action codes of the official documents, in the campaigns' namespace (decision 0024).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("campaign")
class DocumentAction(Actions):
    DOCUMENT_GENERATED = "campaign.document_generated", _("Tạo văn bản báo cáo của kế hoạch (DOCX, PDF, XLSX)")
