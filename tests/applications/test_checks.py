"""The automatic checks against hand-built registry records (no import involved)."""

from __future__ import annotations

import pytest

from dinhdanh.applications import services
from dinhdanh.applications.models import Application, Check, CheckKind, CheckOutcome
from dinhdanh.registries.selectors.lookup import best_name_matches, records_by_code
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus
from tests.applications.support import NEAR_COMMUNE, commune, officer, person, record, start, submitted

pytestmark = pytest.mark.django_db


def outcome(app: Application) -> dict[str, Check]:
    return {c.kind: c for c in Check.objects.filter(application=app)}


def filed_with_record(*, app_changes: dict[str, str] | None = None, **record_changes: object) -> Application:
    applicant, pid = person()
    app = start(applicant, pid, **(app_changes or {}))
    record_changes.setdefault("representative_id", pid)
    record(app.code, **record_changes)  # type: ignore[arg-type]
    return services.application_submit(actor=applicant, application=app)


def test_everything_matches() -> None:
    app = filed_with_record()
    checks = outcome(app)
    assert {k: c.outcome for k, c in checks.items()} == {
        CheckKind.CODE_VALID: CheckOutcome.PASS,
        CheckKind.CODE_KNOWN: CheckOutcome.PASS,
        CheckKind.STATUS_ACTIVE: CheckOutcome.PASS,
        CheckKind.NAME_MATCH: CheckOutcome.PASS,  # "Công ty TNHH" = "CÔNG TY TRÁCH NHIỆM HỮU HẠN"
        CheckKind.REPRESENTATIVE_MATCH: CheckOutcome.PASS,
        CheckKind.JURISDICTION: CheckOutcome.PASS,
        CheckKind.DUPLICATE: CheckOutcome.PASS,
        CheckKind.ALREADY_ISSUED: CheckOutcome.PASS,
    }
    name = checks[CheckKind.NAME_MATCH]
    assert name.submitted_value == "Công ty TNHH Hoa Sen"
    assert name.registry_source == Source.BUSINESS
    assert name.score == 100.0
    assert checks[CheckKind.REPRESENTATIVE_MATCH].detail == "by_personal_id"
    assert app.in_registry


def test_cty_tnhh_matches_cong_ty_tnhh() -> None:
    app = filed_with_record(app_changes={"name": "CTY TNHH Hoa Sen"}, name="CÔNG TY TNHH HOA SEN")
    assert outcome(app)[CheckKind.NAME_MATCH].outcome == CheckOutcome.PASS


def test_mismatches_show_both_values() -> None:
    _, someone_else = person()
    app = filed_with_record(
        name="Công ty Cổ phần Sông Hậu",
        representative_id=someone_else,
        representative_name="Ngô Văn Khác",
        status=RegistryStatus.DISSOLVED,
        where=commune(NEAR_COMMUNE),
    )
    checks = outcome(app)
    assert checks[CheckKind.NAME_MATCH].outcome == CheckOutcome.MISMATCH
    assert checks[CheckKind.NAME_MATCH].registry_value == "Công ty Cổ phần Sông Hậu"
    assert (checks[CheckKind.NAME_MATCH].score or 0) < 90
    assert checks[CheckKind.STATUS_ACTIVE].outcome == CheckOutcome.MISMATCH
    assert checks[CheckKind.STATUS_ACTIVE].detail == "dissolved"
    rep = checks[CheckKind.REPRESENTATIVE_MATCH]
    assert rep.outcome == CheckOutcome.MISMATCH
    assert "Ngô Văn Khác" in rep.registry_value
    assert checks[CheckKind.JURISDICTION].outcome == CheckOutcome.MISMATCH
    assert checks[CheckKind.JURISDICTION].detail == "registry_lists_another_commune"


def test_representative_by_name_when_the_registry_has_no_number() -> None:
    app = filed_with_record(representative_id="", representative_name="TRẦN VĂN BÌNH")
    rep = outcome(app)[CheckKind.REPRESENTATIVE_MATCH]
    assert (rep.outcome, rep.detail) == (CheckOutcome.PASS, "by_name")


