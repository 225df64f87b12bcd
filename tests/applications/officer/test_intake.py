"""In-person intake (TK02): look the applicant up by the number on the card, check the card, enter the
data, scan the papers, submit. All or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from dinhdanh.applications.models import Application, ApplicationChannel, Capacity, DocumentKind, Status
from dinhdanh.core.models import AuditEvent
from dinhdanh.people.audit_actions import PeopleAction
from dinhdanh.people.models import AccountLevel
from tests.applications.officer.support import (
    COMMUNE,
    OTHER_COMMUNE,
    applicant,
    audit_text,
    client_for,
    intake_officer,
    messages_of,
    personal_id,
    png_bytes,
    reviewer,
    tax_code,
    upload,
)
from tests.conftest import make_user, signed_in, unit
from tests.web.support import assert_friendly, html

pytestmark = pytest.mark.django_db

INTAKE = "/applications/intake/"


def look_up(client: Client, pid: str) -> Any:
    return client.post(INTAKE, {"personal_id": pid})


def tk02(pid: str, person: str, **overrides: Any) -> dict[str, Any]:
    return {
        "id_card_checked": "on",
        "capacity": Capacity.REPRESENTATIVE.value,
        "category": "enterprise",
        "name": "Công ty TNHH Tiếp Nhận Trực Tiếp",
        "code": tax_code(),
        "head_office": str(unit(COMMUNE).pk),
        "street": "Số 5 đường Lê Lợi",
        "representative_id": pid,
        "representative_name": person,
        "representative_position": "Giám đốc",
        "id_card_scan": upload("cccd.png", png_bytes(), "image/png"),
        "request_form": upload("tk02.pdf"),
        **overrides,
    }


def test_the_officer_finds_the_applicant_without_the_number_in_any_address() -> None:
    officer = intake_officer()
    person, pid = applicant()
    client = client_for(officer)
    response = look_up(client, pid)
    assert response.status_code == 302
    assert response["Location"] == f"/applications/intake/{person.pk}/"
    assert pid not in response["Location"]
    page = html(client.get(response["Location"]))
    assert person.full_name in page
    assert pid not in page
    assert pid not in audit_text()
    assert AuditEvent.objects.filter(action=PeopleAction.PERSON_LOOKED_UP, actor=officer).exists()


def test_an_unknown_number_is_reported_on_the_form() -> None:
    client = client_for(intake_officer())
    response = look_up(client, personal_id())
    assert response.status_code == 200
    assert "data-error-summary" in html(response)


def test_the_person_page_opens_only_after_a_lookup_in_this_session() -> None:
    person, _pid = applicant()
    assert client_for(intake_officer()).get(f"/applications/intake/{person.pk}/").status_code == 404


def test_a_citizen_and_a_reviewing_officer_cannot_take_requests_in() -> None:
    for user in (make_user("Người Thường"), reviewer()):
        assert_friendly(client_for(user).get(INTAKE), 403)


def test_intake_files_a_complete_request_for_the_applicant() -> None:
    officer = intake_officer()
    person, pid = applicant("Lê Thị Cúc")
    client = client_for(officer)
    look_up(client, pid)
    response = client.post(f"/applications/intake/{person.pk}/", tk02(pid, person.full_name))
    assert response.status_code == 302, messages_of(html(response)) or html(response)
    assert response["Location"] == INTAKE
    app = Application.objects.get(applicant=person)
    assert app.channel == ApplicationChannel.IN_PERSON
    assert app.intake_officer_id == officer.pk
    assert app.status not in (Status.DRAFT,)
    kinds = set(app.documents.values_list("kind", flat=True))
    assert {DocumentKind.ID_CARD_SCAN, DocumentKind.REQUEST_FORM} <= kinds
    assert app.number in messages_of(html(client.get(INTAKE)))


def test_an_authorized_person_must_bring_the_authorization_letter() -> None:
    officer = intake_officer()
    person, pid = applicant("Người Được Ủy Quyền")
    representative_pid = personal_id()
    client = client_for(officer)
    look_up(client, pid)
    data = tk02(representative_pid, "Người Đại Diện", capacity=Capacity.AUTHORIZED.value)
    response = client.post(f"/applications/intake/{person.pk}/", data)
    assert response.status_code == 200
    assert "văn bản ủy quyền" in html(response)
    assert not Application.objects.filter(applicant=person).exists()
    data = tk02(
        representative_pid,
        "Người Đại Diện",
        capacity=Capacity.AUTHORIZED.value,
        authorization_letter=upload("uy-quyen.pdf"),
    )
    response = client.post(f"/applications/intake/{person.pk}/", data)
    assert response.status_code == 302, html(response)
    app = Application.objects.get(applicant=person)
    assert app.documents.filter(kind=DocumentKind.AUTHORIZATION_LETTER).exists()


BAD_INPUT: dict[str, Callable[[], dict[str, Any]]] = {
    "card not checked": lambda: {"id_card_checked": ""},
    "bad check digit": lambda: {"code": "0101234568"},
    "executable renamed": lambda: {"request_form": upload("tk02.pdf", b"MZ\x90\x00 not a pdf")},
    "broken image": lambda: {"id_card_scan": upload("cccd.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")},
    "outside the jurisdiction": lambda: {"head_office": str(unit(OTHER_COMMUNE).pk)},
    "short personal id": lambda: {"representative_id": "123"},
    "no name": lambda: {"name": ""},
    "unknown category": lambda: {"category": "bank"},
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_leaves_nothing_behind(case: str) -> None:
    overrides = BAD_INPUT[case]()
    officer = intake_officer()
    person, pid = applicant()
    client = client_for(officer)
    look_up(client, pid)
    response = client.post(f"/applications/intake/{person.pk}/", tk02(pid, person.full_name, **overrides))
    assert response.status_code == 200
    assert "data-error-summary" in html(response)
    assert not Application.objects.filter(applicant=person).exists()


def test_a_level1_applicant_is_refused() -> None:
    officer = intake_officer()
    pid = personal_id()
    person = make_user("Mức Một", level=AccountLevel.LEVEL_1, personal_id=pid)
    client = client_for(officer)
    look_up(client, pid)
    response = client.post(f"/applications/intake/{person.pk}/", tk02(pid, person.full_name))
    assert response.status_code in (200, 403)
    assert not Application.objects.filter(applicant=person).exists()


def test_the_same_form_twice_files_one_request() -> None:
    officer = intake_officer()
    person, pid = applicant()
    client = client_for(officer)
    look_up(client, pid)
    data = tk02(pid, person.full_name)
    first = client.post(f"/applications/intake/{person.pk}/", data)
    assert first.status_code == 302
    again = {
        **data,
        "id_card_scan": upload("cccd.png", png_bytes(), "image/png"),
        "request_form": upload("tk02.pdf"),
    }
    second = client.post(f"/applications/intake/{person.pk}/", again)
    assert second.status_code == 200
    assert Application.objects.filter(applicant=person).count() == 1


def test_intake_needs_a_fresh_second_factor() -> None:
    person, pid = applicant()
    client = signed_in(Client(), intake_officer(), stepped_up=False)
    look_up(client, pid)
    response = client.post(f"/applications/intake/{person.pk}/", tk02(pid, person.full_name))
    assert response.status_code == 302
    assert response["Location"].startswith("/step-up/")
    assert not Application.objects.filter(applicant=person).exists()
