"""The registry upload page refuses a file over the limit in the browser, before sending it, in both
languages: the limit reaches the script as a plain integer, not "10.485.760" (issue 15.8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MESSAGES = {
    "vi": "Tệp lớn hơn giới hạn",
    "en": "larger than",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_file_over_the_limit_is_refused_before_upload(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path, lang: str
) -> None:
    from django.conf import settings as conf
    from django.test import Client

    from dinhdanh.core.services import role_grant
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.geo.services import units_load
    from dinhdanh.registries.models import ImportJob
    from dinhdanh.registries.permissions import RegistryRole
    from tests.conftest import make_user, signed_in
    from tests.people.support import enrol_totp

    units_load(actor=None)  # transactional tests start from an empty database
    settings.DATA_DIR = tmp_path  # the live server runs in this process
    settings.REGISTRY_MAX_BYTES = 2_048
    province = AdministrativeUnit.objects.get(scheme=Scheme.CURRENT, level=Level.PROVINCE, code="91")
    clerk = make_user("Huỳnh Thị Đối Tác")
    role_grant(actor=None, user=clerk, role=RegistryRole.PARTNER_CLERK, unit=province, partner_source="business")
    enrol_totp(clerk)
    client = signed_in(Client(), clerk)
    context = browser.new_context(locale=f"{lang}-VN")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": conf.SESSION_COOKIE_NAME,
                "value": client.cookies[conf.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
            {"name": "dinhdanh_lang", "value": lang, "domain": host, "path": "/"},
        ]
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if "/registries/upload" in r.url else None)
    page.goto(live_server.url + "/registries/upload/")
    assert page.locator("form[data-upload]").get_attribute("data-max-bytes") == "2048"

    big = tmp_path / "danh-sach.csv"
    big.write_bytes(b"a,b\n" * 1_000)  # 4 000 bytes
    page.locator("#id_file").set_input_files(str(big))
    page.locator("form[data-upload] button[type=submit]").click()
    error = page.locator("[data-upload-error]")
    error.wait_for(state="visible")
    assert MESSAGES[lang] in error.inner_text()
    assert "POST" not in requests  # refused in the browser: nothing sent
    assert not ImportJob.objects.exists()
    context.close()