def test_not_in_any_registry() -> None:
    app, _ = submitted()
    checks = outcome(app)
    assert checks[CheckKind.CODE_KNOWN].outcome == CheckOutcome.NOT_FOUND
    assert checks[CheckKind.NAME_MATCH].outcome == CheckOutcome.NOT_FOUND
    assert checks[CheckKind.STATUS_ACTIVE].outcome == CheckOutcome.NOT_FOUND
    assert checks[CheckKind.JURISDICTION].outcome == CheckOutcome.PASS
    assert not app.in_registry


def test_a_disappeared_record_does_not_count() -> None:
    applicant, pid = person()
    app = start(applicant, pid)
    gone = record(app.code, representative_id=pid)
    gone.disappeared_in = gone.changed_snapshot
    gone.save()
    assert records_by_code(app.code) == []
    app = services.application_submit(actor=applicant, application=app)
    assert outcome(app)[CheckKind.CODE_KNOWN].outcome == CheckOutcome.NOT_FOUND


def test_without_a_code_the_name_in_the_commune_is_found() -> None:
    from dinhdanh.applications.models import ApplicationChannel, Capacity, Kind
    from dinhdanh.organizations.categories import Category

    applicant, pid = person()
    record("KS-31027-0001", "Chùa Phước Hưng", source=Source.SURVEY, representative_id=pid)
    data = {
        "name": "Chùa Phước Hưng",
        "head_office_code": "30292",
        "founding_document_number": "01/GP",
        "founding_document_date": "2000-01-01",
        "founding_document_issuer": "Ban Tôn giáo",
        "representative_name": applicant.full_name,
        "representative_id": pid,
    }
    app = services.application_start(
        actor=applicant,
        kind=Kind.NEW,
        channel=ApplicationChannel.ONLINE,
        capacity=Capacity.REPRESENTATIVE,
        category=Category.OTHER,
        data=data,
    )
    app = services.application_submit(actor=applicant, application=app)
    checks = outcome(app)
    assert checks[CheckKind.CODE_VALID].outcome == CheckOutcome.SKIPPED
    assert checks[CheckKind.CODE_KNOWN].outcome == CheckOutcome.PASS
    assert checks[CheckKind.CODE_KNOWN].detail == "matched_by_name_and_commune"
    assert app.in_registry
    assert app.open_key is not None
    assert app.open_key.startswith("name:")


def test_competing_requests_are_flagged() -> None:
    first, _ = submitted(name="Công ty TNHH Sen Vàng")
    applicant, pid = person()
    other = start(applicant, pid, name="Công ty TNHH Sen Vàng")  # another code, same name
    services.application_submit(actor=applicant, application=other)
    # Same code: refused at once; same name in another request: fine, different organizations.
    assert outcome(other)[CheckKind.DUPLICATE].outcome == CheckOutcome.PASS
    applicant2, pid2 = person()
    third = start(applicant2, pid2)
    third_code_twin = Application.objects.filter(pk=third.pk)
    third_code_twin.update(code=first.code)  # a draft that changed its code after the first was filed
    checks = services.application_recheck(actor=officer(), application=first)
    assert {c.kind: c.outcome for c in checks}[CheckKind.DUPLICATE] == CheckOutcome.PASS  # drafts do not compete


def test_recheck_after_a_registry_import_changes_the_time_limit() -> None:
    app, _ = submitted()
    assert not app.in_registry
    record(app.code)
    checks = services.application_recheck(actor=officer(), application=app)
    fresh = Application.objects.get(pk=app.pk)
    assert fresh.in_registry
    assert {c.kind: c.outcome for c in checks}[CheckKind.CODE_KNOWN] == CheckOutcome.PASS
    assert fresh.due_at is not None
    assert app.due_at is not None
    assert fresh.due_at < app.due_at


def test_best_name_matches() -> None:
    record("0100109106", "CÔNG TY TNHH HOA SEN")
    record("0100109106-001", "Công ty Cổ phần Mạc Cửu")
    found = best_name_matches("Cty TNHH Hoa Sen", unit_path=commune().path, limit=2)
    assert found[0][0].code == "0100109106"
    assert found[0][1] == 100.0
    assert best_name_matches("Cty TNHH Hoa Sen")[0][1] == 100.0  # exact key anywhere
    assert best_name_matches("") == []
