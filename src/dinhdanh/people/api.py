"""Personal-account API used by the web pages and by tests: who am I, sign-in, second factor,
step-up, sign-out. Cookie sessions are the credential, so every POST passes the CSRF check."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from ninja import Router, Schema, Status
from pydantic import Field

from dinhdanh.core.access import roles_of
from dinhdanh.http.security import enforce_csrf, signed_in_user
from dinhdanh.http.zones import Zone
from dinhdanh.people import authflow, guard, signin, throttle
from dinhdanh.people.models import SignInMethod, User
from dinhdanh.people.views.auth import step_up_with_code

ZONE = Zone.BOTH  # everyone signs in, officers on the inner zone, citizens on the outer
router = Router(tags=["people"])


class CsrfOut(Schema):
    csrf_token: str


class SignInIn(Schema):
    personal_id: str = Field(max_length=64)
    password: str = Field(max_length=256)


class CodeIn(Schema):
    code: str = Field(max_length=40)


class SignInOut(Schema):
    status: str  # "signed_in" | "second_factor_required"
    factors: list[str] = []
    enrol_required: bool = False


class StepUpOut(Schema):
    status: str
    valid_seconds: int


class MeOut(Schema):
    full_name: str
    personal_id_masked: str
    level: int
    is_foreigner: bool
    date_of_birth: date | None
    phone_confirmed: bool
    locked: bool
    roles: list[str]
    second_factors: list[str]
    stepped_up: bool
    preferred_language: str


@router.get("/auth/csrf", response=CsrfOut, url_name="auth_csrf")
def csrf(request: HttpRequest) -> CsrfOut:
    """The token to send back in the ``X-CSRFToken`` header (the cookie is set too)."""
    return CsrfOut(csrf_token=get_token(request))


def _signed_in(
    request: HttpRequest, user: User, method: SignInMethod, ticket: throttle.Ticket | None = None
) -> SignInOut:
    authflow.establish(request, user, method, ticket=ticket)
    return SignInOut(status="signed_in", enrol_required=bool(request.session.get(authflow.ENROL_REQUIRED)))


@router.post("/auth/signin", response=SignInOut, url_name="auth_signin")
def signin_password(request: HttpRequest, body: SignInIn) -> SignInOut:
    enforce_csrf(request)
    outcome = signin.password_check(
        login=body.personal_id, password=body.password, client=authflow.client_of(request), complete_at_once=True
    )
    if isinstance(outcome, signin.Guarded):  # the same answer whether the password was right
        guard.begin(request, outcome)
        return SignInOut(status="second_factor_required", factors=list(outcome.factors))
    guard.clear(request)
    if outcome.needs_second_factor:
        authflow.begin_pending(request, outcome.user)
        return SignInOut(status="second_factor_required", factors=list(outcome.factors))
    return _signed_in(request, outcome.user, SignInMethod.PASSWORD, outcome.ticket)


@router.post("/auth/second-factor", response=SignInOut, url_name="auth_second_factor")
def signin_second_factor(request: HttpRequest, body: CodeIn) -> SignInOut:
    enforce_csrf(request)
    guarded = guard.pending(request)
    if guarded is not None:
        user, method = guard.second_factor(request, guarded, body.code)
    else:
        user = authflow.pending_user(request)
        method = signin.second_factor_check(user=user, code=body.code, client=authflow.client_of(request))
    return _signed_in(request, user, method)


@router.post("/auth/step-up", response=StepUpOut, url_name="auth_step_up")
def step_up(request: HttpRequest, body: CodeIn) -> StepUpOut:
    enforce_csrf(request)
    step_up_with_code(request, signed_in_user(request), body.code)
    return StepUpOut(status="stepped_up", valid_seconds=int(settings.STEP_UP_SECONDS))


@router.post("/auth/signout", response={204: None}, url_name="auth_signout")
def signout(request: HttpRequest) -> Status[None]:
    enforce_csrf(request)
    signed_in_user(request)
    authflow.end(request)
    return Status(204, None)


@router.get("/me", response=MeOut, url_name="me")
def me(request: HttpRequest) -> MeOut:
    user = signed_in_user(request)
    return MeOut(
        full_name=user.full_name,
        personal_id_masked=user.personal_id_masked,
        level=int(user.level),
        is_foreigner=user.is_foreigner,
        date_of_birth=user.date_of_birth,
        phone_confirmed=user.phone_confirmed_at is not None,
        locked=user.is_locked,
        roles=sorted(str(r) for r in roles_of(user)),
        second_factors=list(signin.second_factors(user)),
        stepped_up=authflow.is_stepped_up(request),
        preferred_language=user.preferred_language,
    )
