"""The upload page's size limit reaches the script as a plain integer, and its errors follow the one pattern:
a summary (the only alert) and inline messages the fields point to (issue 15.8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from dinhdanh.geo.models import AdministrativeUnit
from tests.conftest import signed_in
from tests.registries.web.support import clerk
from tests.web.support import csrf_token, html

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_limit_is_a_plain_integer_in_both_languages(
    client: Client, an_giang: AdministrativeUnit, settings: object, lang: str
) -> None:
    settings.REGISTRY_MAX_BYTES = 10_485_760  # type: ignore[attr-defined]
    signed_in(client, clerk(an_giang, "tax"))
    client.cookies["dinhdanh_lang"] = lang
    with translation.override(lang):
        page = html(client.get(reverse("registries:upload")))
    assert 'data-max-bytes="10485760"' in page  # not "10.485.760" (vi) or "10,485,760" (en)


def test_the_script_reads_digits_only() -> None:
    script = (Path(__file__).parents[3] / "src/dinhdanh/registries/static/registries/upload.js").read_text()
    assert 'replace(/[^0-9]/g, "")' in script


def test_errors_are_summarised_once_and_fields_point_to_their_message(
    client: Client, an_giang: AdministrativeUnit
) -> None:
    signed_in(client, clerk(an_giang, "tax"))
    token = csrf_token(html(client.get(reverse("registries:upload"))))
    page = html(client.post(reverse("registries:upload"), {"csrfmiddlewaretoken": token, "source": "nonsense"}))
    assert page.count('role="alert"') == 1  # the error summary only
    assert "data-error-summary" in page
    for target in re.findall(r'aria-describedby="([^"]+)"', page):
        for ident in target.split():
            assert f'id="{ident}"' in page, ident
