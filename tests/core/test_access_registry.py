"""The kernel keeps the mechanism of roles and permissions; the apps declare them (issue 11.2)."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import access
from dinhdanh.core.access import Permission, Role, permissions, roles
from dinhdanh.core.models import RoleAssignment

# The grants as they were when they lived in the kernel: moving them changed no one's rights.
EXPECTED = {
    "intake_officer": {"core.view_back_office", "applications.intake", "people.verify_person"},
    "reviewing_officer": {
        "core.view_back_office",
        "applications.review",
        "applications.answer_verification",
        "registries.view",
        "people.verify_person",
        "people.lock_person",
        "organizations.oversee",
        "registries.exclude_record",
    },
    "partner_clerk": {
        "core.view_back_office",
        "registries.import",
        "registries.view",
        "applications.answer_verification",
    },
    "campaign_manager": {
        "core.view_back_office",
        "registries.manage_campaign",
        "registries.view_campaign",
        "registries.view",
        "registries.exclude_record",
        # Issue 14: plans, their tasks and the units' weekly reports.
        "campaigns.manage_plan",
        "campaigns.view_plan",
        "campaigns.update_task",
        "campaigns.submit_report",
    },
    "system_admin": {"core.view_back_office", "core.administer_system", "core.view_audit_log"},
    # Issue 16.2: people's requests about their personal data.
    "data_protection_officer": {"core.view_back_office", "people.handle_data_request"},
    "citizen": set(),
    "org_admin": set(),
}


def test_the_grants_are_the_same_as_before_the_move() -> None:
    assert {str(r) for r in access.declared_roles()} == set(EXPECTED)
    for role, held in EXPECTED.items():
        assert {str(p) for p in access.grants_of(role)} == held, role
    assert access.staff_roles() == set(EXPECTED) - {"citizen", "org_admin"}


def test_every_permission_is_namespaced_by_the_app_that_declares_it() -> None:
    for permission in access.declared_permissions():
        module = type(permission).__module__
        app = module.split(".")[1]
        assert str(permission).split(".", 1)[0] == app, (permission, module)


def test_a_role_value_no_app_declares_grants_nothing() -> None:
    assert access.role("retired_role") is None
    assert access.grants_of("retired_role") == frozenset()
    assert access.role_label("retired_role") == "retired_role"


def test_adding_a_role_or_permission_needs_no_kernel_migration() -> None:
    assert not RoleAssignment._meta.get_field("role").choices
    assert not RoleAssignment._meta.get_field("partner_source").choices


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match=r"is not 'mine\.<what>'"):

        @permissions("mine")
        class Theirs(Permission):
            X = "theirs.x"

    with pytest.raises(ValueError, match="declared twice"):

        @roles(staff=True)
        class Again(Role):
            CLERK = "partner_clerk", _("again")

    with pytest.raises(ValueError, match="undeclared"):
        access.grant(access.KernelRole.CITIZEN, "core.nothing")  # type: ignore[arg-type]
