"""Authenticator apps (TOTP) and recovery codes: enrolment, one use per code, drift, hostile codes."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pyotp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.core.sealed import unseal_text
from dinhdanh.notifications.models import Message
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import RecoveryCode, TotpDevice, User
from dinhdanh.people.totp import (
    PENDING_FOR,
    has_totp,
    recovery_code_use,
    recovery_codes_left,
    recovery_codes_regenerate,
    totp_begin,
    totp_confirm,
    totp_remove,
    totp_verify,
)
from tests.conftest import make_user, signed_in

pytestmark = pytest.mark.django_db

STEP = timedelta(seconds=30)
RECOVERY = re.compile(r"[a-z2-9]{5}-[a-z2-9]{5}")


def reachable(name: str = "Nguyễn Văn An") -> User:
    """A person with an e-mail address, so that notifications to them are stored."""
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(email="an@example.vn")
    user.email = "an@example.vn"
    return user


def enrolled(user: User | None = None) -> tuple[User, pyotp.TOTP, list[str]]:
    user = user or make_user()
    secret, _uri = totp_begin(user=user)
    totp = pyotp.TOTP(secret)
    codes = totp_confirm(user=user, code=totp.now())
    return user, totp, codes


def later(minutes: int = 10) -> datetime:
    """A moment after the enrolment code's step, so that its steps are all still unused."""
    return timezone.now() + timedelta(minutes=minutes)


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("before", "after", "object_id", "actor_label")))


def actions(user: User) -> list[str]:
    return list(AuditEvent.objects.filter(actor=user).order_by("pk").values_list("action", flat=True))


# --- enrolment ----------------------------------------------------------------------------------------


def test_enrolment_returns_ten_distinct_recovery_codes_audits_and_notifies() -> None:
    user = reachable()
    secret, uri = totp_begin(user=user)
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    assert "issuer=" in uri
    assert not has_totp(user)

    codes = totp_confirm(user=user, code=pyotp.TOTP(secret).now())

    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(RECOVERY.fullmatch(code) for code in codes), codes
    assert has_totp(user)
    assert recovery_codes_left(user) == 10
    assert actions(user)[-2:] == [PeopleAction.TOTP_ENROLLED, PeopleAction.RECOVERY_CODES_GENERATED]
    generated = AuditEvent.objects.get(action=PeopleAction.RECOVERY_CODES_GENERATED)
    assert generated.after == {"count": 10}
    message = Message.objects.get(user=user, template="factor_added")
    assert message.params == {"factor": "totp"}
    # Neither the secret nor a recovery code is written anywhere in clear.
    logged = audit_text() + json.dumps(list(Message.objects.values("params")))
    assert secret not in logged
    assert not any(code in logged or code.replace("-", "") in logged for code in codes)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)


def test_the_secret_is_stored_sealed() -> None:
    user = make_user()
    secret, _uri = totp_begin(user=user)
    blob = bytes(TotpDevice.objects.get(user=user).secret_sealed)
    assert secret.encode() not in blob
    assert secret.lower().encode() not in blob
    assert unseal_text(blob, purpose="totp-secret") == secret


