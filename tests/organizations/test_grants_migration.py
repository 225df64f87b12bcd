"""Issue 12.0: migrating the free-text ``Membership.services`` list to explicit data keeps what each
membership meant — an empty list was every service (now full powers), a list becomes grant rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("organizations", "0006_drop_origin_foreign_keys")]
AFTER = [("organizations", "0007_service_registry_member_grants")]


def test_the_services_list_becomes_full_powers_or_grant_rows() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("people", "User")
    Organization = old.get_model("organizations", "Organization")
    Membership = old.get_model("organizations", "Membership")
    units = old.get_model("geo", "AdministrativeUnit")
    office, _created = units.objects.get_or_create(  # units may have been flushed by an earlier test
        path="T99/T99001", defaults={"scheme": "current", "level": "commune", "code": "T9901", "name": "Xã Thử",
                                     "short_name": "Thử", "division_type": "xã", "province_code": "T99",
                                     "search_key": "xa thu"},
    )  # fmt: skip
    org = Organization.objects.create(
        eid="00000000991", category="enterprise", name="Công ty Di Trú", name_key="cong ty di tru",
        head_office=office, head_office_path=office.path, representative_name="Đại Diện",
        representative_digest="d" * 64, representative_masked="0910******00", issued_at=timezone.now(),
        updated_at=timezone.now(),
    )  # fmt: skip
    people = [User.objects.get(pk=make_user(f"Người {n}").pk) for n in range(3)]  # accounts are people's
    until = timezone.now() + timedelta(days=30)
    Membership.objects.create(organization=org, user=people[0], role="representative", services=[])
    Membership.objects.create(organization=org, user=people[1], role="member", services=[])
    Membership.objects.create(
        organization=org, user=people[2], role="member", services=["thue", "bhxh", "thue"], valid_until=until
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Membership = new.get_model("organizations", "Membership")
    MemberGrant = new.get_model("organizations", "MemberGrant")
    Service = new.get_model("organizations", "Service")
    powers = dict(
        Membership.objects.filter(organization__eid="00000000991").values_list("user__full_name", "full_powers")
    )
    assert powers == {"Người 0": True, "Người 1": True, "Người 2": False}
    grants = MemberGrant.objects.filter(membership__user__full_name="Người 2").order_by("service__code")
    assert [(g.service.code, g.valid_until) for g in grants] == [("bhxh", until), ("thue", until)]
    assert set(Service.objects.values_list("code", flat=True)) >= {"bhxh", "thue"}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest state for the other tests
