"""The reference-list sources and the category each one lists (a partner clerk is assigned one)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinhdanh.organizations.categories import Category


class Source(models.TextChoices):
    BUSINESS = "business", _("Đăng ký doanh nghiệp (Sở Tài chính)")
    COOPERATIVE = "cooperative", _("Đăng ký hợp tác xã")
    TAX = "tax", _("Cơ quan thuế")
    HOME_AFFAIRS = "home_affairs", _("Sở Nội vụ")
    SURVEY = "survey", _("Khảo sát của Công an xã")
    POLICE = "police", _("Danh sách đơn vị Công an")


SOURCE_CATEGORY: dict[Source, Category] = {
    Source.BUSINESS: Category.ENTERPRISE,
    Source.COOPERATIVE: Category.COOPERATIVE,
    Source.TAX: Category.TAX_AGENCY,
    Source.HOME_AFFAIRS: Category.OTHER,
    Source.SURVEY: Category.OTHER,
    Source.POLICE: Category.TAX_AGENCY,
}
