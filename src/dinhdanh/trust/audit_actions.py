"""Audit action codes of `trust` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("trust")
class TrustAction(Actions):
    VERIFICATION_ASKED = "trust.verification_asked", _("Bên sử dụng hỏi xác minh tổ chức, người đại diện")
    ATTESTATION_ISSUED = "trust.attestation_issued", _("Cấp chứng thư quyền đại diện")
    ATTESTATION_STATUS_CHANGED = (
        "trust.attestation_status_changed",
        _("Thay đổi trạng thái chứng thư quyền đại diện"),
    )
    RECEIVER_SET = "trust.receiver_set", _("Đặt cách nhận thông báo thay đổi của bên sử dụng")
    SUBSCRIPTION_STARTED = "trust.subscription_started", _("Bên sử dụng đăng ký nhận thông báo về tổ chức")
    SUBSCRIPTION_ENDED = "trust.subscription_ended", _("Bên sử dụng thôi nhận thông báo về tổ chức")
    NOTICE_DEAD = "trust.notice_dead", _("Thông báo thay đổi không gửi được sau nhiều lần thử")
    NOTICE_REQUEUED = "trust.notice_requeued", _("Gửi lại thông báo thay đổi")
    CREDENTIAL_TRACKED = "trust.credential_tracked", _("Theo dõi hạn khóa, chứng thư của bên sử dụng, đối tác")
    CREDENTIAL_ALERTED = "trust.credential_alerted", _("Cảnh báo khóa, chứng thư sắp hết hạn")
    CREDENTIAL_UNTRACKED = (
        "trust.credential_untracked",
        _("Thôi theo dõi khóa, chứng thư (không còn đăng ký, hoặc quản trị viên gỡ)"),
    )
    ATTESTATION_REFUSED = "trust.attestation_refused", _("Từ chối cấp chứng thư quyền đại diện cho bên sử dụng")
