"""Decree 69 Art. 8: registry changes flow into issued organizations, and only into those."""

from __future__ import annotations

from datetime import date

import pytest

from dinhdanh.core.errors import DomainError
from dinhdanh.geo.models import UnitSuccession
from dinhdanh.organizations.audit_actions import OrganizationAction
from dinhdanh.organizations.models import (
    ChangeOrigin,
    LockGround,
    MemberRole,
    Membership,
    OrganizationChange,
    OrganizationLock,
    OrganizationStatus,
)
from dinhdanh.organizations.services import member_grant, organization_unlock
from dinhdanh.people.models import User
from dinhdanh.registries.services.organization_sync import SyncSummary, sync_from_registry
from dinhdanh.registries.statuses import RegistryStatus
from tests.conftest import make_user
from tests.organizations.factories import commune, make_organization, make_record, make_snapshot
from tests.organizations.support import events, templates_sent_to, with_address

pytestmark = pytest.mark.django_db

CODE = "0101234567"


def test_a_changed_name_and_address_flow_in_and_a_rerun_changes_nothing(rep: User) -> None:
    org = make_organization(representative=rep, code=CODE, name="Công ty TNHH An Phát", street="1 Lê Lợi")
    snapshot = make_snapshot()
    make_record(
        snapshot,
        code=CODE,
        name="Công ty Cổ phần An Phát",
        short_name="AN PHAT JSC",
        address="25 Hai Bà Trưng",
        commune=commune(index=2),
        established_on=date(2010, 1, 2),
        representative_digest=rep.login_digest,
        representative_name=rep.full_name,
    )
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary(updated=1)
    org.refresh_from_db()
    assert org.name == "Công ty Cổ phần An Phát"
    assert org.name_key == "cong ty co phan an phat"
    assert (org.short_name, org.street, org.established_on) == ("AN PHAT JSC", "25 Hai Bà Trưng", date(2010, 1, 2))
    assert org.head_office == commune(index=2)
    assert org.head_office_path == commune(index=2).path
    assert (org.registry_source, org.registry_code) == ("business", CODE)
    change = OrganizationChange.objects.get(organization=org)
    assert (change.origin, change.reference_id) == (ChangeOrigin.REGISTRY, snapshot.pk)
    (event,) = events(org, OrganizationAction.ORG_UPDATED_FROM_REGISTRY)
    assert event.after is not None
    assert event.after["snapshot"] == snapshot.pk

    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary()
    assert OrganizationChange.objects.count() == 1
    assert len(events(org)) == 1


def test_a_registry_address_does_not_repeat_the_commune_and_province(rep: User) -> None:
    """Issue 10 (low): registries write the whole address; the organization keeps the street apart from
    its head office, which every page prints after it, so the sync kept both and pages showed the
    commune and province twice ("…, Phường X, Tỉnh Y, Phường X, Tỉnh Y")."""
    office = commune(index=2)
    province = office.parent
    assert province is not None
    old = UnitSuccession.objects.filter(successor=office).select_related("predecessor__parent__parent").first()
    assert old is not None
    org = make_organization(representative=rep, code=CODE, street="1 Lê Lợi", head_office=office)
    snapshot = make_snapshot()
    record = make_record(
        snapshot, code=CODE, name=org.name, commune=office,
        address=f"Số 25 đường Hai Bà Trưng, {office.name}, {province.name}",
    )  # fmt: skip
    sync_from_registry(snapshot=snapshot, actor=None)
    org.refresh_from_db()
    assert org.street == "Số 25 đường Hai Bà Trưng"
    # The older units and their abbreviations, as exports from before 01/07/2025 write them.
    district = old.predecessor.parent
    assert district is not None
    record.address = f"Tổ 3, ấp Mới, {old.predecessor.name}, TP. {district.short_name}, {province.name}"
    record.fingerprint = "changed"
    record.changed_snapshot = later = make_snapshot()  # the next file
    record.save()
    sync_from_registry(snapshot=later, actor=None)
    org.refresh_from_db()
    assert org.street == "Tổ 3, ấp Mới"


def test_empty_registry_cells_erase_nothing(rep: User) -> None:
    org = make_organization(representative=rep, code=CODE, short_name="APC", street="1 Lê Lợi")
    snapshot = make_snapshot()
    make_record(snapshot, code=CODE, name=org.name, short_name="", address="")
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary()
    org.refresh_from_db()
    assert (org.short_name, org.street) == ("APC", "1 Lê Lợi")


