"""Audit action codes of `organizations` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("org")
class OrganizationAction(Actions):
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
    SERVICE_SAVED = "org.service_saved", _("Cập nhật danh mục dịch vụ")
    MEMBER_EXPIRED = "org.member_expired", _("Quyền thành viên tổ chức hết hạn")
