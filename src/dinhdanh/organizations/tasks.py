"""The organizations' recurring jobs (``core.schedule``)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.organizations.services import members_expire


@recurring(
    "expire_memberships", every=timedelta(hours=1), summary=_("Ghi nhận các quyền thành viên tổ chức đã hết hạn")
)
@task
def expire_memberships() -> int:
    return members_expire()
