"""Retention (issue 16.2, decision 0048): each app says what it keeps and for how long; one job deletes
what is past it, in bounded batches, and audits one event per run with the counts.

An app registers a rule in its own ``retention`` module (found by ``autodiscover_modules``, so the
kernel names no domain table)::

    @retained("people.signins", usage=True, label=_("Lịch sử đăng nhập"))
    def signins(cutoff: datetime) -> QuerySet[SignInEvent]:
        return SignInEvent.objects.filter(at__lt=cutoff)

The kernel computes ``cutoff``; the rule returns the rows *strictly older* than it (a row exactly at the
cutoff stays). Two kinds:

- **usage history** (``usage=True``): how the service was used — sign-ins, sessions, questions asked,
  messages sent. Kept ``RETENTION_USAGE_DAYS`` (default and legal minimum: 1827 days, five years with
  their leap days). The kernel refuses a shorter setting here as well as at start-up, so no setting can
  make this job delete usage history younger than five years.
- **technical rows** (``keep=timedelta`` or a callable giving one): rows with no use once expired
  (replay records, throttles, expired sessions). Their ``keep`` is the rule's own.

The audit log is not and never will be a rule: its hash chain would break (decisions 0005, 0012, 0019).

Batches: each rule deletes at most ``batch`` rows per transaction (ids chosen in primary-key order, then
deleted under the rule's own condition again, so a row that changed meanwhile is not taken), so no lock
is held long and a run stopped half-way leaves only whole batches done; the next run carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import IdempotencyRecord

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "BATCH",
    "LEGAL_MINIMUM_DAYS",
    "Purge",
    "Rule",
    "cutoff_of",
    "dry_run",
    "purge",
    "retained",
    "rules",
    "usage_days",
]

# Five years, whatever leap days they hold: no five calendar years are longer than 1827 days.
LEGAL_MINIMUM_DAYS = 1827
MAXIMUM_DAYS = 36525  # a hundred years: past it, a date before year 1 is near (and nobody means it)
BATCH = 5000
DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")

Rows = Callable[[datetime], "models.QuerySet[Any]"]


@dataclass(frozen=True)
class Rule:
    name: str
    rows: Rows
    label: StrOrPromise
    usage: bool = False
    keep: timedelta | Callable[[], timedelta] | None = None

    def kept(self) -> timedelta:
        """How long this rule's rows are kept."""
        if self.usage or self.keep is None:  # ``retained`` gives every other rule a ``keep``
            return timedelta(days=usage_days())
        return self.keep() if callable(self.keep) else self.keep


_RULES: dict[str, Rule] = {}


def retained(
    name: str,
    *,
    label: StrOrPromise,
    usage: bool = False,
    keep: timedelta | Callable[[], timedelta] | None = None,
) -> Callable[[Rows], Rows]:
    """Register ``rows(cutoff)``: the rows of one table older than ``cutoff``, to be deleted.

    ``usage=True`` for usage history (kept the usage setting, never less than five years); otherwise
    ``keep`` says how long after the row's date it goes."""
    if usage == (keep is not None):
        raise ImproperlyConfigured(f"retention rule {name!r}: say usage=True or keep=..., not both or neither")

    def register(rows: Rows) -> Rows:
        known = _RULES.get(name)
        if known is not None and known.rows.__module__ != rows.__module__:
            raise ImproperlyConfigured(f"retention rule {name!r} is registered twice")
        _RULES[name] = Rule(name=name, rows=rows, label=label, usage=usage, keep=keep)
        return rows

    return register


def rules() -> dict[str, Rule]:
    """Every rule the installed apps declare (their ``retention`` modules are imported first)."""
    autodiscover_modules("retention")
    return dict(sorted(_RULES.items()))


