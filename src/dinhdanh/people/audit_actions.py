"""Audit action codes of `people` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("auth", "people")
class PeopleAction(Actions):
    SIGNIN_SUCCEEDED = "auth.signin_succeeded", _("Đăng nhập thành công")
    SIGNIN_FAILED = "auth.signin_failed", _("Đăng nhập thất bại")
    SIGNOUT = "auth.signout", _("Đăng xuất")
    SIGNIN_THROTTLED = "auth.signin_throttled", _("Tạm chặn đăng nhập do thử sai nhiều lần")
    SIGNIN_GUARDED = "auth.signin_guarded", _("Bảo vệ đăng nhập: cần thêm mã xác thực do thử sai nhiều lần")
    SESSION_REVOKED = "auth.session_revoked", _("Kết thúc phiên đăng nhập")
    STEP_UP_SUCCEEDED = "auth.step_up_succeeded", _("Xác thực bổ sung thành công")
    STEP_UP_FAILED = "auth.step_up_failed", _("Xác thực bổ sung thất bại")
    PASSWORD_CHANGED = "auth.password_changed", _("Đổi mật khẩu")
    TOTP_ENROLLED = "auth.totp_enrolled", _("Đăng ký ứng dụng xác thực (TOTP)")
    TOTP_REMOVED = "auth.totp_removed", _("Gỡ ứng dụng xác thực (TOTP)")
    RECOVERY_CODES_GENERATED = "auth.recovery_codes_generated", _("Tạo mã khôi phục")
    RECOVERY_CODE_USED = "auth.recovery_code_used", _("Dùng mã khôi phục")
    PASSKEY_ADDED = "auth.passkey_added", _("Thêm khóa truy cập")
    PASSKEY_REMOVED = "auth.passkey_removed", _("Gỡ khóa truy cập")
    PASSKEY_RENAMED = "auth.passkey_renamed", _("Đổi tên khóa truy cập")
    USER_CREATED = "people.user_created", _("Tạo tài khoản cá nhân")
    LEVEL_REQUESTED = "people.level_requested", _("Yêu cầu cấp / nâng mức tài khoản")
    LEVEL_APPROVED = "people.level_approved", _("Duyệt mức tài khoản")
    LEVEL_REJECTED = "people.level_rejected", _("Từ chối mức tài khoản")
    PERSON_LOOKED_UP = "people.person_looked_up", _("Tra cứu tài khoản cá nhân")
    PORTRAIT_VIEWED = "people.portrait_viewed", _("Xem ảnh chân dung")
    PASSWORD_RESET = "people.password_reset", _("Đặt lại mật khẩu qua số điện thoại")
    ACCOUNT_LOCKED = "people.account_locked", _("Khóa tài khoản cá nhân")
    ACCOUNT_UNLOCKED = "people.account_unlocked", _("Mở khóa tài khoản cá nhân")
    PHONE_RESET = "people.phone_reset", _("Cán bộ đặt lại số điện thoại của tài khoản cá nhân")
    REGISTRATION_OF_EXISTING = "people.registration_of_existing", _("Đăng ký trùng số định danh đã có tài khoản")
    LOGIN_INDEX_ROTATED = "people.login_index_rotated", _("Thay khóa chỉ mục số định danh và lập lại chỉ mục")
    LOGIN_INDEX_REINDEXED = "people.login_index_reindexed", _("Lập lại chỉ mục số định danh")
    LOGIN_INDEX_RETIRED = "people.login_index_retired", _("Xóa các phiên bản cũ của khóa chỉ mục số định danh")
    DATA_REQUEST_FILED = "people.data_request_filed", _("Gửi yêu cầu về dữ liệu cá nhân")
    DATA_REQUEST_ACKNOWLEDGED = (
        "people.data_request_acknowledged",
        _("Xác nhận đã nhận yêu cầu về dữ liệu cá nhân"),
    )
    DATA_REQUEST_EXTENDED = "people.data_request_extended", _("Gia hạn xử lý yêu cầu về dữ liệu cá nhân")
    DATA_REQUEST_CLOSED = "people.data_request_closed", _("Trả lời yêu cầu về dữ liệu cá nhân")
    DATA_COPIED = "people.data_copied", _("Tải bản sao dữ liệu cá nhân của mình")
