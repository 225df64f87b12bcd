"""Raw form input into the payload: every bad input gets its own clear refusal, with the field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dinhdanh.applications.field_parsers import parse_code
from dinhdanh.applications.models import Kind
from dinhdanh.applications.validation import validate
from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import Level, Scheme
from dinhdanh.organizations.categories import Category
from tests.applications.support import commune, raw_data
from tests.conftest import unit

pytestmark = pytest.mark.django_db
PID = "091085001122"


def refused(
    data: dict[str, Any], *, kind: Kind = Kind.NEW, category: Category = Category.ENTERPRISE
) -> DomainError:
    with pytest.raises(DomainError) as caught:
        validate(data, kind=kind, category=category)
    return caught.value


def test_good_data_is_normalized() -> None:
    out = validate(
        raw_data(PID, code="0100109106", name="  Công\u00a0ty  TNHH Hoa Sen "),
        kind=Kind.NEW,
        category=Category.ENTERPRISE,
    )
    data = out.data
    assert data["name"] == "Công ty TNHH Hoa Sen"
    assert data["code"] == "0100109106"
    assert data["head_office_id"] == commune().pk
    assert data["phone"] == "02963812345"
    assert data["representative"]["masked"] == "0910******22"
    assert data["representative"]["digest"]
    assert PID not in repr(data)
    assert data["co_representatives"] == []


@pytest.mark.parametrize(
    ("category", "code", "expected"),
    [
        (Category.ENTERPRISE, "0100109106", "0100109106"),
        (Category.ENTERPRISE, "0100109106-001", "0100109106-001"),  # a branch
        (Category.ENTERPRISE, "0100109106 001", "0100109106-001"),
        (Category.COOPERATIVE, "0100109106", "0100109106"),
        (Category.COOPERATIVE, "htx0012345", "HTX0012345"),
        (Category.TAX_AGENCY, "0100109106", "0100109106"),
        (Category.OTHER, "000.00.00.G22", "000.00.00.G22"),
        (Category.OTHER, "", ""),
    ],
)
def test_codes_by_category(category: Category, code: str, expected: str) -> None:
    assert parse_code(code, category) == expected


@pytest.mark.parametrize(
    ("category", "code", "error"),
    [
        (Category.ENTERPRISE, "HTX0012345", "applications.code_wrong_category"),  # a cooperative code
        (Category.ENTERPRISE, "000.00.00.G22", "applications.code_wrong_category"),  # an agency code
        (Category.TAX_AGENCY, "HTX0012345", "applications.code_wrong_category"),
        (Category.OTHER, "HTX0012345", "applications.code_wrong_category"),
        (Category.ENTERPRISE, "0100109107", "codes.tax_checksum"),
        (Category.COOPERATIVE, "0100109107", "codes.tax_checksum"),
        (Category.ENTERPRISE, "0100109106-000", "codes.tax_branch_zero"),
        (Category.ENTERPRISE, "010010910", "codes.tax_length"),
        (Category.ENTERPRISE, "100109106", "codes.tax_leading_zero_lost"),
        (Category.ENTERPRISE, "", "applications.code_required"),
        (Category.COOPERATIVE, "", "applications.code_required"),
        (Category.TAX_AGENCY, "", "applications.code_required"),
        (Category.ENTERPRISE, "mã?số", "applications.code_unrecognized"),
    ],
)
def test_bad_codes_have_clear_reasons(category: Category, code: str, error: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_code(code, category)
    assert caught.value.code == error
    assert caught.value.field == "code"
    assert caught.value.message("vi")
    assert caught.value.message("en")


def test_wrong_category_message_names_the_expected_code() -> None:
    error = refused(raw_data(PID, code="HTX0012345"))
    assert error.code == "applications.code_wrong_category"
    assert "HTX0012345" in error.message("vi")
    assert "mã số thuế" in error.message("vi")


def test_other_organizations_without_code_need_their_founding_document() -> None:
    error = refused(raw_data(PID, code=""), category=Category.OTHER)
    assert error.code == "applications.founding_document_required"
    data = raw_data(
        PID,
        code="",
        founding_document_number="12/QĐ-UBND",
        founding_document_date="05/03/2001",
        founding_document_issuer="UBND tỉnh An Giang",
    )
    out = validate(data, kind=Kind.NEW, category=Category.OTHER).data
    assert out["founding_document_date"] == "2001-03-05"
    assert out["code"] == ""


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"head_office_code": "99999"}, "applications.head_office_unknown"),
        ({"head_office_code": "abc"}, "applications.head_office_unknown"),
        ({"head_office_code": None}, "applications.head_office_required"),
        ({"head_office_id": "0"}, "applications.head_office_unknown"),
        ({"head_office_id": "-1"}, "applications.head_office_unknown"),
        ({"head_office_id": "1e9"}, "applications.head_office_unknown"),
    ],
)
def test_head_office_outside_vietnams_units(changes: dict[str, Any], error: str) -> None:
    data = raw_data(PID, **changes)
    if "head_office_id" in changes:
        data.pop("head_office_code")
    assert refused(data).code == error
    assert refused(data).field == "head_office"


def test_head_office_must_be_a_current_commune() -> None:
    legacy = unit("00001", Level.COMMUNE, Scheme.LEGACY)
    data = raw_data(PID)
    data.pop("head_office_code")
    assert refused({**data, "head_office_id": str(legacy.pk)}).code == "applications.head_office_legacy"
    provincial = unit("91", Level.PROVINCE)
    assert refused({**data, "head_office_id": str(provincial.pk)}).code == "applications.head_office_not_commune"


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"name": ""}, "name", "applications.name_required"),
        ({"name": "x" * 401}, "name", "applications.text_too_long"),
        ({"name": "Công ty\u202eABC"}, "name", "core.control_characters"),
        ({"name": 12}, "name", "applications.not_text"),
        ({"representative_id": "12345"}, "representative_id", "codes.pid_length"),
        ({"representative_id": "99908500112A"}, "representative_id", "codes.pid_not_digits"),
        ({"representative_id": "999085001122"}, "representative_id", "codes.pid_unknown_province"),
        ({"representative_name": ""}, "representative_name", "applications.representative_name_required"),
        ({"phone": "12345"}, "phone", "applications.phone_invalid"),
        ({"email": "not-an-address"}, "email", "applications.email_invalid"),
        ({"established_on": "31/02/2020"}, "established_on", "applications.established_invalid"),
        ({"established_on": "2999-01-01"}, "established_on", "applications.established_future"),
        ({"surprise": "x"}, "surprise", "applications.unknown_fields"),
    ],
)
def test_bad_fields(changes: dict[str, Any], field: str, error: str) -> None:
    got = refused(raw_data(PID, **changes))
    assert (got.code, got.field) == (error, field)


def test_co_representatives() -> None:
    data = raw_data(
        PID, co_representative_names="Lê Văn A\nPhạm Thị B", co_representative_ids="091085001133\n091085001144"
    )
    people = validate(data, kind=Kind.NEW, category=Category.ENTERPRISE).data["co_representatives"]
    assert [p["name"] for p in people] == ["Lê Văn A", "Phạm Thị B"]
    mismatch = raw_data(PID, co_representative_names=["A"], co_representative_ids=[])
    assert refused(mismatch).code == "applications.co_representatives_mismatch"
    twice = raw_data(PID, co_representative_names=["A"], co_representative_ids=[PID])
    assert refused(twice).code == "applications.co_representative_duplicate"
    many = raw_data(
        PID, co_representative_names=["A"] * 11, co_representative_ids=[f"0910850012{i:02d}" for i in range(11)]
    )
    assert refused(many).code == "applications.too_many_co_representatives"


def test_the_other_kinds_carry_their_own_keys() -> None:
    update = validate({"phone": "0912345678"}, kind=Kind.UPDATE, category=Category.ENTERPRISE).data
    assert update == {"phone": "0912345678"}
    assert refused({}, kind=Kind.UPDATE).code == "applications.nothing_to_update"
    assert refused({"representative_id": PID}, kind=Kind.UPDATE).code == "applications.unknown_fields"
    lock = validate(
        {"reason": "Mất điện thoại", "authority": ""}, kind=Kind.LOCK, category=Category.ENTERPRISE
    ).data
    assert lock == {"reason": "Mất điện thoại", "authority": "", "document_reference": ""}
    assert refused({"reason": ""}, kind=Kind.REVOKE).code == "applications.reason_required"


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=60), category=st.sampled_from(list(Category)))
def test_any_code_is_either_canonical_or_a_domain_error(code: str, category: Category) -> None:
    error: DomainError | None = None
    try:
        parsed = parse_code(code, category)
    except DomainError as caught:
        error, parsed = caught, ""
    if error is not None:
        assert error.field == "code"
        assert error.message("vi")
    else:
        assert parse_code(parsed, category) == parsed  # canonical is a fixed point
        assert len(parsed) <= 40
