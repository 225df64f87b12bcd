"""Several refused fields come back together (issue 11.7): the service lists them all, the API answers
one problem+json with every field, the page shows each beside its input, the CLI prints each."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dinhdanh.applications.errors import ApplicationError
from dinhdanh.applications.models import Application, Kind
from dinhdanh.applications.validation import validate
from dinhdanh.core.errors import DomainError, FieldErrors
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.categories import Category
from tests.applications.support import person, raw_data
from tests.applications.test_api import BASE, client_for, new_body
from tests.people.support import post_json, problem
from tests.web.support import html

from .web.support import form_data, ticketed

pytestmark = pytest.mark.django_db
PHONE = ApplicationError.PHONE_INVALID.code
PID = "091085001122"

# One way to break each field, and the field the refusal names.
BREAKS: dict[str, tuple[str, Any]] = {
    "name": ("name", "   "),
    "code": ("code", "0100109107"),  # wrong checksum
    "head_office": ("head_office_code", "99999"),
    "phone": ("phone", "12"),
    "email": ("email", "not-an-email"),
    "established_on": ("established_on", "31/02/2020"),
    "representative_name": ("representative_name", ""),
    "representative_id": ("representative_id", "12345"),
}


def refusal(data: dict[str, Any], kind: Kind = Kind.NEW) -> DomainError:
    with pytest.raises(DomainError) as caught:
        validate(data, kind=kind, category=Category.ENTERPRISE)
    return caught.value


def broken(*fields: str) -> dict[str, Any]:
    return raw_data(PID, **dict(BREAKS[f] for f in fields))


def test_three_bad_fields_are_refused_together() -> None:
    exc = refusal(broken("name", "code", "phone"))
    assert isinstance(exc, FieldErrors)
    assert [e.field for e in exc.each()] == ["name", "code", "phone"]
    assert exc.code == "core.fields_invalid"
    assert exc.status == 400
    assert exc.message("en").startswith("3 fields are not valid: name, code, phone.")


def test_one_bad_field_is_still_its_own_refusal() -> None:
    exc = refusal(broken("code"))
    assert not isinstance(exc, FieldErrors)
    assert exc.code == "codes.tax_checksum"
    assert exc.each() == (exc,)


def test_a_refused_code_does_not_also_ask_for_the_founding_document() -> None:
    exc = refusal(raw_data(PID, code="0100109107", phone="12"))
    assert {e.field for e in exc.each()} == {"code", "phone"}


def test_organization_and_representative_fields_are_listed_together() -> None:
    exc = refusal(broken("email", "representative_id", "representative_name"))
    assert {e.field for e in exc.each()} == {"email", "representative_id", "representative_name"}


def test_an_update_and_a_lock_list_every_field_too() -> None:
    update = refusal({"phone": "12", "email": "x@"}, Kind.UPDATE)
    assert {e.field for e in update.each()} == {"phone", "email"}
    lock = refusal({"reason": "", "authority": "a\x00b"}, Kind.LOCK)
    assert {e.field for e in lock.each()} == {"reason", "authority"}


def test_an_unknown_key_still_stops_at_once() -> None:
    exc = refusal({**broken("name", "code"), "salary": "1"})
    assert exc.code == "applications.unknown_fields"


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(sorted(BREAKS)), min_size=1))
def test_exactly_the_broken_fields_are_named(fields: set[str]) -> None:
    exc = refusal(broken(*fields))
    assert {e.field for e in exc.each()} == set(fields)
    assert isinstance(exc, FieldErrors) == (len(fields) > 1)


def test_the_cli_line_names_every_field_in_both_languages() -> None:
    exc = refusal(broken("phone", "email"))
    line = exc.bilingual()
    assert line == "; ".join(part.bilingual() for part in exc.each())
    assert exc.each()[0].message("vi") in line
    assert exc.each()[1].message("en") in line


def test_the_api_answers_one_problem_with_every_field_and_writes_nothing() -> None:
    applicant, pid = person()
    client, token = client_for(applicant)
    audited = AuditEvent.objects.count()
    body = new_body(pid, applicant.full_name, code="0100109107", phone="12", email="x@")
    body["data"]["name"] = " "
    answer = problem(post_json(client, BASE, body, token), 400, "core.fields_invalid")
    assert [e["field"] for e in answer["errors"]] == ["name", "code", "phone", "email"]
    assert {e["code"] for e in answer["errors"]} >= {"codes.tax_checksum"}
    assert all(e["title"] for e in answer["errors"])
    assert "field" not in answer
    assert not Application.objects.exists()
    assert AuditEvent.objects.count() == audited


def test_one_bad_field_over_the_api_keeps_its_code_and_lists_itself() -> None:
    applicant, pid = person()
    client, token = client_for(applicant)
    answer = problem(post_json(client, BASE, new_body(pid, applicant.full_name, phone="12"), token), 400, PHONE)
    assert answer["field"] == "phone"
    assert [e["field"] for e in answer["errors"]] == ["phone"]


def test_the_page_shows_each_refusal_beside_its_field(client: Client) -> None:
    user, pid = person()
    ticketed(client, user)
    response = client.post(
        "/organizations/register/data/?category=enterprise",
        form_data(pid, user.full_name, phone="12", email="khong-phai-email", code="0100109107"),
    )
    page = html(response)
    assert response.status_code == 400
    assert "Chưa có gì được lưu." in page
    for field in ("code", "phone", "email"):
        assert f'aria-describedby="id_{field}_error"' in page
    assert "sai số kiểm tra" in page
    assert Application.objects.count() == 0
