from __future__ import annotations

import unicodedata

import pytest

from dinhdanh.core.codes import CodeError
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.logins import login_digest
from dinhdanh.people.models import User
from dinhdanh.people.services import user_create

pytestmark = pytest.mark.django_db

PID = "091085000123"


def _create(**overrides: object) -> User:
    kwargs: dict[str, object] = {
        "actor": None,
        "personal_id": PID,
        "full_name": "Nguyễn Văn An",
        "password": "x" * 12,
    }
    kwargs.update(overrides)
    return user_create(**kwargs)  # type: ignore[arg-type]


def test_the_number_is_stored_only_as_digest_and_mask() -> None:
    user = _create()
    assert user.login_digest == login_digest(PID)
    assert PID not in user.login_digest
    assert user.personal_id_masked.startswith("0910")
    assert PID not in user.personal_id_masked
    event = AuditEvent.objects.get(action="people.user_created")
    assert PID not in str(event.after)
    assert PID not in str(event.before)


def test_nfd_name_is_stored_as_nfc() -> None:
    user = _create(full_name=unicodedata.normalize("NFD", "  Trần   Thị Thủy "))
    assert user.full_name == "Trần Thị Thủy"
    assert unicodedata.is_normalized("NFC", user.full_name)


def test_duplicate_number_is_refused_and_writes_nothing() -> None:
    _create()
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        _create(personal_id=f" {PID} ", full_name="Người Khác")
    assert exc.value.error is PeopleError.ALREADY_REGISTERED
    assert User.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"personal_id": "12345"}, None),
        ({"personal_id": "abcdefghijkl"}, None),
        ({"personal_id": "<script>1</script>"}, None),
        ({"full_name": "   "}, CoreError.EMPTY_VALUE),
        ({"full_name": "A" * 201}, CoreError.TOO_LONG),
        ({"full_name": "Nguyễn\x00An"}, CoreError.CONTROL_CHARACTERS),
    ],
)
def test_bad_input_writes_nothing(overrides: dict[str, object], error: object) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as exc:
        _create(**overrides)
    if error is None:
        assert isinstance(exc.value.error, CodeError)
    else:
        assert exc.value.error is error
    assert not User.objects.exists()
    assert AuditEvent.objects.count() == events
