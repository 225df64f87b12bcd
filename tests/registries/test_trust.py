"""Issue 11.7: one trust order for reference lists, and every consumer follows it."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dinhdanh.registries.models import Record
from dinhdanh.registries.reconcile.targets import ALL_SOURCES
from dinhdanh.registries.selectors.lookup import registry_match
from dinhdanh.registries.services.organization_sync import _leads
from dinhdanh.registries.sources import Source
from dinhdanh.registries.trust import TRUST_ORDER, most_trusted, trust_rank, trust_rank_sql
from tests.applications.support import record, tax_code
from tests.organizations.factories import make_organization

pytestmark = pytest.mark.django_db

EXPECTED = ("business", "cooperative", "tax", "home_affairs", "police", "survey")


def test_the_order_is_the_documented_one_and_covers_every_source() -> None:
    assert tuple(s.value for s in TRUST_ORDER) == EXPECTED
    assert set(TRUST_ORDER) == set(Source)
    assert ALL_SOURCES == EXPECTED
    assert trust_rank("unknown") == len(EXPECTED)


@given(st.sets(st.sampled_from([s.value for s in Source]), min_size=1))
def test_most_trusted_is_the_lowest_rank(sources: set[str]) -> None:
    best = most_trusted(sources)
    assert best is not None
    assert trust_rank(best) == min(trust_rank(s) for s in sources)


@pytest.mark.parametrize(("higher", "lower"), list(itertools.combinations(EXPECTED, 2)))
def test_issuance_the_sync_and_reconciliation_agree(higher: str, lower: str) -> None:
    code = tax_code()
    for source in (lower, higher):
        record(code, source=Source(source))
    assert registry_match(code) == (higher, code)
    org = make_organization(code=code, registry_source=lower)
    assert _leads(org, higher)
    org.registry_source = higher
    assert not _leads(org, lower)
    first = Record.objects.filter(code=code).order_by(trust_rank_sql("source")).values_list("source", flat=True)[0]
    assert first == higher
