"""Keyset pages (issue 17.4, http.keyset): walking the next links from the first page gives every row once
in order, walking the previous links back gives the same pages, a typed page number or a cursor that does
not fit gives the OFFSET page, and the officer pages carry the cursors in their links."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from hypothesis import given, settings
from hypothesis import strategies as st

from dinhdanh.http.keyset import beyond, decode, encode, keyset_page
from dinhdanh.http.pages import page_of
from dinhdanh.organizations.models import Organization
from tests.organizations.factories import make_organization

ORDERS = [
    ("name_key", "pk"),
    ("-name_key", "-pk"),
    ("issued_at", "pk"),
    ("-issued_at", "-pk"),
    ("-name_key", "pk"),
]


def _pages_forward(qs: QuerySet[Organization], size: int) -> list[list[int]]:
    pages, cursor, number = [], "", 1
    for _ in range(100):  # bounded: at most 100 pages in these tests
        page = keyset_page(qs, number, after=cursor, size=size)
        pages.append([row.pk for row in page.rows])
        if not page.has_next:
            break
        assert page.next_cursor
        cursor, number = page.next_cursor, number + 1
    return pages


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    names=st.lists(st.sampled_from(["An", "Bình", "binh", "Cường", "Ân"]), min_size=0, max_size=11),
    size=st.integers(min_value=1, max_value=4),
    order=st.sampled_from(ORDERS),
)
def test_walking_forward_and_back_gives_every_row_once_in_order(names: list[str], size: int, order: Any) -> None:
    Organization.objects.all().delete()
    for name in names:
        make_organization(name=f"Công ty {name}")
    qs = Organization.objects.order_by(*order)
    expected = list(qs.values_list("pk", flat=True))
    forward = _pages_forward(qs, size)
    assert [pk for page in forward for pk in page] == expected
    assert forward == [expected[i : i + size] for i in range(0, max(len(expected), 1), size)] or expected == []
    # Back from the last page by the previous links: the same pages, in reverse.
    last = keyset_page(qs, len(forward), after="", size=size)  # a typed page number: the OFFSET page
    assert [row.pk for row in last.rows] == forward[-1]
    back, page = [], last
    while page.has_previous and page.previous_cursor:
        page = keyset_page(qs, page.number - 1, before=page.previous_cursor, size=size)
        back.append([row.pk for row in page.rows])
    assert list(reversed(back)) == forward[:-1]


@pytest.mark.django_db
def test_a_cursor_that_does_not_fit_gives_the_offset_page() -> None:
    for n in range(7):
        make_organization(name=f"Hợp tác xã {n}")
    qs = Organization.objects.order_by("name_key", "pk")
    offset = [row.pk for row in page_of(qs, 2, 3).rows]
    for junk in ("", "!!!", "W10", encode(["x"]), encode([1, 2, 3]), "A" * 700, encode(["a", "not-a-number"])):
        assert [row.pk for row in keyset_page(qs, 2, after=junk, size=3).rows] == offset, junk
    # An order that does not end with the key, or with a joined field: OFFSET, the same rows.
    loose = Organization.objects.order_by("name_key")
    assert [r.pk for r in keyset_page(loose, 2, size=3).rows] == [r.pk for r in page_of(loose, 2, 3).rows]


@pytest.mark.django_db
def test_a_sort_field_empty_in_some_row_pages_by_offset() -> None:
    for n in range(5):
        make_organization(name=f"Chi nhánh {n}", established_on=None if n % 2 else f"2020-01-0{n + 1}")
    qs = Organization.objects.order_by("established_on", "pk")  # NULLs sort first or last by database
    for number in (1, 2, 3):
        page = keyset_page(qs, number, size=2)
        assert [r.pk for r in page.rows] == [r.pk for r in page_of(qs, number, 2).rows]
        assert page.next_cursor == ""


@pytest.mark.django_db
def test_a_cursor_is_typed_by_the_model_and_bounds_the_first_field() -> None:
    qs = Organization.objects.order_by("name_key", "pk")
    order = [("name_key", False), ("pk", False)]
    assert decode(qs, order, encode(["cong ty", "7"])) == ["cong ty", 7]
    assert decode(qs, order, encode(["cong ty", None])) is None
    where = str(Organization.objects.filter(beyond(order, ["a", 3], forward=True)).query)
    assert "name_key" in where


@pytest.mark.django_db
def test_the_officer_list_links_by_cursor(settings: Any) -> None:
    from django.test import Client

    from dinhdanh.organizations.permissions import OrganizationPermission  # noqa: F401  (declared grants)
    from dinhdanh.people.permissions import PeopleRole
    from tests.conftest import make_officer, signed_in

    for n in range(55):
        make_organization(name=f"Doanh nghiệp {n:03d}")
    officer = make_officer(PeopleRole.REVIEWING_OFFICER, None, "Cán bộ Toàn Quốc")
    client = signed_in(Client(), officer)
    first = client.get("/applications/organizations/")
    assert first.status_code == 200
    text = first.content.decode()
    assert "after=" in text
    link = text[text.index("?page=2&amp;after=") :].split('"')[0].replace("&amp;", "&")
    second = client.get("/applications/organizations/" + link)
    assert second.status_code == 200
    assert "Doanh nghiệp 050" in second.content.decode()
    assert "before=" in second.content.decode()
