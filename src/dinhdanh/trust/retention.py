"""What the trust services keep and for how long (decision 0048, ``core.retention``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.retention import retained
from dinhdanh.trust.models import Notice, NoticeState, Question, RateWindow


@retained("trust.questions", usage=True, label=_("Câu hỏi xác minh của bên sử dụng"))
def questions(cutoff: datetime) -> QuerySet[Question]:
    return Question.objects.filter(asked_at__lt=cutoff)


# What a relying party was told about an organization: usage history once delivered or given up;
# a pending one is work still to do, whatever its age.
@retained("trust.notices", usage=True, label=_("Thông báo thay đổi đã gửi cho bên sử dụng"))
def notices(cutoff: datetime) -> QuerySet[Notice]:
    return Notice.objects.filter(
        Q(delivered_at__isnull=True) | Q(delivered_at__lt=cutoff),
        state__in=(NoticeState.DELIVERED, NoticeState.DEAD),
        created_at__lt=cutoff,
    )


# Per-minute counters of questions: a window is only read while it is the current one.
@retained("trust.rate_windows", keep=timedelta(days=1), label=_("Bộ đếm tần suất câu hỏi xác minh"))
def rate_windows(cutoff: datetime) -> QuerySet[RateWindow]:
    return RateWindow.objects.filter(window_start__lt=cutoff)