def test_a_wrong_first_code_writes_nothing() -> None:
    user = reachable()
    secret, _uri = totp_begin(user=user)
    events = AuditEvent.objects.count()
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    with pytest.raises(DomainError) as exc:
        totp_confirm(user=user, code=wrong)
    assert exc.value.error is PeopleError.SECOND_FACTOR_INVALID
    assert exc.value.field == "code"
    assert not has_totp(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == events
    assert not Message.objects.filter(user=user).exists()


def test_confirming_without_beginning_or_twice_is_refused() -> None:
    user = make_user()
    with pytest.raises(DomainError) as exc:
        totp_confirm(user=user, code="123456")
    assert exc.value.error is PeopleError.TOTP_NOT_STARTED
    user, totp, _codes = enrolled(user)
    with pytest.raises(DomainError) as exc:
        totp_confirm(user=user, code=totp.at(later()))
    assert exc.value.error is PeopleError.TOTP_NOT_STARTED
    assert RecoveryCode.objects.filter(user=user).count() == 10


def test_beginning_again_while_confirmed_is_refused() -> None:
    user, _totp, _codes = enrolled()
    sealed_before = bytes(TotpDevice.objects.get(user=user).secret_sealed)
    with pytest.raises(DomainError) as exc:
        totp_begin(user=user)
    assert exc.value.error is PeopleError.TOTP_ALREADY
    assert bytes(TotpDevice.objects.get(user=user).secret_sealed) == sealed_before


def test_beginning_again_goes_on_with_the_secret_under_way() -> None:
    """A reload of the enrolment page must not break the QR code the phone already scanned (issue 15.8)."""
    user = make_user()
    first, uri = totp_begin(user=user)
    assert totp_begin(user=user) == (first, uri)
    TotpDevice.objects.filter(user=user).update(created_at=timezone.now() - PENDING_FOR - timedelta(seconds=1))
    assert totp_begin(user=user)[0] != first  # an enrolment left for half an hour starts afresh
    assert TotpDevice.objects.filter(user=user).count() == 1


def test_the_enrolment_page_keeps_its_secret_across_reloads_until_a_new_one_is_asked(client: Client) -> None:
    user = make_user()
    signed_in(client, user)
    secret = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
    pages = [client.get(reverse("people:totp_enrol")) for _ in range(2)]
    assert all(page.status_code == 200 for page in pages)
    first, again = (secret.search(page.content.decode()).group(1) for page in pages)  # type: ignore[union-attr]
    assert first == again
    other = secret.search(client.get(reverse("people:totp_enrol"), {"new": "1"}).content.decode())
    assert other is not None
    assert other.group(1) != first


def test_beginning_afresh_before_confirming_replaces_the_unconfirmed_secret() -> None:
    user = make_user()
    first, _uri = totp_begin(user=user)
    second, _uri = totp_begin(user=user, fresh=True)
    assert first != second
    assert TotpDevice.objects.filter(user=user).count() == 1
    with pytest.raises(DomainError):
        totp_confirm(user=user, code=pyotp.TOTP(first).at(later(2)))
    totp_confirm(user=user, code=pyotp.TOTP(second).now())
    assert has_totp(user)


def test_removal_is_audited_once_and_leaves_no_device() -> None:
    user, totp, _codes = enrolled()
    totp_remove(user=user)
    totp_remove(user=user)
    assert not has_totp(user)
    assert not totp_verify(user=user, code=totp.at(later()), now=later())
    assert actions(user).count(PeopleAction.TOTP_REMOVED) == 1


# --- verification: once, within one step of drift -----------------------------------------------------


def test_a_code_is_accepted_once_even_later_in_the_same_step() -> None:
    user, totp, _codes = enrolled()
    now = later().replace(second=0, microsecond=0)
    code = totp.at(now)
    assert totp_verify(user=user, code=code, now=now)
    assert not totp_verify(user=user, code=code, now=now)
    assert not totp_verify(user=user, code=code, now=now + timedelta(seconds=29))
    # The next step's code still works; going back to an older one does not.
    assert totp_verify(user=user, code=totp.at(now + STEP), now=now + STEP)
    assert not totp_verify(user=user, code=totp.at(now), now=now + STEP)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_codes_one_step_either_side_are_accepted(offset: int) -> None:
    user, totp, _codes = enrolled()
    now = later()
    assert totp_verify(user=user, code=totp.at(now + offset * STEP), now=now)


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_two_or_more_steps_away_are_refused(offset: int) -> None:
    user, totp, _codes = enrolled()
    now = later()
    # A far code may by chance equal one inside the window (1 in 10^6): pick a moment where it does not.
    while totp.at(now + offset * STEP) in {totp.at(now + k * STEP) for k in (-1, 0, 1)}:
        now += STEP
    assert not totp_verify(user=user, code=totp.at(now + offset * STEP), now=now)
    assert totp_verify(user=user, code=totp.at(now), now=now)  # the refusal consumed nothing


def test_an_unconfirmed_device_verifies_nothing() -> None:
    user = make_user()
    secret, _uri = totp_begin(user=user)
    assert not totp_verify(user=user, code=pyotp.TOTP(secret).now())


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: "",
        lambda c: "      ",
        lambda c: c[:5],
        lambda c: c + "0",
        lambda c: "0" + c,
        lambda c: c * 170,
        lambda c: c.translate(FULLWIDTH),
        lambda c: c.translate(ARABIC_INDIC),
        lambda c: f"\x00{c}",
        lambda c: f"{c[:3]}-{c[3:]}",
        lambda c: f"{c}\u200b",
        lambda c: "abcdef",
        lambda c: "' OR 1=1 --",
        lambda c: "<script>alert(1)</script>",
    ],
    ids=[
        "empty",
        "blank",
        "short",
        "long",
        "leading",
        "1kb",
        "fullwidth",
        "arabic",
        "nul",
        "dash",
        "zwsp",
        "letters",
        "sql",
        "html",
    ],
)
def test_malformed_codes_are_refused_and_consume_nothing(mangle: object) -> None:
    user, totp, _codes = enrolled()
    now = later()
    code = totp.at(now)
    assert callable(mangle)
    assert not totp_verify(user=user, code=mangle(code), now=now)
    assert totp_verify(user=user, code=code, now=now)


