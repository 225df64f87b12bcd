"""Delivering notices: HTTPS push (RFC 8935) with bounded retries, and the poll of RFC 8936.

Push: ``POST`` of the SET as ``application/secevent+jwt`` to the receiver's endpoint, with its sealed
``Authorization`` value when it has one. A 2xx answer (202 is the RFC's) delivers it. A 400 is the
receiver refusing this SET for good (RFC 8935 §2.3/§2.4: ``err``, ``description``): the notice is dead at
once with that error. A redirect (never followed: the endpoint is what was registered), another 4xx, a
5xx, a timeout or a broken connection is retried after an exponential back-off with jitter, at most
``MAX_ATTEMPTS`` times over about 18 hours; then the notice is dead, audited ``NOTICE_DEAD``, and on
the dead-letter list of the relying party and of the administrators until requeued or acknowledged.

Batches are claimed in one transaction (``SKIP LOCKED`` on PostgreSQL, SQLite's write lock), so two
workers never push one notice at once; a claim lasts as long as the batch could take at worst plus
``CLAIM``, after which a notice whose worker died is due again. The HTTP work happens outside any transaction, on a few threads that touch no database.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dinhdanh.core import audit
from dinhdanh.core.sealed import SealError, unseal_text
from dinhdanh.federation.models import Client
from dinhdanh.trust.audit_actions import TrustAction
from dinhdanh.trust.models import DeliveryMethod, Notice, NoticeState, Receiver

__all__ = [
    "AUTHORIZATION_PURPOSE",
    "CLAIM",
    "MAX_ATTEMPTS",
    "Outcome",
    "PollError",
    "backoff",
    "deliver_due",
    "endpoint_problem",
    "poll",
    "push",
]

log = logging.getLogger(__name__)

AUTHORIZATION_PURPOSE = "trust.receiver-authorization"
CONNECT_SECONDS, READ_SECONDS = 3.0, 5.0
MAX_RESPONSE_BYTES = 16384
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=12)
CLAIM = timedelta(minutes=2)  # margin over the worst time of a batch's pushes (connect + read each)
MAX_ERROR = 300
_LOOPBACK_NAMES = frozenset({"localhost"})

# --- where a push may go ---------------------------------------------------------------------------


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    """By the parsed host only: ``127.0.0.1.evil.example`` or ``localhost.evil.example`` is not loopback."""
    address = _ip(host)
    return host in _LOOPBACK_NAMES or (address is not None and address.is_loopback)


def _private_allowed() -> bool:
    """Receivers on private networks (a provincial intranet) only where the operator says so."""
    return bool(settings.TRUST_NOTICES_PRIVATE_NETWORKS)


def _address_refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address, host: str) -> bool:
    if address.is_loopback:
        return not _is_loopback(host)  # a public name that resolves to this machine
    internal = address.is_private or address.is_link_local or address.is_reserved
    return address.is_multicast or address.is_unspecified or (internal and not _private_allowed())


def endpoint_problem(url: object) -> str | None:
    """Why ``url`` cannot receive pushes (a short English reason), or None: HTTPS, or HTTP to this very
    machine (tests, the demo); no credentials, fragment or whitespace; not an internal address."""
    if (
        not isinstance(url, str)
        or not 1 <= len(url) <= 500
        or not url.isprintable()
        or any(c.isspace() for c in url)
    ):
        return "not an absolute URL of at most 500 characters"
    try:
        parts = urllib.parse.urlsplit(url)
        host, _port = (parts.hostname or ""), parts.port
    except ValueError:
        return "not a valid URL"
    if not host or parts.username is not None or parts.password is not None or parts.fragment or "#" in url:
        return "needs a host, and no credentials or fragment"
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(host)):
        return "must be https (http only to 127.0.0.1, ::1 or localhost)"
    address = _ip(host)
    if address is not None and _address_refused(address, host):
        return "an internal or reserved address"
    return None


# --- one push ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    final: bool  # refused for good: no retry
    error: str


def _clean(text: str) -> str:
    """The receiver's words, as we keep and show them: printable, short."""
    return "".join(c if c.isprintable() else " " for c in text)[:200]


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the address checked now (so a name cannot change to an internal one between
    the check and the connect), with TLS to the name; and the path to post to."""
    parts = urllib.parse.urlsplit(url)
    host, secure = parts.hostname or "", parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    pinned = None
    for *_rest, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        candidate = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not _address_refused(candidate, host):
            pinned = str(sockaddr[0])
            break
    if pinned is None:
        raise ConnectionRefusedError("the endpoint resolves to no address we may connect to")
    if secure:
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=CONNECT_SECONDS, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=CONNECT_SECONDS)

    def connect(_address: Any, timeout: Any = None, source: Any = None) -> socket.socket:
        return socket.create_connection((pinned, port), CONNECT_SECONDS, source)

    connection._create_connection = connect  # type: ignore[attr-defined]  # http.client's own hook
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _refusal(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("err"), str):
        description = data.get("description")
        said = f"{data['err']}: {description}" if isinstance(description, str) else data["err"]
        return "400 " + _clean(said)
    return "400 without an RFC 8935 error"


def push(url: str, token: str, authorization: str = "") -> Outcome:
    """POST one SET (RFC 8935 §2.1); never raises, never follows a redirect, reads at most
    ``MAX_RESPONSE_BYTES`` of the answer. The ``Authorization`` value appears in no error or log."""
    if (problem := endpoint_problem(url)) is not None:
        return Outcome(False, False, f"endpoint refused: {problem}")
    headers = {"Content-Type": "application/secevent+jwt", "Accept": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    connection = None
    try:
        connection, path = _connection(url)
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(READ_SECONDS)
        connection.request("POST", path, body=token.encode("ascii"), headers=headers)
        answer = connection.getresponse()
        body = answer.read(MAX_RESPONSE_BYTES)
        status = answer.status
    except TimeoutError:
        return Outcome(False, False, "timed out")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(False, False, f"connection failed ({type(exc).__name__})")
    finally:
        if connection is not None:
            connection.close()
    if 200 <= status < 300:
        return Outcome(True, False, "")
    if status == 400:
        return Outcome(False, True, _refusal(body))
    if 300 <= status < 400:
        return Outcome(False, False, f"HTTP {status}: redirects are not followed")
    return Outcome(False, False, f"HTTP {status}")


# --- retries and the dead-letter list -----------------------------------------------------------------


def backoff(attempt: int, *, jitter: bool = True) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based): 1, 3, 9, 27, 81, 243 minutes, then
    12 hours (8 attempts span about 18 hours), each ±20 % so that a receiver back up is not hit by every waiting notice at the same second."""
    delay = min(BASE_DELAY * 3 ** min(max(attempt - 1, 0), 20), MAX_DELAY)
    factor = (800 + secrets.randbelow(401)) / 1000 if jitter else 1.0
    return timedelta(seconds=delay.total_seconds() * factor)


