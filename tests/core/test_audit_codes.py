"""The kernel keeps the mechanism of audit action codes; each app declares its own (issue 11.2)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit_codes
from dinhdanh.core.audit_codes import Actions, actions
from dinhdanh.core.models import AuditEvent

OWNED_BY = {
    "dinhdanh.core": {"access", "calendar", "tasks", "keys", "backup", "retention"},
    "dinhdanh.people": {"auth", "people"},
    "dinhdanh.organizations": {"org"},
    "dinhdanh.applications": {"app"},
    "dinhdanh.registries": {"registries"},
    "dinhdanh.notifications": {"notify"},
    "dinhdanh.geo": {"geo"},
    "dinhdanh.demo": {"system"},
    "dinhdanh.federation": {"federation"},
    "dinhdanh.trust": {"trust"},
    "dinhdanh.campaigns": {"campaign"},
}


def _declared() -> list[type[Actions]]:
    assert apps.ready
    return [cls for cls in Actions.__subclasses__() if cls.__module__.startswith("dinhdanh.")]


def _app(cls: type[Actions]) -> str:
    """The app whose package holds ``cls``'s module (a sub-package's ``audit_actions`` is the app's)."""
    config = apps.get_containing_app_config(cls.__module__)
    assert config is not None, cls
    return config.name


def test_every_app_declares_its_own_codes_in_its_own_namespace() -> None:
    declared = _declared()
    assert {_app(cls) for cls in declared} == set(OWNED_BY)
    for cls in declared:
        assert cls.__module__.endswith(".audit_actions")
        app = _app(cls)
        for member in cls:
            assert str(member.value).split(".", 1)[0] in OWNED_BY[app], member


def test_every_declared_code_is_registered_with_its_label_and_unique() -> None:
    codes = [str(m.value) for cls in _declared() for m in cls]
    assert len(codes) == len(set(codes))
    assert set(codes) <= audit_codes.registered()
    for cls in _declared():
        for member in cls:
            assert audit_codes.label(str(member.value)) == str(member.label)


def test_a_new_action_needs_no_kernel_migration() -> None:
    assert not AuditEvent._meta.get_field("action").choices


def test_an_unknown_code_is_shown_as_itself() -> None:
    assert audit_codes.label("retired.action") == "retired.action"
    event = AuditEvent(action="retired.action")
    assert event.get_action_display() == "retired.action"
    assert AuditEvent(action="org.issued").get_action_display() == audit_codes.label("org.issued")


def test_a_code_outside_the_apps_namespaces_is_refused() -> None:
    with pytest.raises(ValueError, match="not in"):

        @actions("mine")
        class Stray(Actions):
            OTHER = "theirs.done", _("x")


def test_a_code_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared by"):

        @actions("org")
        class Again(Actions):
            ISSUED = "org.issued", _("again")
