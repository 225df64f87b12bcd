"""Audit action codes of `federation` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("federation")
class FederationAction(Actions):
    SIGNING_KEY_CREATED = "federation.signing_key_created", _("Tạo khóa ký mới")
    SIGNING_KEY_RETIRED = "federation.signing_key_retired", _("Thôi dùng khóa ký")
    SIGNING_KEY_DROPPED = "federation.signing_key_dropped", _("Gỡ khóa ký khỏi danh sách công khai")
    CLIENT_REGISTERED = "federation.client_registered", _("Đăng ký bên sử dụng")
    CLIENT_DISABLED = "federation.client_disabled", _("Ngừng bên sử dụng")
    CLIENT_SECRET_ROTATED = "federation.client_secret_rotated", _("Cấp lại mã bí mật cho bên sử dụng")
    CONSENT_GRANTED = "federation.consent_granted", _("Đồng ý chia sẻ thông tin với bên sử dụng")
    CONSENT_REVOKED = "federation.consent_revoked", _("Rút lại sự đồng ý với bên sử dụng")
    REFRESH_REUSED = "federation.refresh_reused", _("Mã làm mới đã dùng bị dùng lại: thu hồi cả chuỗi")
    CODE_REUSED = "federation.code_reused", _("Mã cấp quyền bị dùng lại: thu hồi những gì đã cấp")
