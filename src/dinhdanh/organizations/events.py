"""The domain events of organizations (decision 0020), registered when the app is ready. Campaigns
count accounts issued, first acts as an organization, locks, representative changes and memberships
ending; relying-party notices send locks, terminations and representative changes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.events import register

ISSUED = register("organizations.issued", _("Cấp tài khoản định danh tổ chức"))
LOCKED = register("organizations.locked", _("Khóa tài khoản tổ chức"))
UNLOCKED = register("organizations.unlocked", _("Mở khóa tài khoản tổ chức"))
TERMINATED = register("organizations.terminated", _("Chấm dứt tài khoản tổ chức"))
REPRESENTATIVE_CHANGED = register("organizations.representative_changed", _("Thay đổi người đại diện"))
MEMBER_GRANTED = register("organizations.member_granted", _("Cấp quyền thành viên"))
MEMBER_REVOKED = register("organizations.member_revoked", _("Thu hồi quyền thành viên"))
MEMBER_EXPIRED = register("organizations.member_expired", _("Quyền thành viên hết hạn"))
# payload "first": the first time this person acts for this organization (a campaign counts those).
ACTED_AS = register("organizations.acted_as", _("Chuyển sang tài khoản tổ chức"))