def usage_days() -> int:
    """``RETENTION_USAGE_DAYS``, checked again here: settings read from the environment refuse a short
    value at start-up, but a settings module of one's own could still set one."""
    days = getattr(settings, "RETENTION_USAGE_DAYS", LEGAL_MINIMUM_DAYS)
    if type(days) is not int or not LEGAL_MINIMUM_DAYS <= days <= MAXIMUM_DAYS:
        raise ImproperlyConfigured(
            f"RETENTION_USAGE_DAYS phải là số ngày từ {LEGAL_MINIMUM_DAYS} (5 năm, mức tối thiểu luật định) "
            f"đến {MAXIMUM_DAYS}, không phải {days!r}. / RETENTION_USAGE_DAYS must be a number of days from "
            f"{LEGAL_MINIMUM_DAYS} (5 years, the legal minimum) to {MAXIMUM_DAYS}, not {days!r}."
        )
    return days


def cutoff_of(rule: Rule, now: datetime) -> datetime:
    cutoff = now - rule.kept()
    if rule.usage and cutoff > now - timedelta(days=LEGAL_MINIMUM_DAYS):  # belt and braces
        raise ImproperlyConfigured(f"retention rule {rule.name!r} would delete usage history under five years")
    return cutoff


@dataclass
class Purge:
    """What one run did (or, dry, would do): rows per rule, and each rule's cutoff."""

    counts: dict[str, int] = field(default_factory=dict)
    cutoffs: dict[str, datetime] = field(default_factory=dict)
    usage_days: int = LEGAL_MINIMUM_DAYS

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _delete_in_batches(rule: Rule, cutoff: datetime, batch: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            rows = rule.rows(cutoff)
            ids = list(rows.order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            # The rule's condition again: a row that changed since it was chosen (a throttle that
            # failed again) no longer matches and stays. PostgreSQL re-checks it under the row lock.
            _total, per_model = rows.filter(pk__in=ids).delete()
            done = per_model.get(rows.model._meta.label, 0)
        deleted += done
        if done == 0 or len(ids) < batch:
            return deleted


def dry_run(now: datetime | None = None) -> Purge:
    """The dry run: how many rows each rule would delete now; changes nothing."""
    now = now or timezone.now()
    found = Purge(usage_days=usage_days())
    for name, rule in rules().items():
        cutoff = cutoff_of(rule, now)
        found.cutoffs[name] = cutoff
        found.counts[name] = rule.rows(cutoff).count()
    return found


def purge(now: datetime | None = None, *, batch: int = BATCH) -> Purge:
    """Delete, rule by rule, whatever is past its retention; one audit event with the counts."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    now = now or timezone.now()
    done = Purge(usage_days=usage_days())
    every = rules()
    for name, rule in every.items():  # every cutoff first: a bad setting stops the run before any delete
        done.cutoffs[name] = cutoff_of(rule, now)
    for name, rule in every.items():
        done.counts[name] = _delete_in_batches(rule, done.cutoffs[name], batch)
    audit.record(
        KernelAction.RETENTION_PURGED, actor=None, object_type="retention", object_id=now.date().isoformat(),
        after={"usage_days": done.usage_days, "counts": done.counts, "total": done.total,
               "cutoffs": {name: cutoff.isoformat() for name, cutoff in done.cutoffs.items()}},
    )  # fmt: skip
    return done


# --- the kernel's own rows ---------------------------------------------------------------------------


@retained("core.idempotency", keep=timedelta(0), label=_("Bản ghi chống gửi lặp (Idempotency-Key) đã hết hạn"))
def expired_idempotency(cutoff: datetime) -> models.QuerySet[IdempotencyRecord]:
    # Past its expiry a record replays nothing (the same key starts afresh), but it holds an answer.
    return IdempotencyRecord.objects.filter(expires_at__lt=cutoff)


def _sessions_in_database() -> bool:
    """Whether the session engine keeps its rows in Django's session table (its own or a subclass)."""
    if settings.SESSION_ENGINE in DATABASE_SESSIONS:
        return True
    store = getattr(import_module(settings.SESSION_ENGINE), "SessionStore", None)
    return isinstance(store, type) and issubclass(store, DatabaseSessionStore)


@retained("core.sessions", keep=timedelta(0), label=_("Phiên trình duyệt đã hết hạn"))
def expired_sessions(cutoff: datetime) -> models.QuerySet[Session]:
    # Django's ``clearsessions``, in batches; only when sessions live in the database.
    if not _sessions_in_database():
        return Session.objects.none()
    return Session.objects.filter(expire_date__lt=cutoff)
