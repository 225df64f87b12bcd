"""Passkey ceremonies over JSON for ``passkey.js``, mounted at /api/v1/passkeys/.

Each ceremony is two POSTs: ``…/options`` issues a challenge (kept in the session, or for a passwordless
sign-in handed to the browser in a signed cookie: ``people.challenges``), ``…/verify`` checks the
browser's answer. Cookie sessions are the credential, so every endpoint checks CSRF first.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from ninja import Field, Router, Schema

from dinhdanh.core import audit
from dinhdanh.core.errors import DomainError
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.people import assurance, authflow, challenges, passkey_signin, passkeys, signin
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import SignInMethod, User

ZONE = Zone.BOTH  # one's own passkeys, in whichever zone one signs in
router = Router(tags=["passkeys"])


class OptionsOut(Schema):
    public_key: dict[str, Any] = Field(alias="publicKey")


class AssertionIn(Schema):
    credential: dict[str, Any]
    next: str = Field("", max_length=500)


class AttestationIn(Schema):
    credential: dict[str, Any]
    name: str = Field("", max_length=200)


class DoneOut(Schema):
    status: str
    next: str


class RegisteredOut(DoneOut):
    id: int


def _options(public_key: dict[str, Any]) -> OptionsOut:
    return OptionsOut(publicKey=public_key)


def _next(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- passwordless sign-in -------------------------------------------------------------------------------


@router.post(
    "/signin/options",
    response=OptionsOut,
    by_alias=True,
    url_name="passkey_signin_options",
    summary="Passkey sign-in: challenge",
)
def signin_options(request: HttpRequest, response: HttpResponse) -> OptionsOut:
    """The challenge goes back in a signed cookie for the verify endpoint too (``people.challenges``):
    nothing is stored, no session is made for a visitor who has not signed in."""
    enforce_csrf(request)
    options, challenge = passkeys.signin_options(request=request)
    challenges.hand_over(response, challenge)
    return _options(options)


@router.post(
    "/signin/verify", response=DoneOut, url_name="passkey_signin_verify", summary="Passkey sign-in: verify"
)
def signin_verify(request: HttpRequest, response: HttpResponse, body: AssertionIn) -> DoneOut:
    enforce_csrf(request)
    challenge = challenges.taken_from_cookie(request)
    passkey_signin.passwordless_signin(request=request, challenge=challenge, credential=body.credential)
    challenges.forget(response)
    return DoneOut(status="signed_in", next=_next(request, body.next, "/"))


def _verify_own(request: HttpRequest, user: User, purpose: str, credential: dict[str, Any]) -> None:
    """A known person proves their passkey again; a failure counts against the account too."""
    signin.refuse_if_throttled(account=user.login_digest, client=authflow.client_of(request), user=user)
    try:
        passkeys.authentication_verify(request=request, purpose=purpose, credential=credential, user=user)
    except DomainError as exc:
        if exc.error is PeopleError.PASSKEY_INVALID:
            passkey_signin.count_passkey_failure(request, user, per_account=True)
        raise


# --- second factor after the password -------------------------------------------------------------------


@router.post(
    "/second-factor/options",
    response=OptionsOut,
    by_alias=True,
    url_name="passkey_second_factor_options",
    summary="Passkey as second factor: challenge",
)
def second_factor_options(request: HttpRequest) -> OptionsOut:
    enforce_csrf(request)
    user = authflow.pending_user(request)
    return _options(passkeys.authentication_options(request=request, purpose=passkeys.SECOND_FACTOR, user=user))


@router.post(
    "/second-factor/verify",
    response=DoneOut,
    url_name="passkey_second_factor_verify",
    summary="Passkey as second factor: verify",
)
def second_factor_verify(request: HttpRequest, body: AssertionIn) -> DoneOut:
    enforce_csrf(request)
    user = authflow.pending_user(request)
    _verify_own(request, user, passkeys.SECOND_FACTOR, body.credential)
    authflow.establish(request, user, SignInMethod.PASSWORD_PASSKEY)
    return DoneOut(status="signed_in", next=_next(request, body.next, "/"))


# --- step-up before a sensitive action ------------------------------------------------------------------


@router.post(
    "/step-up/options",
    response=OptionsOut,
    by_alias=True,
    url_name="passkey_step_up_options",
    summary="Step-up with a passkey: challenge",
)
def step_up_options(request: HttpRequest) -> OptionsOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    return _options(passkeys.authentication_options(request=request, purpose=passkeys.STEP_UP, user=user))


@router.post(
    "/step-up/verify",
    response=DoneOut,
    url_name="passkey_step_up_verify",
    summary="Step-up with a passkey: verify",
)
def step_up_verify(request: HttpRequest, body: AssertionIn) -> DoneOut:
    enforce_csrf(request)
    user = signed_in_user(request)
    method = {"method": str(SignInMethod.PASSKEY)}
    try:
        _verify_own(request, user, passkeys.STEP_UP, body.credential)
    except DomainError as exc:
        if exc.error is PeopleError.PASSKEY_INVALID:
            audit.record(PeopleAction.STEP_UP_FAILED, actor=user, obj=user, after=method)
        raise
    authflow.mark_stepped_up(request)
    audit.record(PeopleAction.STEP_UP_SUCCEEDED, actor=user, obj=user, after=method)
    return DoneOut(status="stepped_up", next=_next(request, body.next, reverse("people:security")))


# --- adding a passkey -----------------------------------------------------------------------------------


def _may_enrol(request: HttpRequest) -> User:
    user = signed_in_user(request)
    # The first factor may be added right after a password sign-in; another one is a sensitive change.
    if signin.second_factors(user):
        assurance.require_fresh_factor()
    return user


@router.post(
    "/register/options",
    response=OptionsOut,
    by_alias=True,
    url_name="passkey_register_options",
    summary="Add a passkey: challenge",
)
def register_options(request: HttpRequest) -> OptionsOut:
    enforce_csrf(request)
    user = _may_enrol(request)
    return _options(passkeys.registration_options(request=request, user=user))


@router.post(
    "/register/verify", response=RegisteredOut, url_name="passkey_register_verify", summary="Add a passkey: verify"
)
def register_verify(request: HttpRequest, body: AttestationIn) -> RegisteredOut:
    enforce_csrf(request)
    user = _may_enrol(request)
    passkey = passkeys.registration_verify(request=request, user=user, credential=body.credential, name=body.name)
    # Creating it took user verification on the new authenticator, as a step-up would; this also
    # clears an officer's obligation to enrol a second factor, as enrolling TOTP does.
    authflow.mark_stepped_up(request)
    return RegisteredOut(status="registered", id=passkey.pk, next=reverse("people:security"))
