"""Audit action codes of `core` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("access", "calendar")
class KernelAction(Actions):
    ACCESS_DENIED = "access.denied", _("Từ chối truy cập")
    ROLE_GRANTED = "access.role_granted", _("Giao vai trò")
    ROLE_REVOKED = "access.role_revoked", _("Thu hồi vai trò")
    DAY_OVERRIDE_SET = "calendar.day_override_set", _("Khai báo ngày nghỉ / ngày làm bù")
