"""Issue 10, point 4: a file is the complete list of a territory only when it says so, and then marks
as "no longer listed" only the records of that territory, after confirmation when that is many."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.organizations.models import OrganizationStatus
from dinhdanh.registries.errors import RegistryError
from dinhdanh.registries.models import Coverage, Record, Snapshot, SnapshotStatus
from dinhdanh.registries.services.coverage import declare
from dinhdanh.registries.services.imports import import_file
from tests.registries.list_support import HANOI, A, B, rows, tax_codes, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def listed(commune: str = "") -> set[str]:
    records = Record.objects.filter(disappeared_in__isnull=True)
    if commune:
        records = records.filter(commune__code=commune)
    return set(records.values_list("code", flat=True))


def test_a_one_row_file_of_one_province_never_marks_another_provinces_records_gone(tmp_path: Path) -> None:
    """The review's case: one row from An Giang marked Hà Nội's whole list "no longer listed"."""
    import_file(source="business", path=write(tmp_path / "hn.csv", rows(HANOI, 100_000_000, 25)), actor=None)
    summary = import_file(source="business", path=write(tmp_path / "ag.csv", rows(A, 200_000_000, 1)), actor=None)
    assert (summary.disappeared, summary.coverage, summary.territory) == (0, "partial", "")
    assert len(listed(HANOI)) == 25
    assert Snapshot.objects.get(pk=summary.snapshot).coverage == Coverage.PARTIAL


def test_a_complete_list_marks_gone_only_inside_its_territory(tmp_path: Path) -> None:
    everything = rows(A, 100_000_000, 3) + rows(B, 110_000_000, 2) + rows(HANOI, 120_000_000, 2)
    everything += [[tax_codes(130_000_000, 1)[0], "Công ty TNHH Chưa Rõ Xã", "", "Đang hoạt động"]]
    import_file(source="business", path=write(tmp_path / "all.csv", everything), actor=None)
    kept = everything[0]
    summary = import_file(
        source="business",
        path=write(tmp_path / "ag.csv", [kept]),
        actor=None,
        declared=declare(complete=True, territory="91"),
    )
    assert (summary.disappeared, summary.coverage, summary.territory) == (4, "complete", "91")
    assert listed(A) == {kept[0]}
    assert not listed(B)
    assert len(listed(HANOI)) == 2  # another province
    assert Record.objects.get(code=everything[-1][0]).disappeared_in is None  # no commune: in no province
    shot = Snapshot.objects.get(pk=summary.snapshot)
    assert (shot.coverage, shot.territory.code if shot.territory else "") == (Coverage.COMPLETE, "91")


def test_communes_surveys_never_wipe_each_other(tmp_path: Path) -> None:
    survey_a = [[f"KS-{A}-{n:04d}", f"Chùa {n}", A, ""] for n in range(1, 6)]
    survey_b = [[f"KS-{B}-{n:04d}", f"Nhà thờ {n}", B, ""] for n in range(1, 4)]
    for commune, data in ((A, survey_a), (B, survey_b)):
        summary = import_file(
            source="survey",
            path=write(tmp_path / f"{commune}.csv", data),
            actor=None,
            declared=declare(complete=True, territory=commune),
        )
        assert summary.disappeared == 0
    assert len(listed(A)) == 5
    assert len(listed(B)) == 3
    again = import_file(
        source="survey",
        path=write(tmp_path / "a2.csv", survey_a[:4]),
        actor=None,
        declared=declare(complete=True, territory=A),
    )
    assert again.disappeared == 1
    assert len(listed(B)) == 3


@pytest.mark.parametrize(
    ("territory", "error"),
    [
        ("", RegistryError.TERRITORY_REQUIRED),
        ("99", RegistryError.UNKNOWN_TERRITORY),
        ("x", RegistryError.UNKNOWN_TERRITORY),
    ],
)
def test_a_complete_list_must_name_a_real_territory(territory: str, error: RegistryError) -> None:
    with pytest.raises(DomainError) as refused:
        declare(complete=True, territory=territory)
    assert refused.value.error is error
    assert refused.value.message("vi")
    assert refused.value.message("en")


def test_marking_many_records_gone_waits_for_confirmation(tmp_path: Path, settings: Any) -> None:
    settings.REGISTRY_DISAPPEAR_CONFIRM_PERCENT, settings.REGISTRY_DISAPPEAR_CONFIRM_MIN = 5, 20
    forty = rows(A, 100_000_000, 40)
    import_file(source="business", path=write(tmp_path / "all.csv", forty), actor=None)
    one = write(tmp_path / "one.csv", forty[:1])
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=one, actor=None, declared=declare(complete=True, territory="91"))
    assert refused.value.error is RegistryError.CONFIRM_DISAPPEARANCE
    assert refused.value.status == 409
    message = refused.value.message("vi")
    assert "39" in message
    assert "40" in message
    assert "Tỉnh An Giang" in message
    assert len(listed()) == 40  # nothing changed
    assert Snapshot.objects.order_by("-pk").first().status == SnapshotStatus.FAILED  # type: ignore[union-attr]
    confirmed = declare(complete=True, territory="91", confirmed=True)
    summary = import_file(source="business", path=one, actor=None, declared=confirmed)
    assert summary.disappeared == 39


def test_the_same_file_declared_complete_is_imported_again(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", rows(A, 100_000_000, 2))
    import_file(source="business", path=path, actor=None)
    import_file(source="business", path=write(tmp_path / "b.csv", rows(A, 300_000_000, 1)), actor=None)
    again = import_file(source="business", path=path, actor=None, declared=declare(complete=True, territory=A))
    assert not again.already_imported
    assert again.disappeared == 1


def test_the_command_line_says_what_the_file_covers(tmp_path: Path, settings: Any) -> None:
    settings.REGISTRY_DISAPPEAR_CONFIRM_PERCENT, settings.REGISTRY_DISAPPEAR_CONFIRM_MIN = 5, 20
    path = write(tmp_path / "all.csv", rows(A, 100_000_000, 30))
    with pytest.raises(CommandError):  # neither --partial nor --complete
        call_command("import_registry", "--source", "business", str(path))
    out = io.StringIO()
    call_command("import_registry", "--source", "business", "--partial", str(path), stdout=out)
    assert json.loads(out.getvalue())["coverage"] == "partial"
    one = write(tmp_path / "one.csv", rows(A, 100_000_000, 1))
    with pytest.raises(DomainError) as refused:
        call_command("import_registry", "--source", "business", "--complete", "91", str(one))
    assert refused.value.error is RegistryError.CONFIRM_DISAPPEARANCE
    out = io.StringIO()
    call_command(
        "import_registry", "--source", "business", "--complete", "91", "--confirm-disappearance", str(one),
        stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["disappeared"] == 29


def test_a_clerk_declares_complete_lists_only_for_a_territory_of_theirs(tmp_path: Path, an_giang: Any) -> None:
    from tests.registries.web.support import clerk

    user = clerk(an_giang, "business")
    path = write(tmp_path / "a.csv", rows(A, 100_000_000, 2))
    with pytest.raises(DomainError) as refused:
        import_file(source="business", path=path, actor=user, declared=declare(complete=True, territory="01"))
    assert refused.value.error is CoreError.OUT_OF_JURISDICTION
    denied = AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=user).get()
    assert denied.after is not None
    assert denied.after["territory"] == "01"
    with pytest.raises(DomainError):
        import_file(source="business", path=path, actor=user, declared=declare(complete=True, territory="all"))
    summary = import_file(source="business", path=path, actor=user, declared=declare(complete=True, territory=A))
    assert summary.accepted == 2


def test_organizations_are_never_touched_by_records_gone_or_outside_the_territory(tmp_path: Path) -> None:
    from tests.organizations.factories import make_organization

    here, there = rows(A, 100_000_000, 2), rows(HANOI, 120_000_000, 1)
    import_file(source="business", path=write(tmp_path / "all.csv", here + there), actor=None)
    gone = make_organization(code=here[1][0], name=here[1][1])
    elsewhere = make_organization(code=there[0][0], name=there[0][1])
    summary = import_file(
        source="business",
        path=write(tmp_path / "ag.csv", here[:1]),
        actor=None,
        declared=declare(complete=True, territory="91"),
    )
    assert (summary.disappeared, summary.organizations_terminated, summary.organizations_updated) == (1, 0, 0)
    for organization in (gone, elsewhere):
        organization.refresh_from_db()
        assert organization.status == OrganizationStatus.ACTIVE
    assert Record.objects.get(code=there[0][0]).disappeared_in is None
