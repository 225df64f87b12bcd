"""GET /api/v1/units: the two schemes of administrative units, search, and what old units became."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

pytestmark = pytest.mark.django_db

FIELDS = {
    "code",
    "name",
    "short_name",
    "level",
    "scheme",
    "division_type",
    "province_code",
    "parent_code",
    "valid_from",
    "valid_to",
}


def get_json(client: Client, url: str, **params: str) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_current_provinces(client: Client) -> None:
    provinces = get_json(client, "/api/v1/units", level="province")
    assert len(provinces) == 34
    assert all(set(p) == FIELDS for p in provinces)
    assert {p["scheme"] for p in provinces} == {"2025"}
    assert {p["level"] for p in provinces} == {"province"}
    assert all(re.fullmatch(r"\d{2}", p["code"]) for p in provinces)
    codes = [p["code"] for p in provinces]
    assert codes == sorted(codes)
    assert codes[:3] == ["01", "04", "08"]  # zero-padded, as strings
    by_code = {p["code"]: p for p in provinces}
    assert by_code["91"]["name"] == "Tỉnh An Giang"
    assert by_code["91"]["valid_from"] == "2025-07-01"
    assert by_code["91"]["valid_to"] is None
    assert by_code["91"]["parent_code"] is None


def test_the_default_scheme_is_the_current_one(client: Client) -> None:
    assert get_json(client, "/api/v1/units", level="province") == get_json(
        client, "/api/v1/units", level="province", scheme="2025"
    )


def test_legacy_districts(client: Client) -> None:
    districts = get_json(client, "/api/v1/units", scheme="2008", level="district")
    assert len(districts) == 696
    assert {d["scheme"] for d in districts} == {"2008"}
    assert all(re.fullmatch(r"\d{3}", d["code"]) for d in districts)
    assert all(d["valid_to"] == "2025-06-30" for d in districts)
    rach_gia = next(d for d in districts if d["code"] == "899")
    assert rach_gia["name"] == "Thành phố Rạch Giá"
    assert rach_gia["province_code"] == "91"
    assert rach_gia["parent_code"] == "91"


def test_legacy_provinces(client: Client) -> None:
    assert len(get_json(client, "/api/v1/units", scheme="2008", level="province")) == 63


def test_communes_of_a_province(client: Client) -> None:
    communes = get_json(client, "/api/v1/units", parent="91", level="commune")
    expected = AdministrativeUnit.objects.filter(
        scheme=Scheme.CURRENT, level=Level.COMMUNE, parent__code="91", parent__level=Level.PROVINCE
    )
    assert len(communes) == expected.count() > 50
    assert {c["code"] for c in communes} == set(expected.values_list("code", flat=True))
    assert all(re.fullmatch(r"\d{5}", c["code"]) for c in communes)
    assert {(c["parent_code"], c["province_code"], c["level"], c["scheme"]) for c in communes} == {
        ("91", "91", "commune", "2025")
    }
    assert any(c["name"] == "Đặc khu Phú Quốc" for c in communes)


def test_parent_code_is_zero_padded(client: Client) -> None:
    assert get_json(client, "/api/v1/units", parent="8", level="commune") == get_json(
        client, "/api/v1/units", parent="08", level="commune"
    )


def test_search_is_accent_insensitive_and_finds_the_old_province(client: Client) -> None:
    found = get_json(client, "/api/v1/units", q="Kien Giang")
    kien_giang = [u for u in found if u["name"] == "Tỉnh Kiên Giang"]
    assert kien_giang, [u["name"] for u in found]
    assert kien_giang[0]["scheme"] == "2008"
    assert kien_giang[0]["code"] == "91"
    assert get_json(client, "/api/v1/units", q="kiên giang") == found
    assert get_json(client, "/api/v1/units", q="KIÊN GIANG") == found
    assert get_json(client, "/api/v1/units", q="tinh kien giang", level="province") == kien_giang


def test_search_lists_current_units_first(client: Client) -> None:
    found = get_json(client, "/api/v1/units", q="Phu Quoc")
    schemes = [u["scheme"] for u in found]
    assert "2025" in schemes
    assert "2008" in schemes
    assert schemes == sorted(schemes, reverse=True)


def test_search_within_one_scheme(client: Client) -> None:
    assert get_json(client, "/api/v1/units", q="Kien Giang", scheme="2025", level="province") == []
    legacy = get_json(client, "/api/v1/units", q="Kien Giang", scheme="2008", level="province")
    assert [u["name"] for u in legacy] == ["Tỉnh Kiên Giang"]


def test_one_old_province_and_what_it_became(client: Client) -> None:
    unit = get_json(client, "/api/v1/units/2008/province/91")
    assert unit["name"] == "Tỉnh Kiên Giang"
    assert unit["scheme"] == "2008"
    assert unit["valid_to"] == "2025-06-30"
    assert [(s["code"], s["name"], s["scheme"]) for s in unit["successors"]] == [("91", "Tỉnh An Giang", "2025")]
    assert set(unit["successors"][0]) == FIELDS


def test_a_current_unit_has_no_successors(client: Client) -> None:
    unit = get_json(client, "/api/v1/units/2025/province/91")
    assert unit["name"] == "Tỉnh An Giang"
    assert unit["successors"] == []


def test_an_old_district_became_current_communes(client: Client) -> None:
    unit = get_json(client, "/api/v1/units/2008/district/899")
    assert unit["name"] == "Thành phố Rạch Giá"
    assert unit["successors"]
    assert {(s["level"], s["province_code"]) for s in unit["successors"]} == {("commune", "91")}


def test_unit_codes_are_zero_padded_in_the_path(client: Client) -> None:
    assert get_json(client, "/api/v1/units/2025/province/8")["code"] == "08"
    assert get_json(client, "/api/v1/units/2025/province/%EF%BC%99%EF%BC%91")["code"] == "91"  # full-width


def test_openapi_document(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "dinhdanh API"
    assert "/api/v1/units" in doc["paths"]
    assert "/api/v1/units/{scheme}/{level}/{code}" in doc["paths"]
    list_params = {p["name"] for p in doc["paths"]["/api/v1/units"]["get"]["parameters"]}
    assert list_params == {"level", "scheme", "parent", "q"}


def test_api_docs_redirect_to_the_docs_page(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/docs"
    docs = client.get(response["Location"])
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")
    page = docs.content.decode()
    assert "/api/v1/openapi.json" in page
    assert "swagger-ui" in page


def test_every_response_carries_a_request_id_and_the_language(client: Client) -> None:
    response = client.get("/api/v1/units", {"level": "province"}, HTTP_X_REQUEST_ID="client-req-0001")
    assert response["X-Request-ID"] == "client-req-0001"
    assert response["Content-Language"] == "vi"
    english = client.get("/api/v1/units", {"level": "province"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en"
    assert json.loads(english.content) == json.loads(response.content)  # names are data, never translated
