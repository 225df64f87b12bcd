"""Role-aware navigation: a link appears only if the page exists in this zone and the person may use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.access import Permission, has_permission
from dinhdanh.web.zones import serves_inner, serves_outer


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[tuple[Any, str]] = [(_("Trang chủ"), "web:home"), (_("Đơn vị hành chính"), "web:units")]
    if user.is_authenticated:
        items.append((_("Công việc của tôi"), "people:me"))
        if serves_outer():
            items.append((_("Định danh tổ chức"), "organizations:hub"))
        items.append((_("Bảo mật tài khoản"), "people:security"))
    if serves_inner() and user.is_authenticated and has_permission(user, Permission.VERIFY_PERSON):
        items.append((_("Tra cứu công dân"), "people:desk"))
        items.append((_("Duyệt mức độ 1"), "people:reviews"))
    if serves_inner() and user.is_authenticated:
        reviews = has_permission(user, Permission.REVIEW_APPLICATION)
        intake = has_permission(user, Permission.INTAKE_APPLICATION)
        if reviews or intake:
            items.append((_("Hồ sơ cần xử lý"), "applications:queue"))
        if intake:
            items.append((_("Tiếp nhận hồ sơ"), "applications:intake"))
        if has_permission(user, Permission.ANSWER_VERIFICATION):
            items.append((_("Yêu cầu xác minh"), "applications:verifications"))
        if reviews:
            items.append((_("Tổ chức"), "applications:officer_organizations"))
    if serves_inner() and user.is_authenticated and has_permission(user, Permission.VIEW_REGISTRY):
        items.append((_("Danh sách tham chiếu"), "registries:lists"))
        items.append((_("Đối soát"), "registries:reconcile_home"))
    if serves_inner() and user.is_authenticated and has_permission(user, Permission.IMPORT_REGISTRY):
        items.append((_("Tải lên danh sách"), "registries:upload"))
    if serves_inner() and user.is_authenticated and has_permission(user, Permission.VIEW_AUDIT_LOG):
        items.append((_("Nhật ký kiểm toán"), "web:audit"))
    if serves_inner() and user.is_authenticated and has_permission(user, Permission.ADMINISTER_SYSTEM):
        items.append((_("Hộp thư đi"), "notifications:outbox"))
    if serves_outer():
        items.append((_("Tài liệu API"), "api:openapi-view"))
    path = request.path
    nav = []
    for label, name in items:
        url = reverse(name)
        nav.append(NavItem(str(label), url, path == url or (url != "/" and path.startswith(url))))
    return {"nav_items": nav, "deploy_zone_inner": serves_inner(), "deploy_zone_outer": serves_outer()}
