"""Issue 12.0: the subject identifier a relying party sees — public and random, or pairwise per sector
(OpenID Connect Core §8.1) — never a database key, never derived from the personal number."""

from __future__ import annotations

import pytest

from dinhdanh.people.models import User
from dinhdanh.people.subjects import pairwise_subject, subject_for, user_by_subject
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_public_subject_is_random_opaque_and_stable() -> None:
    one, two = make_user("Một"), make_user("Hai")
    assert one.subject != two.subject
    assert len(one.subject) >= 20
    assert str(one.pk) != one.subject
    assert User.objects.get(pk=one.pk).subject == one.subject
    assert user_by_subject(one.subject) == one
    assert subject_for(one) == one.subject


def test_a_pairwise_subject_is_stable_in_a_sector_and_unlinkable_across_sectors() -> None:
    person, other = make_user("Một"), make_user("Hai")
    bank = pairwise_subject(person, "nganhang.example.vn")
    assert pairwise_subject(person, "NganHang.example.vn.") == bank  # the same host, however written
    assert pairwise_subject(person, "thue.example.vn") != bank
    assert pairwise_subject(other, "nganhang.example.vn") != bank
    assert person.subject not in bank
    assert len(bank) == 43
    assert user_by_subject(bank) is None  # a pairwise subject cannot be turned back


@pytest.mark.parametrize("sector", ["", "   ", "a b", "x" * 256])
def test_a_sector_is_a_host_name(sector: str) -> None:
    with pytest.raises(ValueError, match="host name"):
        pairwise_subject(make_user("Một"), sector)


@pytest.mark.parametrize("subject", ["", "short", "x" * 33, "' OR 1=1 --"])
def test_a_malformed_subject_finds_nobody(subject: str) -> None:
    make_user("Một")
    assert user_by_subject(subject) is None
