"""Role-aware navigation: a link appears only if the page exists in this zone and the person may use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.core.access import KernelPermission, Permission, permissions_of
from dinhdanh.http.zones import serves_inner, serves_outer
from dinhdanh.notifications import inbox
from dinhdanh.organizations.permissions import OrganizationPermission
from dinhdanh.people.permissions import PeoplePermission
from dinhdanh.registries.permissions import RegistryPermission


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    badge: int = 0  # unread notifications beside "Thông báo"


# Inner-zone pages: (label, url name, the permissions any one of which shows the link).
_BACK_OFFICE: tuple[tuple[Any, str, tuple[Permission, ...]], ...] = (
    (_("Tra cứu công dân"), "people:desk", (PeoplePermission.VERIFY_PERSON,)),
    (_("Duyệt mức độ 1"), "people:reviews", (PeoplePermission.VERIFY_PERSON,)),
    (_("Yêu cầu về dữ liệu cá nhân"), "people:data_request_queue", (PeoplePermission.HANDLE_DATA_REQUEST,)),
    (
        _("Hồ sơ cần xử lý"),
        "applications:queue",
        (ApplicationPermission.REVIEW_APPLICATION, ApplicationPermission.INTAKE_APPLICATION),
    ),
    (_("Tiếp nhận hồ sơ"), "applications:intake", (ApplicationPermission.INTAKE_APPLICATION,)),
    (_("Yêu cầu xác minh"), "applications:verifications", (ApplicationPermission.ANSWER_VERIFICATION,)),
    (_("Tổ chức"), "organizations_officer:list", (OrganizationPermission.OVERSEE_ORGANIZATION,)),
    (_("Danh sách tham chiếu"), "registries:lists", (RegistryPermission.VIEW_REGISTRY,)),
    (_("Tải lên danh sách"), "registries:upload", (RegistryPermission.IMPORT_REGISTRY,)),
    (_("Đối soát"), "registries:reconcile_home", (RegistryPermission.VIEW_REGISTRY,)),
    (_("Kế hoạch triển khai"), "campaigns:plans", (CampaignPermission.VIEW_PLAN,)),
    (_("Nhật ký kiểm toán"), "web:audit", (KernelPermission.VIEW_AUDIT_LOG,)),
    (_("Hộp thư đi"), "notifications:outbox", (KernelPermission.ADMINISTER_SYSTEM,)),
    (_("Thông báo cho bên sử dụng"), "notices_admin:clients", (KernelPermission.ADMINISTER_SYSTEM,)),
    (_("Khóa, chứng thư sắp hết hạn"), "credentials:dashboard", (KernelPermission.ADMINISTER_SYSTEM,)),
    (_("Cán bộ và vai trò"), "people:staff", (KernelPermission.ADMINISTER_SYSTEM,)),
    (_("Lịch làm việc"), "web:calendar", (KernelPermission.ADMINISTER_SYSTEM,)),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page for a request refused before the authentication middleware ran (a Host header not
    # in ALLOWED_HOSTS) has no user: it renders for a stranger.
    user: Any = getattr(request, "user", None) or AnonymousUser()
    items: list[tuple[Any, str]] = [(_("Trang chủ"), "web:home"), (_("Đơn vị hành chính"), "web:units")]
    unread = 0
    if user.is_authenticated:
        items.append((_("Công việc của tôi"), "people:me"))
        items.append((_("Thông báo"), "inbox:list"))
        unread = inbox.unread_count(user)  # one indexed count per page, for signed-in people only
        if serves_outer():
            items.append((_("Định danh tổ chức"), "organizations:hub"))
        items.append((_("Bảo mật tài khoản"), "people:security"))
    if serves_inner() and user.is_authenticated:
        held = permissions_of(user)
        items.extend((label, name) for label, name, needs in _BACK_OFFICE if held.intersection(needs))
    if serves_outer():
        items.append((_("Tài liệu API"), "api:openapi-view"))
    path = request.path
    urls = [(label, reverse(name)) for label, name in items]
    # One highlighted item: the longest link the page sits under (/me/security/ is not also /me/).
    under = [url for _label, url in urls if path == url or (url != "/" and path.startswith(url))]
    current = max(under, key=len, default=None)
    inbox_url = reverse("inbox:list") if user.is_authenticated else ""
    nav = [NavItem(str(label), url, url == current, unread if url == inbox_url else 0) for label, url in urls]
    return {"nav_items": nav, "deploy_zone_inner": serves_inner(), "deploy_zone_outer": serves_outer()}
