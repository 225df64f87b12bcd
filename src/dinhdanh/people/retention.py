"""What people keeps and for how long (decision 0048, ``core.retention``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.retention import retained
from dinhdanh.people.models import AccountSession, SignInEvent, Throttle
from dinhdanh.people.throttle import Scope, policy


@retained("people.signins", usage=True, label=_("Lịch sử đăng nhập"))
def signins(cutoff: datetime) -> QuerySet[SignInEvent]:
    return SignInEvent.objects.filter(at__lt=cutoff)


# A session row is a use of the service (when, from which address and browser): usage history, counted
# from its last request. A session ends 8 hours after sign-in at the latest, so these are long over.
@retained("people.sessions", usage=True, label=_("Phiên đăng nhập (địa chỉ, trình duyệt, thời gian)"))
def sessions(cutoff: datetime) -> QuerySet[AccountSession]:
    return AccountSession.objects.filter(last_seen_at__lt=cutoff)


def _throttle_memory() -> timedelta:
    """The longest memory of any counter: a row whose last failure is older counts nothing any more."""
    return timedelta(seconds=max(policy(scope).memory for scope in Scope))


@retained("people.throttles", keep=_throttle_memory, label=_("Bộ đếm đăng nhập sai đã hết hiệu lực"))
def throttles(cutoff: datetime) -> QuerySet[Throttle]:
    # ``throttle._remembered`` counts nothing once the memory passed, and a block ends before it: the
    # row is then the same as no row. One that failed again since it was chosen no longer matches.
    return Throttle.objects.filter(last_failure_at__lt=cutoff).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=cutoff)
    )