def test_spaces_around_and_inside_a_code_are_ignored() -> None:
    user, totp, _codes = enrolled()
    now = later()
    code = totp.at(now)
    assert totp_verify(user=user, code=f" {code[:3]} {code[3:]}\n", now=now)


def test_random_six_digit_strings_are_refused() -> None:
    user, totp, _codes = enrolled()
    now = later()
    valid = {totp.at(now + k * STEP) for k in (-1, 0, 1)}

    @hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(code=st.from_regex(r"[0-9]{6}", fullmatch=True))
    def check(code: str) -> None:
        assume(code not in valid)
        assert not totp_verify(user=user, code=code, now=now)

    check()
    assert totp_verify(user=user, code=totp.at(now), now=now)


def test_arbitrary_text_is_refused() -> None:
    user, totp, _codes = enrolled()
    now = later()
    valid = {totp.at(now + k * STEP) for k in (-1, 0, 1)}

    @hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(code=st.text(max_size=64))
    def check(code: str) -> None:
        assume("".join(code.split()) not in valid)
        assert not totp_verify(user=user, code=code, now=now)
        assert not recovery_code_use(user=user, code=code)

    check()
    assert recovery_codes_left(user) == 10


# --- recovery codes -----------------------------------------------------------------------------------


def test_a_recovery_code_works_once_whatever_the_case_and_dash() -> None:
    user, _totp, codes = enrolled()
    first, second = codes[0], codes[1]
    assert recovery_code_use(user=user, code=first.upper().replace("-", ""))
    assert not recovery_code_use(user=user, code=first)
    assert not recovery_code_use(user=user, code=first.upper())
    assert recovery_code_use(user=user, code=f"  {second[:5].upper()} {second[6:]}  ")
    assert recovery_codes_left(user) == 8
    used = AuditEvent.objects.filter(action=PeopleAction.RECOVERY_CODE_USED).order_by("pk")
    assert [e.after for e in used] == [{"left": 9}, {"left": 8}]


@pytest.mark.parametrize("bad", ["", "x" * 41, "x" * 1024, "-----", "\x00", "abcde-fghjk-extra"])
def test_malformed_recovery_codes_are_refused(bad: str) -> None:
    user, _totp, _codes = enrolled()
    events = AuditEvent.objects.count()
    assert not recovery_code_use(user=user, code=bad)
    assert recovery_codes_left(user) == 10
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "mangle",
    [lambda c: c + "-x", lambda c: c + "x" * 20, lambda c: "-" + c + "q", lambda c: c[:-1], lambda c: c[1:]],
    ids=["dash-suffix", "long-suffix", "wrapped", "short", "headless"],
)
def test_a_recovery_code_with_characters_added_or_missing_is_refused(mangle: object) -> None:
    user, _totp, codes = enrolled()
    assert callable(mangle)
    assert not recovery_code_use(user=user, code=mangle(codes[0]))
    assert recovery_codes_left(user) == 10
    assert recovery_code_use(user=user, code=codes[0])


def test_a_recovery_code_belongs_to_its_owner_only() -> None:
    _owner, _totp, codes = enrolled()
    other, _totp2, _codes2 = enrolled(make_user("Trần Thị Bình"))
    assert not recovery_code_use(user=other, code=codes[0])
    assert recovery_codes_left(other) == 10


def test_regenerating_invalidates_every_old_code() -> None:
    user, _totp, old = enrolled()
    assert recovery_code_use(user=user, code=old[0])
    new = recovery_codes_regenerate(user=user)
    assert len(set(new)) == 10
    assert not set(new) & set(old)
    assert recovery_codes_left(user) == 10
    assert not any(recovery_code_use(user=user, code=code) for code in old[1:])
    assert recovery_code_use(user=user, code=new[0])
    assert actions(user).count(PeopleAction.RECOVERY_CODES_GENERATED) == 2


def test_new_recovery_codes_come_with_a_file_to_keep(client: Client) -> None:
    """Shown once and stored only as digests: the page itself carries the text file (issue 15.8)."""
    from urllib.parse import unquote

    user, _totp, _codes = enrolled()
    signed_in(client, user)
    page = client.post(reverse("people:recovery_regenerate"))
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(
        r'data-testid="recovery-download" download="[^"]+" href="data:text/plain;charset=utf-8,([^"]+)"', html
    )
    assert link is not None
    text = unquote(link.group(1))
    shown = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(shown) == 10
    assert all(code in text.splitlines() for code in shown)
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