def _dead(notice: Notice, error: str, now: datetime) -> None:
    with transaction.atomic():
        changed = Notice.objects.filter(pk=notice.pk, state=NoticeState.PENDING).update(
            state=NoticeState.DEAD, next_attempt_at=None, last_error=error[:MAX_ERROR]
        )
        if changed:
            audit.record(
                TrustAction.NOTICE_DEAD,
                actor=None,
                obj=notice,
                after={
                    "client_id": notice.client.client_id,
                    "jti": notice.jti,
                    "event_type": notice.event_type,
                    "attempts": notice.attempts,
                    "error": error[:MAX_ERROR],
                },
            )
    log.warning("notice %s to client %s is dead after %d attempts", notice.jti, notice.client_id, notice.attempts)


def _record(notice: Notice, outcome: Outcome, now: datetime) -> str:
    pending = Notice.objects.filter(pk=notice.pk, state=NoticeState.PENDING)
    if outcome.delivered:
        pending.update(state=NoticeState.DELIVERED, delivered_at=now, next_attempt_at=None, last_error="")
        return "delivered"
    if outcome.final or notice.attempts >= MAX_ATTEMPTS:
        _dead(notice, outcome.error, now)
        return "dead"
    pending.update(next_attempt_at=now + backoff(notice.attempts), last_error=outcome.error[:MAX_ERROR])
    return "retry"


