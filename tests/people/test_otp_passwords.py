"""One-time codes (a state machine: issued, tried, used, expired, withdrawn) and password rules
(bundled lists, the holder's own data, argon2id parameters and rehashing)."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.translation import override as language
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dinhdanh.core.errors import DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.models import Message
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import OneTimeCode, User
from dinhdanh.people.otp import otp_check, otp_issue
from dinhdanh.people.passwords import BUNDLED_LIST, BundledListValidator, check_password_strength, facts_of
from dinhdanh.people.signin import Client as SignInClient
from dinhdanh.people.signin import password_check
from tests.conftest import PASSWORD, make_user
from tests.people.support import latest_code, wrong_code

pytestmark = pytest.mark.django_db

PURPOSE = "test"
FUZZ = hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_subjects = itertools.count(1)


def fresh_subject() -> str:
    # The database is not rolled back between Hypothesis examples: each example gets its own subject.
    return f"subject:{next(_subjects)}"


def refused(code: str, subject: str, guess: str) -> str:
    with pytest.raises(DomainError) as exc:
        otp_check(purpose=PURPOSE, subject=subject, code=guess)
    return exc.value.code


# --- one-time codes ------------------------------------------------------------------------------


@FUZZ
@given(guess=st.one_of(st.text(max_size=40), st.from_regex(r"[0-9]{6}", fullmatch=True)), data=st.data())
def test_any_code_but_the_issued_one_is_refused(guess: str, data: st.DataObject) -> None:
    subject = fresh_subject()
    code = otp_issue(purpose=PURPOSE, subject=subject)
    near = data.draw(st.integers(0, 5)), data.draw(st.sampled_from("0123456789"))
    near_miss = code[: near[0]] + near[1] + code[near[0] + 1 :]
    for attempt in (guess, near_miss):
        assume("".join(ch for ch in attempt if not ch.isspace()) != code)
        assert refused(code, subject, attempt) == "people.otp_invalid"
    otp_check(purpose=PURPOSE, subject=subject, code=f" {code[:3]} {code[3:]} ")  # spaces are forgiven
    assert refused(code, subject, code) == "people.otp_expired"  # single use


class CodeMachine(RuleBasedStateMachine):
    """The model: the newest code, its tries, whether it is used or expired, and sends this hour."""

    def __init__(self) -> None:
        super().__init__()
        self.subject = fresh_subject()
        self.code: str | None = None
        self.old: list[str] = []
        self.tries = 0
        self.used = False
        self.expired = False
        self.sends = 0
        self.waited = False  # the newest send is past the resend wait

    def usable(self) -> bool:
        return self.code is not None and not self.used and not self.expired and self.tries < 5

    @rule()
    def issue(self) -> None:
        # Drive the clock: every earlier code was sent just past the resend wait, within the hour.
        OneTimeCode.objects.filter(subject=self.subject).update(
            created_at=timezone.now() - timedelta(seconds=django_settings.OTP_RESEND_SECONDS + 1)
        )
        if self.sends >= django_settings.OTP_MAX_PER_HOUR:
            with pytest.raises(DomainError) as exc:
                otp_issue(purpose=PURPOSE, subject=self.subject)
            assert exc.value.code == "people.otp_too_many"
            self.waited = True
            return
        if self.code is not None:
            self.old.append(self.code)
        self.code = otp_issue(purpose=PURPOSE, subject=self.subject)
        self.sends += 1
        self.tries, self.used, self.expired, self.waited = 0, False, False, False

    @rule()
    def resend_at_once(self) -> None:
        if self.code is None:
            return
        with pytest.raises(DomainError) as exc:
            otp_issue(purpose=PURPOSE, subject=self.subject)
        assert exc.value.code == ("people.otp_too_many" if self.waited else "people.otp_too_soon")

    @rule()
    def try_right(self) -> None:
        if self.code is None:
            assert refused("", self.subject, "000000") == "people.otp_expired"
        elif self.usable():
            otp_check(purpose=PURPOSE, subject=self.subject, code=self.code)
            self.used = True
        else:
            assert refused(self.code, self.subject, self.code) == "people.otp_expired"

    @rule()
    def check_right_without_using_it(self) -> None:
        if self.code is not None and self.usable():
            otp_check(purpose=PURPOSE, subject=self.subject, code=self.code, consume=False)  # no try spent
        elif self.code is not None:
            with pytest.raises(DomainError):
                otp_check(purpose=PURPOSE, subject=self.subject, code=self.code, consume=False)

    @rule(offset=st.integers(1, 999_999))
    def try_wrong(self, offset: int) -> None:
        if self.code is None:
            return
        guess = f"{(int(self.code) + offset) % 1_000_000:06d}"
        expected = "people.otp_invalid" if self.usable() else "people.otp_expired"
        assert refused(self.code, self.subject, guess) == expected
        if expected == "people.otp_invalid":
            self.tries += 1

    @rule()
    def try_a_withdrawn_code(self) -> None:
        if self.old and self.code is not None and self.old[-1] != self.code:
            expected = "people.otp_invalid" if self.usable() else "people.otp_expired"
            assert refused(self.code, self.subject, self.old[-1]) == expected
            self.tries += expected == "people.otp_invalid"

    @rule()
    def let_it_expire(self) -> None:
        OneTimeCode.objects.filter(subject=self.subject).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.expired = self.code is not None

    @invariant()
    def tries_are_stored(self) -> None:
        live = OneTimeCode.objects.filter(subject=self.subject, consumed_at__isnull=True)
        assert live.count() <= 1
        if self.code is not None and not self.used:
            assert live.get().attempts == self.tries


def test_one_time_codes_behave_like_the_model() -> None:
    run_state_machine_as_test(
        CodeMachine,
        settings=hsettings(max_examples=40, stateful_step_count=25, deadline=None),
    )


def test_checking_first_and_consuming_after_works_on_the_last_try(settings: Any) -> None:
    code = otp_issue(purpose=PURPOSE, subject="subject:last")
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        with pytest.raises(DomainError):
            otp_check(purpose=PURPOSE, subject="subject:last", code=wrong_code(code))
    otp_check(purpose=PURPOSE, subject="subject:last", code=code, consume=False)
    otp_check(purpose=PURPOSE, subject="subject:last", code=code)
    assert OneTimeCode.objects.get().consumed_at is not None


def test_codes_are_stored_only_as_digests() -> None:
    code = otp_issue(purpose=PURPOSE, subject="subject:stored")
    row = OneTimeCode.objects.get()
    assert code not in row.digest
    assert len(row.digest) == 64
    assert (row.expires_at - row.created_at).total_seconds() == pytest.approx(
        django_settings.OTP_TTL_SECONDS, abs=1
    )


def test_codes_for_another_subject_or_purpose_do_not_work() -> None:
    code = otp_issue(purpose=PURPOSE, subject="subject:a")
    with pytest.raises(DomainError):
        otp_check(purpose=PURPOSE, subject="subject:b", code=code)
    with pytest.raises(DomainError):
        otp_check(purpose="other", subject="subject:a", code=code)
    otp_check(purpose=PURPOSE, subject="subject:a", code=code)


# --- passwords: lists ----------------------------------------------------------------------------


def bundled_words() -> list[str]:
    lines = BUNDLED_LIST.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def django_words(count: int = 200) -> list[str]:
    with gzip.open(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH, "rt", encoding="utf-8") as fh:
        return [line.strip() for line in itertools.islice(fh, count)]


def test_the_bundled_list_is_not_empty() -> None:
    words = bundled_words()
    assert len(words) >= 50
    assert "matkhau123456" in words


@pytest.mark.parametrize("word", [*bundled_words(), *django_words()[:50]])
def test_every_listed_password_is_refused_in_any_case(word: str) -> None:
    validator = BundledListValidator()
    for variant in (word, word.upper(), f"  {word.title()} "):
        with pytest.raises(ValidationError):
            validator.validate(variant)


def test_the_whole_django_list_is_still_there() -> None:
    validator = BundledListValidator()
    assert all(w in validator.passwords for w in django_words(20_000))


@pytest.mark.parametrize("password", ["matkhau123456", "anhyeuem1234", "qwertyuiop", "1234567890"])
def test_common_passwords_are_refused_with_a_reason_in_each_language(password: str) -> None:
    for lang, words in (("vi", "phổ biến"), ("en", "common")):
        with language(lang), pytest.raises(DomainError) as exc:
            check_password_strength(password)
        assert exc.value.code == "people.password_rejected"
        assert words in exc.value.message()


def test_a_strong_password_passes() -> None:
    check_password_strength("Sao-Khue-Bay-Cao-2025!", facts=facts_of(personal_id="079085001234"))


def test_an_overlong_password_is_refused_before_anything_costly() -> None:
    with pytest.raises(DomainError) as exc:
        check_password_strength("Ab1-" * 100)
    assert "256" in exc.value.message()


# --- passwords: the holder's own data ------------------------------------------------------------


@FUZZ
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2019, 12, 31)),
    fmt=st.sampled_from(["%d%m%Y", "%Y%m%d", "%d%m%y"]),
    prefix=st.text(alphabet="abcXYZ-!@", min_size=6, max_size=12),
)
def test_a_password_made_of_the_birth_date_is_refused(born: date, fmt: str, prefix: str) -> None:
    password = prefix + born.strftime(fmt)
    with pytest.raises(DomainError) as exc:
        check_password_strength(password, facts=facts_of(date_of_birth=born))
    assert "ngày sinh" in exc.value.message("vi")


@FUZZ
@given(digits=st.from_regex(r"0[35789][0-9]{8}", fullmatch=True), sep=st.sampled_from(["", " ", ".", "-"]))
def test_a_password_holding_the_phone_number_is_refused_whatever_the_separators(digits: str, sep: str) -> None:
    password = "Goi-cho-toi:" + sep.join([digits[:4], digits[4:7], digits[7:]])
    with pytest.raises(DomainError):
        check_password_strength(password, facts=facts_of(phone=digits))


def test_short_facts_are_ignored() -> None:
    assert facts_of(personal_id="", phone="12", date_of_birth=None) == []


# --- argon2id ------------------------------------------------------------------------------------


def argon2_params(encoded: str) -> dict[str, str]:
    algorithm, _version, params, *_rest = encoded.split("$")[1:]
    assert algorithm == "argon2id"
    return dict(p.split("=") for p in params.split(","))


def rehash_settings(time_cost: int) -> Any:
    # Django drops its cached hashers only when PASSWORD_HASHERS itself changes, so it is set again.
    return override_settings(ARGON2_TIME_COST=time_cost, PASSWORD_HASHERS=list(django_settings.PASSWORD_HASHERS))


def test_passwords_are_hashed_with_argon2id_from_settings() -> None:
    user = make_user()
    params = argon2_params(user.password)
    assert params == {
        "m": str(django_settings.ARGON2_MEMORY_COST_KIB),
        "t": str(django_settings.ARGON2_TIME_COST),
        "p": str(django_settings.ARGON2_PARALLELISM),
    }


def test_signing_in_rehashes_when_the_parameters_change() -> None:
    user = make_user(personal_id="079085004321")
    assert argon2_params(user.password)["t"] == "1"
    with rehash_settings(2):
        password_check(login="079085004321", password=PASSWORD, client=SignInClient())
    user.refresh_from_db()
    assert argon2_params(user.password)["t"] == "2"
    assert user.check_password(PASSWORD)


def test_a_wrong_password_does_not_rehash() -> None:
    user = make_user(personal_id="079085004321")
    before = user.password
    with rehash_settings(2), pytest.raises(DomainError):
        password_check(login="079085004321", password="sai-" + PASSWORD, client=SignInClient())
    user.refresh_from_db()
    assert user.password == before


def test_the_sign_in_page_rehashes_too(client: Client) -> None:
    make_user(personal_id="079085004321")
    with rehash_settings(2):
        assert client.post("/signin/", {"username": "079085004321", "password": PASSWORD}).status_code == 302
    assert argon2_params(User.objects.get().password)["t"] == "2"


# --- password reset by phone ---------------------------------------------------------------------

RESET = "/password/reset/"
HOLDER = "079085004321"
NEW_PASSWORD = "Mua-Xuan-Tren-Song-2026"


@pytest.fixture
def holder() -> User:
    user = make_user("Phan Thị Hạnh", personal_id=HOLDER)
    user.phone, user.phone_confirmed_at, user.date_of_birth = "0912000222", timezone.now(), date(1985, 7, 9)
    user.save(update_fields=["phone", "phone_confirmed_at", "date_of_birth"])
    return user


def test_a_password_is_reset_with_the_code_texted_to_the_confirmed_phone(
    client: Client, outbox: Path, holder: User
) -> None:
    start = client.post(RESET, {"personal_id": HOLDER, "phone": "+84 912 000 222"}, follow=True)
    assert "mã OTP đã được gửi" in start.content.decode()
    code = latest_code(outbox)
    response = client.post(RESET, {"code": code, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response["Location"] == "/signin/"
    holder.refresh_from_db()
    assert holder.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=PeopleAction.PASSWORD_RESET)
    assert code not in json.dumps([event.before, event.after])
    assert client.post("/signin/", {"username": HOLDER, "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("personal_id", "phone"),
    [(HOLDER, "0987654321"), ("001203012389", "0912000222"), ("9" * 10_000, "0912000222"), ("abc", "x" * 20)],
)
def test_an_unmatched_pair_gets_the_same_answer_and_no_text(
    client: Client, outbox: Path, holder: User, personal_id: str, phone: str
) -> None:
    response = client.post(RESET, {"personal_id": personal_id, "phone": phone}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    if len(personal_id) <= 20:  # the form accepts it: the one answer for every pair
        assert "Nếu thông tin khớp với một tài khoản, mã OTP đã được gửi" in page
    else:
        assert "data-error-summary" in page
    assert not Message.objects.exists()
    assert not OneTimeCode.objects.exists()


def test_a_wrong_reset_code_uses_a_try_and_changes_nothing(client: Client, outbox: Path, holder: User) -> None:
    client.post(RESET, {"personal_id": HOLDER, "phone": "0912000222"})
    code = latest_code(outbox)
    response = client.post(RESET, {"code": wrong_code(code), "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "Mã OTP không đúng." in response.content.decode()
    assert OneTimeCode.objects.get().attempts == 1
    holder.refresh_from_db()
    assert holder.check_password(PASSWORD)


def test_a_refused_new_password_does_not_cost_the_right_code_a_try(
    client: Client, outbox: Path, holder: User, settings: Any
) -> None:
    client.post(RESET, {"personal_id": HOLDER, "phone": "0912000222"})
    code = latest_code(outbox)
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        client.post(RESET, {"code": wrong_code(code), "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    weak = client.post(RESET, {"code": code, "new": "Sinh-09071985-x", "confirm": "Sinh-09071985-x"})
    assert "ngày sinh của bạn" in weak.content.decode()
    response = client.post(RESET, {"code": code, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response["Location"] == "/signin/"
    holder.refresh_from_db()
    assert holder.check_password(NEW_PASSWORD)


def test_the_finish_step_reveals_nothing_before_the_code(client: Client, outbox: Path, holder: User) -> None:
    guess = "Sinh-09071985-x"  # the holder's birth date, guessed
    answers = []
    for number in (HOLDER, "001203012389"):
        client.post(RESET, {"action": "restart"})
        client.post(RESET, {"personal_id": number, "phone": "0987654321"})  # a phone the attacker does not own
        page = client.post(RESET, {"code": "123456", "new": guess, "confirm": guess}).content.decode()
        answers.append(re.findall(r'role="alert">(.*?)</', page, re.S))
    assert answers[0] == answers[1]
