"""The reconciliation API: lists, export, exclusions, baselines; problem+json refusals, CSRF, jurisdiction."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.people.permissions import PeopleRole
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.models import Baseline, Exclusion
from dinhdanh.registries.permissions import RegistryRole
from tests.conftest import make_officer, signed_in, unit
from tests.people.support import csrf_client, post_json, problem
from tests.registries.reconcile.support import World

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registries"


@pytest.fixture
def client(manager: User) -> Client:
    return signed_in(Client(), manager)


def test_outreach_pages_and_filters(world: World, client: Client) -> None:
    body = client.get(f"{BASE}/reconcile/outreach", {"unit": "91"}).json()
    assert (body["count"], body["page"], body["pages"]) == (4, 1, 1)
    assert [r["code"] for r in body["rows"]] == ["0100000002", "KS-30292-0002", "0100000003", "0100000005"]
    first = body["rows"][0]
    assert (first["commune_code"], first["representative_name"], first["excluded"]) == (
        "30292",
        "Nguyễn Văn An",
        False,
    )
    body = client.get(
        f"{BASE}/reconcile/outreach", {"unit": "91", "include_excluded": "true", "category": "enterprise"}
    ).json()
    assert (body["rows"][0]["code"], body["rows"][0]["excluded"]) == ("0100000008", True)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"unit": "abc"}, "reconcile.bad_unit"),
        ({"unit": "01"}, "core.out_of_jurisdiction"),
        ({"category": "<script>"}, "reconcile.unknown_category"),
        ({"page": "0"}, "reconcile.bad_page"),
        ({"page": "-1"}, "reconcile.bad_page"),
        ({"page": "١"}, "reconcile.bad_page"),
    ],
)
def test_bad_filters_are_problems(world: World, client: Client, params: dict[str, str], code: str) -> None:
    body = problem(
        client.get(f"{BASE}/reconcile/outreach", params), 400 if code.startswith("reconcile") else 403, code
    )
    assert "<script>" not in body["title"] or code == "reconcile.unknown_category"


def test_anonymous_and_unprivileged_are_refused(world: World) -> None:
    problem(Client().get(f"{BASE}/reconcile/outreach"), 401, "core.unauthenticated")
    citizen = signed_in(Client(), make_officer(PeopleRole.INTAKE_OFFICER, unit("91", Level.PROVINCE), "Tiếp Nhận"))
    problem(citizen.get(f"{BASE}/reconcile/cleansing"), 403, "core.permission_denied")


def test_an_officer_of_another_province_sees_only_their_own(world: World) -> None:
    hanoi = signed_in(
        Client(), make_officer(PeopleRole.REVIEWING_OFFICER, unit("01", Level.PROVINCE), "Cán Bộ Hà Nội")
    )
    assert [r["code"] for r in hanoi.get(f"{BASE}/reconcile/outreach").json()["rows"]] == ["0100000007"]
    problem(hanoi.get(f"{BASE}/reconcile/differences", {"unit": "91"}), 403, "core.out_of_jurisdiction")
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED).exists()
    body = hanoi.get(f"{BASE}/reconcile/cleansing").json()
    assert body["counts"]["unlisted"] == 1
    assert [r["code"] for r in body["rows"]] == ["0100000013"]


def test_cleansing_and_differences(world: World, client: Client) -> None:
    body = client.get(f"{BASE}/reconcile/cleansing", {"unit": "91", "kind": "representative"}).json()
    assert body["kind"] == "representative"
    assert body["counts"]["conflict"] == 1
    (row,) = body["rows"]
    assert (row["field"], row["first_source"], row["second_source"]) == ("representative", "account", "business")
    problem(client.get(f"{BASE}/reconcile/cleansing", {"kind": "everything"}), 400, "reconcile.unknown_kind")
    body = client.get(f"{BASE}/reconcile/differences", {"unit": "91", "category": "enterprise"}).json()
    assert [
        (r["unit"], r["registered"], r["with_account"], r["accounts"], r["difference"]) for r in body["rows"]
    ] == [
        ("30292", 5, 3, 6, 2),
        ("30301", 2, 1, 0, 1),
    ]
    assert body["totals"][0]["registered"] == 7


def test_the_workbook_download(world: World, client: Client) -> None:
    response = client.get(f"{BASE}/reconcile/outreach.xlsx", {"unit": "30301"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="van-dong-30301-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    assert sheet.max_row == 3
    assert AuditEvent.objects.filter(action=RegistryAction.REGISTRY_EXPORTED).count() == 1


def test_exclusions_need_csrf_and_refuse_duplicates(world: World, manager: User) -> None:
    browser, token = csrf_client()
    signed_in(browser, manager)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    url = f"{BASE}/reconcile/exclusions"
    body = {"record": world.records["r2"].pk, "reason": "unreachable", "note": "Không ai nghe máy"}
    problem(post_json(browser, url, body), 403, "core.csrf_failed")
    created = post_json(browser, url, body, token)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    problem(post_json(browser, url, body, token), 409, "reconcile.already_excluded")
    problem(post_json(browser, url, {**body, "reason": "x" * 41}, token), 422, "core.validation")
    problem(post_json(browser, url, {**body, "record": 10**12}, token), 404, "core.not_found")
    problem(post_json(browser, url, "{not json", token), 400, "core.http_error")
    assert browser.get(f"{BASE}/reconcile/exclusions", {"unit": "30292"}).json()[0]["id"] == pk
    lifted = post_json(browser, f"{url}/{pk}/lift", {}, token)
    assert lifted.json()["lifted_at"]
    problem(post_json(browser, f"{url}/{pk}/lift", {}, token), 409, "reconcile.already_lifted")


def test_exclusion_outside_is_403(world: World) -> None:
    browser, _token = csrf_client()
    signed_in(browser, make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Quản Lý Hà Nội"))
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    body = {"record": world.records["r2"].pk, "reason": "ceased"}
    problem(post_json(browser, f"{BASE}/reconcile/exclusions", body, token), 403, "core.out_of_jurisdiction")
    assert not Exclusion.objects.filter(record=world.records["r2"]).exists()


def test_baselines_take_and_read(world: World, manager: User) -> None:
    browser, _token = csrf_client()
    signed_in(browser, manager)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    today = timezone.localdate().isoformat()
    taken = post_json(browser, f"{BASE}/baselines", {"unit": "91", "as_of": today}, token)
    assert taken.status_code == 201, taken.content
    assert {b["category"]: b["registered"] for b in taken.json()}["enterprise"] == 6
    post_json(browser, f"{BASE}/baselines", {"unit": "91", "as_of": today}, token)
    assert Baseline.objects.count() == 4
    listed = browser.get(f"{BASE}/baselines", {"unit": "91", "category": "other", "as_of": today}).json()
    assert [(b["unit"], b["registered"], b["issued"]) for b in listed] == [("91", 2, 1)]
    problem(
        post_json(browser, f"{BASE}/baselines", {"unit": "91", "as_of": "hôm nay"}, token),
        400,
        "reconcile.bad_date",
    )
    problem(
        post_json(browser, f"{BASE}/baselines", {"unit": "", "as_of": today}, token), 400, "reconcile.bad_unit"
    )
    problem(
        post_json(browser, f"{BASE}/baselines", {"unit": "01", "as_of": today}, token),
        403,
        "core.out_of_jurisdiction",
    )


def test_an_exclusion_sent_twice_with_one_idempotency_key_is_made_once(world: World, manager: User) -> None:
    browser, _token = csrf_client()
    signed_in(browser, manager)
    token = browser.get("/api/v1/auth/csrf").json()["csrf_token"]
    url = f"{BASE}/reconcile/exclusions"
    body = {"record": world.records["r2"].pk, "reason": "unreachable"}
    first = post_json(browser, url, body, token, HTTP_IDEMPOTENCY_KEY="excl-1")
    again = post_json(browser, url, body, token, HTTP_IDEMPOTENCY_KEY="excl-1")
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert again.json() == first.json()
    assert again["Idempotency-Replayed"] == "true"
    assert Exclusion.objects.filter(record=world.records["r2"]).count() == 1
