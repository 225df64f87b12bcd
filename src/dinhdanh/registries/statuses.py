"""The status of an organization in a reference registry, and the words registries use for it.

Registries write the status in Vietnamese, in whatever case, accents and spacing the export produced
("ĐANG HOẠT ĐỘNG", "Tam ngung kinh doanh", "NNT đang hoạt động (đã được cấp GCN ĐKT)"). Matching is on a
key without case, accents, punctuation or spaces, and on whole phrases only: "Đang làm thủ tục giải thể"
(dissolution in progress) must not read as "Đã giải thể". A phrase we do not know is never guessed at;
it becomes ``UNKNOWN`` and the caller keeps the text, so nothing a registry said is lost.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.text import fold

__all__ = ["RegistryStatus", "parse_status", "status_key"]


class RegistryStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngừng hoạt động")
    DISSOLVED = "dissolved", _("Đã giải thể")
    BANKRUPT = "bankrupt", _("Đã phá sản")
    NOT_AT_ADDRESS = "not_at_address", _("Không hoạt động tại địa chỉ đăng ký")
    REVOKED = "revoked", _("Bị thu hồi giấy chứng nhận")
    CEASED = "ceased", _("Đã chấm dứt hoạt động")
    UNKNOWN = "unknown", _("Không rõ")

    @property
    def is_terminated(self) -> bool:
        """The organization no longer exists legally: an issued account is locked (Decree 69 Art. 8).

        Suspended and not-at-address organizations still exist and may resume, so they are not here.
        """
        return self in _TERMINATED


_TERMINATED = frozenset(
    {RegistryStatus.DISSOLVED, RegistryStatus.BANKRUPT, RegistryStatus.REVOKED, RegistryStatus.CEASED}
)

# Phrases as people write them; keys are computed once below so the table stays readable.
_VOCABULARY: dict[RegistryStatus, tuple[str, ...]] = {
    RegistryStatus.ACTIVE: (
        "Đang hoạt động",
        "Hoạt động",
        # Tax department wording (tra cứu người nộp thuế).
        "Đang hoạt động (đã được cấp GCN ĐKT)",
        "Đang hoạt động (được cấp thông tin MST)",
    ),
    RegistryStatus.SUSPENDED: (
        "Tạm ngừng kinh doanh",
        "Tạm ngừng hoạt động",
        "Tạm ngừng",
        "Tạm ngừng kinh doanh có thời hạn",
        "Tạm nghỉ kinh doanh có thời hạn",
    ),
    RegistryStatus.DISSOLVED: ("Đã giải thể", "Giải thể"),
    RegistryStatus.BANKRUPT: ("Phá sản", "Đã phá sản"),
    RegistryStatus.NOT_AT_ADDRESS: (
        "Không hoạt động tại địa chỉ đăng ký",
        "Không hoạt động tại địa chỉ đã đăng ký",
    ),
    RegistryStatus.REVOKED: (
        "Bị thu hồi giấy chứng nhận",
        "Bị thu hồi giấy chứng nhận đăng ký doanh nghiệp",
        "Bị thu hồi giấy chứng nhận đăng ký hợp tác xã",
        "Thu hồi",
        "Bị thu hồi",
    ),
    RegistryStatus.CEASED: (
        "Ngừng hoạt động",
        "Đã ngừng hoạt động",
        "Chấm dứt hoạt động",
        "Đã chấm dứt hoạt động",
        "Ngừng hoạt động và đã hoàn thành thủ tục chấm dứt hiệu lực MST",
        "Ngừng hoạt động nhưng chưa hoàn thành thủ tục chấm dứt hiệu lực MST",
    ),
}

# "NNT" (người nộp thuế, taxpayer) prefixes every tax department status; it carries no meaning here.
_TAX_PREFIX = re.compile(r"^nnt\s+")


def status_key(text: str) -> str:
    """Case-, accent-, punctuation- and space-insensitive key: "Tạm ngừng  KD" -> "tamngungkd"."""
    return _TAX_PREFIX.sub("", fold(text)).replace(" ", "")


_BY_KEY: dict[str, RegistryStatus] = {
    status_key(phrase): status for status, phrases in _VOCABULARY.items() for phrase in phrases
}
# API clients may send the stable value itself ("not_at_address").
_BY_KEY.update({status_key(status.value): status for status in RegistryStatus if status != RegistryStatus.UNKNOWN})


# A registry uses a handful of phrases a million times; folding each occurrence again is wasted work.
@lru_cache(maxsize=4096)
def parse_status(text: str) -> RegistryStatus:
    """The status a registry phrase means; ``UNKNOWN`` for an empty or unrecognized phrase."""
    return _BY_KEY.get(status_key(text), RegistryStatus.UNKNOWN)
