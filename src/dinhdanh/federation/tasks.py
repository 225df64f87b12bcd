"""The federation's recurring jobs (``core.schedule``)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring
from dinhdanh.federation.keys import keys_maintain
from dinhdanh.federation.protocol.tokens import prune_expired


@recurring(
    "rotate_signing_keys",
    every=timedelta(days=1),
    summary=_("Tạo, thay và gỡ khóa ký của nhà cung cấp định danh theo hạn"),
)
@task
def rotate_signing_keys() -> dict[str, int]:
    return keys_maintain()


@recurring(
    "prune_federation_records",
    every=timedelta(hours=1),
    summary=_("Xóa dấu vết đã hết hạn: mã jti của xác nhận ứng dụng, mã truy cập hết hạn quá một ngày"),
)
@task
def prune_federation_records() -> dict[str, int]:
    return prune_expired()
