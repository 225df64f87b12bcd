"""Audit action codes of `notifications` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("notify")
class NotificationAction(Actions):
    MESSAGE_RETRIED = "notify.message_retried", _("Gửi lại thông báo")