def _claim(now: datetime, limit: int, workers: int = 1) -> list[Notice]:
    """Up to ``limit`` due notices, held for as long as pushing them all could take at worst, so that
    no other worker takes one while this one still may push it."""
    pushing = Receiver.objects.filter(active=True, method=DeliveryMethod.PUSH).values("client_id")
    with transaction.atomic():
        due = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                state=NoticeState.PENDING, next_attempt_at__lte=now, client__active=True, client_id__in=pushing
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        rounds = -(-len(due) // max(workers, 1))
        hold = CLAIM + timedelta(seconds=rounds * (CONNECT_SECONDS + READ_SECONDS))
        Notice.objects.filter(pk__in=due).update(attempts=F("attempts") + 1, next_attempt_at=now + hold)
    return list(Notice.objects.filter(pk__in=due).select_related("client").order_by("pk"))


def _targets(clients: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each client's endpoint and unsealed Authorization value, read once a run."""
    targets = {}
    for receiver in Receiver.objects.filter(client_id__in=set(clients)):
        try:
            secret = unseal_text(bytes(receiver.authorization_sealed), purpose=AUTHORIZATION_PURPOSE)
        except SealError:
            secret = ""  # none set, or sealed under a key that is gone: pushed without, and it shows
        targets[receiver.client_id] = (receiver.endpoint_url, secret if receiver.authorization_sealed else "")
    return targets


def deliver_due(*, now: datetime | None = None, limit: int = 500, workers: int = 16) -> dict[str, int]:
    """Push up to ``limit`` due notices, ``workers`` at a time; counts by outcome."""
    now = now or timezone.now()
    notices = _claim(now, limit, workers)
    targets = _targets(n.client_id for n in notices)

    def send(notice: Notice) -> Outcome:
        url, authorization = targets.get(notice.client_id, ("", ""))
        return push(url, notice.token, authorization)

    if workers > 1 and len(notices) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(notices))) as pool:
            outcomes = list(pool.map(send, notices))
    else:
        outcomes = [send(n) for n in notices]
    counts = {"due": len(notices), "delivered": 0, "retry": 0, "dead": 0}
    done = timezone.now()
    delivered = [n.pk for n, outcome in zip(notices, outcomes, strict=True) if outcome.delivered]
    for chunk in range(0, len(delivered), 500):  # one statement for the common case, not one a notice
        Notice.objects.filter(pk__in=delivered[chunk : chunk + 500], state=NoticeState.PENDING).update(
            state=NoticeState.DELIVERED, delivered_at=done, next_attempt_at=None, last_error=""
        )
    counts["delivered"] = len(delivered)
    for notice, outcome in zip(notices, outcomes, strict=True):
        if not outcome.delivered:
            counts[_record(notice, outcome, done)] += 1
    return counts


# --- poll (RFC 8936) ------------------------------------------------------------------------------------

MAX_ACKS = 1000
MAX_EVENTS = 1000
DEFAULT_EVENTS = 100


class PollError(Exception):
    """A poll request we cannot act on (RFC 8935 §2.3 error codes, as RFC 8936 §2.4 uses them)."""

    def __init__(self, err: str, description: str, status: int = 400) -> None:
        super().__init__(err)
        self.err, self.description, self.status = err, description, status


def _jtis(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ACKS:
        raise PollError("invalid_request", f"{name} must be a list of at most {MAX_ACKS} jti values")
    if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        raise PollError("invalid_request", f"each {name} value must be a jti (a string of 1 to 64 characters)")
    return list(dict.fromkeys(value))


def _errors(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_ACKS:
        raise PollError("invalid_request", f"setErrs must be an object of at most {MAX_ACKS} members")
    errors = {}
    for jti, said in value.items():
        if not 0 < len(jti) <= 64 or not isinstance(said, dict) or not isinstance(said.get("err"), str):
            raise PollError("invalid_request", "each setErrs member is a jti naming an object with an err string")
        description = said.get("description")
        errors[jti] = "setErr " + _clean(
            f"{said['err']}: {description}" if isinstance(description, str) else said["err"]
        )
    return errors


def _max_events(value: object) -> int:
    if value is None:
        return DEFAULT_EVENTS
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EVENTS:
        raise PollError("invalid_request", f"maxEvents must be an integer from 0 to {MAX_EVENTS}")
    return value


def poll(*, client: Client, request: object, now: datetime | None = None) -> dict[str, Any]:
    """Answer one poll (RFC 8936 §2.4): acknowledge ``ack`` (delivered), record ``setErrs`` (dead, with
    the receiver's error), return up to ``maxEvents`` pending SETs. Only the caller's own notices are
    touched: an unknown jti, or another client's, is ignored. Always answers at once (no long poll)."""
    now = now or timezone.now()
    if not isinstance(request, dict):
        raise PollError("invalid_request", "the body must be a JSON object")
    acks, errors = _jtis(request.get("ack"), "ack"), _errors(request.get("setErrs"))
    wanted = _max_events(request.get("maxEvents"))
    if not isinstance(request.get("returnImmediately", True), bool):
        raise PollError("invalid_request", "returnImmediately must be a boolean")
    receiver = Receiver.objects.filter(client=client, active=True).first()
    if receiver is None or receiver.method != DeliveryMethod.POLL:
        raise PollError("invalid_request", "this client has no poll receiver; set one at /api/v1/notices/receiver")
    mine = Notice.objects.filter(client=client)
    with transaction.atomic():
        if acks:
            mine.filter(jti__in=acks, state__in=[NoticeState.PENDING, NoticeState.DEAD]).update(
                state=NoticeState.DELIVERED, delivered_at=now, next_attempt_at=None
            )
        for notice in mine.filter(jti__in=list(errors), state=NoticeState.PENDING).select_related("client"):
            _dead(notice, errors[notice.jti], now)
    pending = list(mine.filter(state=NoticeState.PENDING).order_by("pk").values_list("jti", "token")[: wanted + 1])
    return {"sets": dict(pending[:wanted]), "moreAvailable": len(pending) > wanted}
