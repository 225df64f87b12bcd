"""Today's commune found by name (issue 15.1): accent-insensitive, and old names lead to today's commune."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.commune_search import find_communes

pytestmark = pytest.mark.django_db


def test_without_accents_today_s_commune_comes_first() -> None:
    first = find_communes("ha dong")[0]
    assert (first.unit.name, first.province, first.formerly) == ("Phường Hà Đông", "Thành phố Hà Nội", "")
    assert all(hit.unit.is_current for hit in find_communes("ha dong"))


def test_an_old_ward_leads_to_today_s_commune() -> None:
    hits = find_communes("Thanh Xuân Bắc")
    assert hits
    assert {h.formerly for h in hits} == {"Phường Thanh Xuân Bắc"}
    assert "Phường Thanh Xuân" in {h.unit.name for h in hits}


def test_an_old_district_leads_to_its_communes() -> None:
    hits = find_communes("hoan kiem")
    assert hits[0].unit.name == "Phường Hoàn Kiếm"  # today's namesake first
    names = {h.unit.name for h in hits if h.formerly == "Quận Hoàn Kiếm"}
    assert {"Phường Cửa Nam", "Phường Ba Đình"} <= names


@pytest.mark.parametrize("query", ["", "a", "  ", "<"])
def test_too_short_is_refused(query: str) -> None:
    with pytest.raises(DomainError):
        find_communes(query)


def test_the_api_answers_the_same(client: Client) -> None:
    answer = client.get("/api/v1/units/communes", {"q": "ha dong"})
    assert answer.status_code == 200
    assert answer.json()[0] == {
        "code": find_communes("ha dong")[0].unit.code,
        "name": "Phường Hà Đông",
        "province": "Thành phố Hà Nội",
        "province_code": "01",
        "formerly": "",
    }
    assert client.get("/api/v1/units/communes", {"q": "x"}).status_code == 400
    assert client.get("/api/v1/units/communes", {"q": "<script>" * 50}).status_code in {200, 400}


def test_the_search_asks_a_fixed_number_of_queries(django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    """The box asks on every keystroke: a district with many successor communes costs no more queries."""
    with django_assert_max_num_queries(4):
        assert len(find_communes("hoan kiem")) > 3
    with django_assert_max_num_queries(4):
        find_communes("phuong")