def test_a_new_representative_moves_control_and_ends_the_old_grants(rep: User, other: User) -> None:
    org = make_organization(representative=with_address(rep), code=CODE)
    accountant = make_user("Kế Toán", personal_id="091085000777")
    member_grant(actor=rep, organization=org, personal_id="091085000777", full_powers=True)
    with_address(other)
    snapshot = make_snapshot()
    make_record(
        snapshot,
        code=CODE,
        name=org.name,
        representative_digest=other.login_digest,
        representative_masked=other.personal_id_masked,
        representative_name=other.full_name,
    )
    summary = sync_from_registry(snapshot=snapshot, actor=None)
    assert summary == SyncSummary(representatives_changed=1)
    org.refresh_from_db()
    assert org.representative == other
    live = Membership.objects.filter(organization=org, revoked_at__isnull=True)
    assert [(m.user, m.role) for m in live] == [(other, MemberRole.REPRESENTATIVE)]
    assert Membership.objects.get(organization=org, user=accountant).revoked_at is not None
    (event,) = events(org, OrganizationAction.ORG_REPRESENTATIVE_CHANGED)
    assert event.actor is None
    assert event.after is not None
    assert event.after["snapshot"] == snapshot.pk
    assert templates_sent_to(rep) == ["org_representative_removed"]
    assert templates_sent_to(other) == ["org_representative_added"]
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary()


def test_a_dissolved_organization_is_terminated_and_can_never_be_unlocked(rep: User, officer: User) -> None:
    org = make_organization(representative=rep, code=CODE)
    snapshot = make_snapshot()
    make_record(snapshot, code=CODE, name=org.name, status=RegistryStatus.DISSOLVED, status_text="Đã giải thể")
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary(terminated=1)
    org.refresh_from_db()
    assert org.status == OrganizationStatus.REVOKED
    lock = OrganizationLock.objects.get(organization=org)
    assert (lock.ground, lock.permanent, lock.reference_id) == (LockGround.REGISTRY_TERMINATION, True, snapshot.pk)
    with pytest.raises(DomainError) as caught:
        organization_unlock(actor=officer, organization=org, reason="Xin mở lại")
    assert caught.value.code == "organizations.terminated"
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary()
    assert OrganizationLock.objects.count() == 1


@pytest.mark.parametrize(
    "status", [RegistryStatus.SUSPENDED, RegistryStatus.NOT_AT_ADDRESS, RegistryStatus.UNKNOWN]
)
def test_a_suspended_organization_is_not_terminated(rep: User, status: RegistryStatus) -> None:
    org = make_organization(representative=rep, code=CODE)
    snapshot = make_snapshot()
    make_record(snapshot, code=CODE, name=org.name, status=status)
    sync_from_registry(snapshot=snapshot, actor=None)
    org.refresh_from_db()
    assert org.status == OrganizationStatus.ACTIVE


def test_unrelated_and_unchanged_records_touch_nothing(rep: User) -> None:
    org = make_organization(representative=rep, code=CODE, name="Công ty TNHH An Phát")
    untouched = make_organization(code="0300000001", name="Công ty Khác")
    earlier, snapshot = make_snapshot(), make_snapshot()
    make_record(earlier, code="0300000001", name="Tên Đổi Từ Trước", status=RegistryStatus.DISSOLVED)
    make_record(snapshot, code="0999999999", name="Không ai cấp")  # no organization holds this code
    make_record(snapshot, code=CODE, name="Công ty TNHH An Phát")  # changed elsewhere, name equal
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary()
    untouched.refresh_from_db()
    assert (untouched.name, untouched.status) == ("Công ty Khác", OrganizationStatus.ACTIVE)
    org.refresh_from_db()
    assert org.name == "Công ty TNHH An Phát"
    assert not OrganizationChange.objects.exists()


def test_a_lower_ranked_source_does_not_overwrite_but_its_termination_counts(rep: User) -> None:
    org = make_organization(representative=rep, code=CODE, name="Công ty TNHH An Phát", registry_source="business")
    tax = make_snapshot("tax")
    make_record(tax, code=CODE, name="CTY AN PHAT (thuế)", representative_digest="c" * 64)
    assert sync_from_registry(snapshot=tax, actor=None) == SyncSummary()
    org.refresh_from_db()
    assert org.name == "Công ty TNHH An Phát"
    assert org.representative == rep
    later = make_snapshot("tax")
    make_record(later, code=CODE, name="CTY AN PHAT (thuế)", status=RegistryStatus.REVOKED)
    assert sync_from_registry(snapshot=later, actor=None) == SyncSummary(terminated=1)


def test_many_organizations_are_synced_in_chunks(rep: User, monkeypatch: pytest.MonkeyPatch) -> None:
    import dinhdanh.registries.services.organization_sync as sync

    monkeypatch.setattr(sync, "CHUNK", 3)
    snapshot = make_snapshot()
    orgs = [make_organization(code=f"01000000{i:02d}", name=f"Tên cũ {i}") for i in range(8)]
    for i in range(8):
        make_record(snapshot, code=f"01000000{i:02d}", name=f"Tên mới {i}")
    assert sync_from_registry(snapshot=snapshot, actor=None) == SyncSummary(updated=8)
    assert [o.name for o in type(orgs[0]).objects.order_by("pk")] == [f"Tên mới {i}" for i in range(8)]
