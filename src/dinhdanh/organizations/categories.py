"""The four categories of organizations (Decree 69; SPEC §2): the organization's own vocabulary."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    COOPERATIVE = "cooperative", _("Hợp tác xã, liên hiệp hợp tác xã, tổ hợp tác")
    TAX_AGENCY = "tax_agency", _("Cơ quan, tổ chức có mã số thuế, không đăng ký kinh doanh")
    OTHER = "other", _("Tổ chức khác")


# Not a fifth category of Decree 69 but a counting one (decision 0043): the events of an organization of
# category ``tax_agency`` whose tax code is on the police's list of its units keep this category, and
# campaigns count police units apart from the other tax-code bodies.
POLICE_UNITS = "police"
