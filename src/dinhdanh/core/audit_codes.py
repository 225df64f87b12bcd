"""Stable audit action codes, grouped by entity. Never rename a value: verifiers and reports key on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # access
    ACCESS_DENIED = "access.denied", _("Từ chối truy cập")
    ROLE_GRANTED = "access.role_granted", _("Giao vai trò")
    ROLE_REVOKED = "access.role_revoked", _("Thu hồi vai trò")
    # authentication
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
    # people
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
    # organizations
    ORG_ISSUED = "org.issued", _("Cấp tài khoản định danh điện tử tổ chức")
    ORG_UPDATED = "org.updated", _("Cập nhật thông tin tổ chức")
    ORG_UPDATED_FROM_REGISTRY = "org.updated_from_registry", _("Cập nhật tổ chức từ cơ sở dữ liệu đăng ký")
    ORG_REPRESENTATIVE_CHANGED = "org.representative_changed", _("Thay đổi người đại diện theo pháp luật")
    ORG_LOCKED = "org.locked", _("Khóa tài khoản tổ chức")
    ORG_CONTROL_CLAIMED = "org.control_claimed", _("Người đại diện nhận quyền quản lý tài khoản tổ chức")
    ORG_LOCK_PROPOSED = "org.lock_proposed", _("Đề nghị khóa tài khoản tổ chức, chờ cán bộ thứ hai (bốn mắt)")
    ORG_UNLOCKED = "org.unlocked", _("Mở khóa tài khoản tổ chức")
    ORG_TERMINATED = "org.terminated", _("Chấm dứt tài khoản tổ chức")
    ORG_SWITCHED = "org.switched", _("Chuyển sang tài khoản tổ chức")
    ORG_VIEWED = "org.viewed", _("Xem hồ sơ tổ chức")
    MEMBER_GRANTED = "org.member_granted", _("Phân quyền thành viên tổ chức")
    MEMBER_REVOKED = "org.member_revoked", _("Thu hồi quyền thành viên tổ chức")
    MEMBER_EXPIRED = "org.member_expired", _("Quyền thành viên tổ chức hết hạn")
    # applications (requests, hồ sơ)
    APP_CREATED = "app.created", _("Tạo hồ sơ")
    APP_SUBMITTED = "app.submitted", _("Nộp hồ sơ")
    APP_CHECKED = "app.checked", _("Đối chiếu tự động hồ sơ")
    APP_CONSENT_GIVEN = "app.consent_given", _("Đồng ý của người đại diện khác")
    APP_CONSENT_REFUSED = "app.consent_refused", _("Từ chối của người đại diện khác")
    APP_ASSIGNED = "app.assigned", _("Phân công xử lý hồ sơ")
    APP_VERIFICATION_SENT = "app.verification_sent", _("Gửi yêu cầu xác minh")
    APP_VERIFICATION_ANSWERED = "app.verification_answered", _("Trả lời yêu cầu xác minh")
    APP_VERIFICATION_CANCELLED = "app.verification_cancelled", _("Hủy yêu cầu xác minh")
    APP_SUPPLEMENT_REQUESTED = "app.supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    APP_SUPPLEMENTED = "app.supplemented", _("Bổ sung hồ sơ")
    APP_APPROVED = "app.approved", _("Duyệt hồ sơ")
    APP_FIRST_APPROVAL = "app.first_approval", _("Duyệt lần thứ nhất, chờ cán bộ thứ hai (bốn mắt)")
    APP_REJECTED = "app.rejected", _("Từ chối hồ sơ")
    APP_WITHDRAWN = "app.withdrawn", _("Rút hồ sơ")
    APP_DOCUMENT_ADDED = "app.document_added", _("Thêm tài liệu vào hồ sơ")
    APP_DOCUMENT_VIEWED = "app.document_viewed", _("Xem tài liệu hồ sơ")
    # registries
    REGISTRY_IMPORTED = "registries.imported", _("Nhập danh sách tham chiếu")
    REGISTRY_RECORDS_PUSHED = "registries.records_pushed", _("Nhận dữ liệu tham chiếu qua API")
    REGISTRY_IMPORT_FAILED = "registries.import_failed", _("Nhập danh sách tham chiếu không thành công")
    REGISTRY_EXCLUSION_SET = "registries.exclusion_set", _("Loại khỏi chỉ tiêu")
    REGISTRY_EXCLUSION_LIFTED = "registries.exclusion_lifted", _("Bỏ loại khỏi chỉ tiêu")
    REGISTRY_BASELINE_TAKEN = "registries.baseline_taken", _("Chốt số liệu nền")
    REGISTRY_EXPORTED = "registries.exported", _("Xuất danh sách đối soát")
    # notifications
    MESSAGE_RETRIED = "notify.message_retried", _("Gửi lại thông báo")
    # administrative units
    UNITS_LOADED = "geo.units_loaded", _("Nạp danh mục đơn vị hành chính")
    # calendar
    DAY_OVERRIDE_SET = "calendar.day_override_set", _("Khai báo ngày nghỉ / ngày làm bù")
    # system
    DEMO_LOADED = "system.demo_loaded", _("Nạp dữ liệu mẫu")
