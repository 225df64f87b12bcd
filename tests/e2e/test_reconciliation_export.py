"""Journey: a provincial reviewing officer of the demo signs in with an authenticator app, opens the
reconciliation's outreach list, narrows it to one kind of organization in one commune, and downloads it as
an Excel workbook — which holds exactly the organizations the page counted, with labels, not codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import sign_in_with_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CATEGORY = "Doanh nghiệp"


def _sign_in(page: Any, base: str, login: str, password: str, code: str) -> None:
    sign_in_with_totp(page, base, login, code, password=password)


def _count(page: Any) -> int:
    text = page.locator("main").inner_text()
    found = re.search(r"([\d.]+) tổ chức\.", text)
    assert found, text[:500]
    return int(found.group(1).replace(".", ""))


def _check_workbook(saved: Path, listed: int, commune: str, codes_on_page: set[str]) -> None:
    from openpyxl import load_workbook

    rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("STT", "Mã số", "Tên tổ chức")
    assert len(body) == listed
    column = {name: header.index(name) for name in ("Mã số", "Loại tổ chức", "Xã/phường", "Nguồn", "Tình trạng")}
    assert {r[column["Loại tổ chức"]] for r in body} == {CATEGORY}  # labels, not "enterprise"
    assert {r[column["Xã/phường"]] for r in body} == {commune}
    assert all(r[column["Nguồn"]] and r[column["Nguồn"]] != "business" for r in body)
    assert all(r[column["Tình trạng"]] and r[column["Tình trạng"]] != "active" for r in body)
    assert codes_on_page <= {str(r[column["Mã số"]]) for r in body}
    assert [r[0] for r in body] == list(range(1, listed + 1))


def _check_audit(officer_pk: int, listed: int) -> None:
    from dinhdanh.core.models import AuditEvent
    from dinhdanh.registries.audit_actions import RegistryAction

    exported = AuditEvent.objects.filter(action=RegistryAction.REGISTRY_EXPORTED).latest("seq")
    after = exported.after or {}
    assert exported.actor_id == officer_pk
    assert after["rows"] == listed
    assert after["category"] == "enterprise"


def test_an_officer_filters_the_outreach_list_and_downloads_it(
    browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    from dinhdanh.demo.services import DEMO_PASSWORD, PEOPLE, demo_load
    from dinhdanh.geo.services import units_load
    from dinhdanh.people.logins import login_digest
    from dinhdanh.people.models import User
    from dinhdanh.people.permissions import PeopleRole
    from tests.people.support import enrol_totp, totp_code

    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    units_load(actor=None)  # transactional tests start from an empty database
    demo_load()
    person = next(p for p in PEOPLE if p.role is PeopleRole.REVIEWING_OFFICER and p.scope == "province")
    officer = User.objects.get(login_digest=login_digest(person.login))
    totp, _recovery = enrol_totp(officer)
    base = live_server.url

    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, person.login, DEMO_PASSWORD, totp_code(officer, totp))

    page.goto(base + "/registries/reconcile/")
    page.get_by_role("link", name="Danh sách vận động").first.click()
    everyone = _count(page)
    assert everyone > 0

    # One kind of organization first, then the commune of the first organization listed.
    page.get_by_label("Loại tổ chức", exact=True).select_option(label=CATEGORY)
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r".*category=enterprise.*"))
    of_kind = _count(page)
    assert 0 < of_kind <= everyone
    table = page.get_by_role("region", name="Danh sách vận động").locator("table")
    commune = table.locator("tbody tr").first.locator("td").nth(3).inner_text().strip()
    page.get_by_label("Địa bàn", exact=True).select_option(label=f"— {commune}")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url(re.compile(r".*unit=\d+.*"))
    listed = _count(page)
    assert 0 < listed <= of_kind
    codes_on_page = {c.strip() for c in table.locator("tbody tr td:first-child").all_inner_texts()}

    with page.expect_download() as caught:
        page.get_by_role("link", name="Tải danh sách (Excel)").click()
    download = caught.value
    assert re.fullmatch(r"van-dong-\d+-\d{8}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    _check_workbook(saved, listed, commune, codes_on_page)

    _check_audit(officer.pk, listed)
    assert not console_errors, console_errors
    context.close()
