"""Issue 12.7: every module of both plans is either tested — by the test function named after its ID —
or listed in ``plans.NOT_APPLICABLE`` with the reason; never both, never neither."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from tests.federation.conformance import plans, test_oidcc_basic
from tests.federation.conformance.fapi2 import test_authorization, test_dpop, test_tokens

_TESTS: dict[str, tuple[ModuleType, ...]] = {
    "fapi2-security-profile-final-test-plan": (test_authorization, test_dpop, test_tokens),
    "oidcc-basic-certification-test-plan": (test_oidcc_basic,),
}


def _functions(modules: tuple[ModuleType, ...]) -> set[str]:
    return {
        name
        for module in modules
        for name, _value in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("test_")
    }


@pytest.mark.parametrize("plan", sorted(plans.PLANS))
def test_every_module_of_the_plan_is_tested_or_not_applicable_with_a_reason(plan: str) -> None:
    modules = plans.PLANS[plan]
    assert len(modules) == len(set(modules)), "a module ID is listed twice"
    functions = _functions(_TESTS[plan])
    names = {plans.function_for(m) for m in modules}
    assert len(names) == len(modules), "two module IDs map to one test name"
    for module_id in modules:
        tested = plans.function_for(module_id) in functions
        reason = plans.NOT_APPLICABLE.get(module_id, "")
        assert tested != bool(reason), f"{module_id}: tested={tested}, not applicable={bool(reason)}"
        assert not reason or len(reason) > 20, f"{module_id}: give the reason"


@pytest.mark.parametrize("plan", sorted(plans.PLANS))
def test_every_test_belongs_to_a_module_of_the_plan(plan: str) -> None:
    names = {plans.function_for(m) for m in plans.PLANS[plan]}
    for function in _functions(_TESTS[plan]):
        assert any(function == n or function.startswith(n + "_") for n in names), function


def test_not_applicable_names_only_modules_of_the_plans() -> None:
    every = {m for modules in plans.PLANS.values() for m in modules}
    assert set(plans.NOT_APPLICABLE) <= every


def test_the_counts_of_the_plans_as_read() -> None:
    """73 FAPI 2.0 modules (91 of the message-signing plan less 18 needing signing), 38 Basic OP ones."""
    assert (len(plans.FAPI2_SECURITY_PROFILE), len(plans.OIDCC_BASIC)) == (73, 38)
