"""Zones that hold (issue 11.6): every route of every zone, walked through Django's resolver (ninja's
operations included), against a table written here. A new route that is not in the table fails the
test, so nobody mounts a back-office route on the Internet-facing zone by forgetting."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import Router

import dinhdanh
from dinhdanh.http.zones import Zone, zone_of
from tests.web.support import deploy_zone

# (route, name, zone); "-" is a route without a name.
ROUTES: list[tuple[str, str, Zone]] = [
    ("", "web:home", Zone.BOTH),
    (".well-known/openid-configuration", "federation:discovery", Zone.OUTER),
    (".well-known/jwks.json", "federation:jwks", Zone.OUTER),
    ("oauth/authorize", "federation:authorize", Zone.OUTER),
    ("oauth/userinfo", "federation:userinfo", Zone.OUTER),
    ("oauth/token", "federation:token", Zone.OUTER),
    ("oauth/introspect", "federation:introspect", Zone.OUTER),
    ("oauth/revoke", "federation:revoke", Zone.OUTER),
    ("oauth/par", "federation:par", Zone.OUTER),
    ("oauth/logout", "federation:logout", Zone.OUTER),
    ("me/connected-apps/", "federation:consents", Zone.OUTER),
    ("me/connected-apps/<int:pk>/revoke/", "federation:consent_revoke", Zone.OUTER),
    ("me/organizations-activity/", "organization_trust:my_activity", Zone.OUTER),
    ("^trust/attestations/(?P<eid>[0-9]{11})/$", "attestations:member", Zone.OUTER),
    ("^trust/attestations/(?P<eid>[0-9]{11})/issue/$", "attestations:issue", Zone.OUTER),
    ("^trust/attestations/(?P<eid>[0-9]{11})/(?P<pk>[0-9]{1,12})/revoke/$", "attestations:revoke", Zone.OUTER),
    ("trust/attestations/check", "attestations:check", Zone.OUTER),
    ("trust/status-lists/<int:pk>", "attestations:status_list", Zone.OUTER),
    ("api/v1/attestations/", "api:request_attestation", Zone.OUTER),
    ("api/v1/notices/dead", "api:notices_dead", Zone.OUTER),
    ("api/v1/notices/poll", "api:notices_poll", Zone.OUTER),
    ("api/v1/notices/receiver", "api:notices_receiver", Zone.OUTER),
    ("api/v1/notices/receiver", "api:notices_receiver_set", Zone.OUTER),
    ("api/v1/notices/subscriptions", "api:notices_subscribe", Zone.OUTER),
    ("api/v1/notices/subscriptions", "api:notices_subscriptions", Zone.OUTER),
    ("api/v1/notices/subscriptions/<eid>", "api:notices_unsubscribe", Zone.OUTER),
    ("campaigns/", "campaigns:plans", Zone.INNER),
    ("campaigns/<slug:slug>/", "campaigns:plan", Zone.INNER),
    ("campaigns/<slug:slug>/documents/", "campaigns:documents", Zone.INNER),
    ("campaigns/<slug:slug>/documents/download/", "campaigns:document_download", Zone.INNER),
    ("campaigns/<slug:slug>/edit/", "campaigns:plan_edit", Zone.INNER),
    ("campaigns/<slug:slug>/edit/phases/<int:pk>/", "campaigns:phase_edit", Zone.INNER),
    ("campaigns/<slug:slug>/edit/status/", "campaigns:plan_status", Zone.INNER),
    ("campaigns/<slug:slug>/edit/targets/<int:pk>/", "campaigns:target_edit", Zone.INNER),
    ("campaigns/<slug:slug>/edit/targets/<int:pk>/allocation/", "campaigns:allocation_edit", Zone.INNER),
    ("campaigns/<slug:slug>/edit/tasks/<int:pk>/", "campaigns:task_edit", Zone.INNER),
    ("campaigns/<slug:slug>/reports/", "campaigns:reports", Zone.INNER),
    ("campaigns/<slug:slug>/reports/province/", "campaigns:province_report", Zone.INNER),
    ("campaigns/<slug:slug>/reports/province/submit/", "campaigns:province_report_submit", Zone.INNER),
    ("campaigns/<slug:slug>/reports/submit/", "campaigns:report_submit", Zone.INNER),
    ("campaigns/<slug:slug>/tasks/", "campaigns:tasks", Zone.INNER),
    ("campaigns/<slug:slug>/tasks/<int:pk>/", "campaigns:task", Zone.INNER),
    ("campaigns/<slug:slug>/tasks/<int:pk>/evidence/<int:update_pk>/", "campaigns:task_evidence", Zone.INNER),
    ("campaigns/units/", "campaigns:units", Zone.INNER),
    ("campaigns/units/<str:code>/", "campaigns:unit", Zone.INNER),
    ("trust/credentials/", "credentials:dashboard", Zone.INNER),
    ("trust/credentials/<int:pk>/remove/", "credentials:partner_remove", Zone.INNER),
    ("trust/credentials/partners/add/", "credentials:partner_add", Zone.INNER),
    ("trust/notices/", "notices_admin:clients", Zone.INNER),
    ("trust/notices/<int:pk>/requeue/", "notices_admin:requeue", Zone.INNER),
    ("trust/notices/<slug:client_id>/", "notices_admin:client", Zone.INNER),
    ("me/connected-apps/default/clear/", "federation:default_clear", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/$", "organizations:profile", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/activity/$", "organization_trust:activity", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/connected-apps/$", "organization_trust:connected_apps", Zone.OUTER),
    (
        "^organizations/(?P<eid>[0-9]{11})/connected-apps/(?P<pk>[0-9]{1,12})/revoke/$",
        "organization_trust:connected_app_revoke",
        Zone.OUTER,
    ),
    ("^organizations/(?P<eid>[0-9]{11})/claim/$", "organizations:claim", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/history/$", "organizations:history", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/members/$", "organizations:members", Zone.OUTER),
    (
        "^organizations/(?P<eid>[0-9]{11})/members/(?P<pk>[0-9]{1,12})/revoke/$",
        "organizations:member_revoke",
        Zone.OUTER,
    ),
    ("^organizations/(?P<eid>[0-9]{11})/members/grant/$", "organizations:member_grant", Zone.OUTER),
    (
        "^organizations/(?P<eid>[0-9]{11})/members/grant/confirm/$",
        "organizations:member_grant_confirm",
        Zone.OUTER,
    ),
    ("^organizations/(?P<eid>[0-9]{11})/requests/$", "organizations:requests", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/requests/lock/$", "applications:org_lock_request", Zone.OUTER),
    ("^organizations/(?P<eid>[0-9]{11})/requests/update/$", "applications:org_update_request", Zone.OUTER),
    ("admin/", "admin:index", Zone.INNER),
    ("admin/(?P<url>.*)$", "-", Zone.INNER),
    ("admin/^(?P<app_label>auth|django_tasks_database)/$", "admin:app_list", Zone.INNER),
    ("admin/auth/group/", "admin:auth_group_changelist", Zone.INNER),
    ("admin/auth/group/<path:object_id>/", "-", Zone.INNER),
    ("admin/auth/group/<path:object_id>/change/", "admin:auth_group_change", Zone.INNER),
    ("admin/auth/group/<path:object_id>/delete/", "admin:auth_group_delete", Zone.INNER),
    ("admin/auth/group/<path:object_id>/history/", "admin:auth_group_history", Zone.INNER),
    ("admin/auth/group/add/", "admin:auth_group_add", Zone.INNER),
    ("admin/autocomplete/", "admin:autocomplete", Zone.INNER),
    # django-tasks-db's task results (decision 0017), read-only for operators.
    (
        "admin/django_tasks_database/dbtaskresult/",
        "admin:django_tasks_database_dbtaskresult_changelist",
        Zone.INNER,
    ),
    ("admin/django_tasks_database/dbtaskresult/<path:object_id>/", "-", Zone.INNER),
    (
        "admin/django_tasks_database/dbtaskresult/<path:object_id>/change/",
        "admin:django_tasks_database_dbtaskresult_change",
        Zone.INNER,
    ),
    (
        "admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/",
        "admin:django_tasks_database_dbtaskresult_delete",
        Zone.INNER,
    ),
    (
        "admin/django_tasks_database/dbtaskresult/<path:object_id>/history/",
        "admin:django_tasks_database_dbtaskresult_history",
        Zone.INNER,
    ),
    ("admin/django_tasks_database/dbtaskresult/add/", "admin:django_tasks_database_dbtaskresult_add", Zone.INNER),
    ("admin/jsi18n/", "admin:jsi18n", Zone.INNER),
    ("admin/login/", "admin:login", Zone.INNER),
    ("admin/logout/", "admin:logout", Zone.INNER),
    ("admin/password_change/", "admin:password_change", Zone.INNER),
    ("admin/password_change/done/", "admin:password_change_done", Zone.INNER),
    ("admin/r/<path:content_type_id>/<path:object_id>/", "admin:view_on_site", Zone.INNER),
    ("api/docs", "-", Zone.BOTH),
    ("api/v1/", "api:api-root", Zone.BOTH),
    ("api/v1/applications/", "api:applications_mine", Zone.OUTER),
    ("api/v1/applications/", "api:applications_start", Zone.OUTER),
    ("api/v1/applications/<int:application_id>", "api:applications_detail", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/approve", "api:applications_approve", Zone.INNER),
    ("api/v1/applications/<int:application_id>/ask-supplement", "api:applications_ask_supplement", Zone.INNER),
    ("api/v1/applications/<int:application_id>/assign", "api:applications_assign", Zone.INNER),
    ("api/v1/applications/<int:application_id>/consent", "api:applications_consent", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/documents", "api:applications_add_document", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/draft", "api:applications_update_draft", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/recheck", "api:applications_recheck", Zone.INNER),
    ("api/v1/applications/<int:application_id>/reject", "api:applications_reject", Zone.INNER),
    ("api/v1/applications/<int:application_id>/submit", "api:applications_submit", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/supplement", "api:applications_supplement", Zone.OUTER),
    ("api/v1/applications/<int:application_id>/verifications", "api:applications_verification_ask", Zone.INNER),
    ("api/v1/applications/<int:application_id>/withdraw", "api:applications_withdraw", Zone.OUTER),
    ("api/v1/applications/consents", "api:applications_consents", Zone.OUTER),
    ("api/v1/applications/documents/<int:document_id>", "api:applications_document", Zone.OUTER),
    ("api/v1/applications/officer/<int:application_id>", "api:applications_officer_detail", Zone.INNER),
    ("api/v1/applications/queue", "api:applications_queue", Zone.INNER),
    ("api/v1/applications/verifications", "api:applications_verifications", Zone.INNER),
    (
        "api/v1/applications/verifications/<int:verification_id>/answer",
        "api:applications_verification_answer",
        Zone.INNER,
    ),
    (
        "api/v1/applications/verifications/<int:verification_id>/cancel",
        "api:applications_verification_cancel",
        Zone.INNER,
    ),
    ("api/v1/auth/csrf", "api:auth_csrf", Zone.BOTH),
    ("api/v1/auth/second-factor", "api:auth_second_factor", Zone.BOTH),
    ("api/v1/auth/signin", "api:auth_signin", Zone.BOTH),
    ("api/v1/auth/signout", "api:auth_signout", Zone.BOTH),
    ("api/v1/auth/step-up", "api:auth_step_up", Zone.BOTH),
    ("api/v1/docs", "api:openapi-view", Zone.BOTH),
    ("api/v1/me", "api:me", Zone.BOTH),
    ("api/v1/me/data-requests", "api:data_requests_mine", Zone.BOTH),
    ("api/v1/me/data-copy", "api:data_copy", Zone.BOTH),
    ("api/v1/me/data-requests", "api:data_requests_file", Zone.BOTH),
    ("api/v1/data-requests", "api:data_requests_queue", Zone.INNER),
    ("api/v1/data-requests/<pk>", "api:data_requests_decide", Zone.INNER),
    ("api/v1/openapi.json", "api:openapi-json", Zone.BOTH),
    ("api/v1/organizations/<eid>", "api:organization_detail", Zone.BOTH),
    ("api/v1/organizations/<eid>/history", "api:organization_history", Zone.BOTH),
    ("api/v1/organizations/<eid>/lock", "api:organization_lock", Zone.BOTH),
    ("api/v1/organizations/<eid>/members", "api:organization_member_grant", Zone.BOTH),
    ("api/v1/organizations/<eid>/members/preview", "api:organization_member_grant_preview", Zone.BOTH),
    ("api/v1/organizations/<eid>/members/confirm", "api:organization_member_grant_confirm", Zone.BOTH),
    ("api/v1/organizations/<eid>/members", "api:organization_members", Zone.BOTH),
    ("api/v1/organizations/<eid>/members/<member_id>/revoke", "api:organization_member_revoke", Zone.BOTH),
    ("api/v1/organizations/<eid>/unlock", "api:organization_unlock", Zone.BOTH),
    ("api/v1/organizations/control/<eid>/attach-representative", "api:organization_attach", Zone.INNER),
    ("api/v1/organizations/control/<eid>/claim", "api:organization_claim", Zone.OUTER),
    ("api/v1/organizations/control/claimable", "api:organizations_claimable", Zone.OUTER),
    ("api/v1/organizations/control/orphaned", "api:organizations_orphaned", Zone.INNER),
    ("api/v1/organizations/mine", "api:organizations_mine", Zone.BOTH),
    ("api/v1/organizations/switch", "api:organizations_switch", Zone.BOTH),
    ("api/v1/passkeys/register/options", "api:passkey_register_options", Zone.BOTH),
    ("api/v1/passkeys/register/verify", "api:passkey_register_verify", Zone.BOTH),
    ("api/v1/passkeys/second-factor/options", "api:passkey_second_factor_options", Zone.BOTH),
    ("api/v1/passkeys/second-factor/verify", "api:passkey_second_factor_verify", Zone.BOTH),
    ("api/v1/passkeys/signin/options", "api:passkey_signin_options", Zone.BOTH),
    ("api/v1/passkeys/signin/verify", "api:passkey_signin_verify", Zone.BOTH),
    ("api/v1/passkeys/step-up/options", "api:passkey_step_up_options", Zone.BOTH),
    ("api/v1/passkeys/step-up/verify", "api:passkey_step_up_verify", Zone.BOTH),
    ("api/v1/registries/<source>/records", "api:registries_push_records", Zone.INNER),
    ("api/v1/registries/baselines", "api:baselines", Zone.INNER),
    ("api/v1/registries/baselines", "api:baselines_take", Zone.INNER),
    ("api/v1/campaigns/plans", "api:campaign_plans", Zone.INNER),
    ("api/v1/campaigns/plans/<slug>", "api:campaign_plan", Zone.INNER),
    ("api/v1/campaigns/plans/<slug>/reports", "api:campaign_reports", Zone.INNER),
    ("api/v1/campaigns/units", "api:campaign_units", Zone.INNER),
    ("api/v1/campaigns/units/<code>", "api:campaign_unit", Zone.INNER),
    ("api/v1/registries/reconcile/cleansing", "api:reconcile_cleansing", Zone.INNER),
    ("api/v1/registries/reconcile/differences", "api:reconcile_differences", Zone.INNER),
    ("api/v1/registries/reconcile/exclusions", "api:reconcile_exclusion_set", Zone.INNER),
    ("api/v1/registries/reconcile/exclusions", "api:reconcile_exclusions", Zone.INNER),
    ("api/v1/registries/reconcile/exclusions/<exclusion_id>/lift", "api:reconcile_exclusion_lift", Zone.INNER),
    ("api/v1/registries/reconcile/outreach", "api:reconcile_outreach", Zone.INNER),
    ("api/v1/registries/reconcile/outreach.xlsx", "api:reconcile_outreach_xlsx", Zone.INNER),
    ("api/v1/units", "api:list_units", Zone.BOTH),
    ("api/v1/units/communes", "api:find_communes", Zone.BOTH),
    ("api/v1/units/<scheme>/<level>/<code>", "api:get_unit", Zone.BOTH),
    ("api/v1/verify/batch", "api:verify_batch", Zone.OUTER),
    ("api/v1/verify/organization", "api:verify_organization", Zone.OUTER),
    ("api/v1/verify/person", "api:verify_person", Zone.OUTER),
    ("applications/documents/<int:pk>/", "applications:officer_document", Zone.INNER),
    ("applications/intake/", "applications:intake", Zone.INNER),
    ("applications/intake/<int:pk>/", "applications:intake_person", Zone.INNER),
    ("applications/organizations/", "organizations_officer:list", Zone.INNER),
    ("applications/organizations/<str:eid>/", "organizations_officer:organization", Zone.INNER),
    ("applications/organizations/<str:eid>/attach/", "organizations_officer:attach", Zone.INNER),
    ("applications/organizations/<str:eid>/lock/", "organizations_officer:lock", Zone.INNER),
    ("applications/organizations/<str:eid>/unlock/", "organizations_officer:unlock", Zone.INNER),
    ("applications/organizations/orphaned/", "organizations_officer:orphaned", Zone.INNER),
    ("applications/queue/", "applications:queue", Zone.INNER),
    ("applications/queue/<int:pk>/", "applications:review", Zone.INNER),
    ("applications/queue/<int:pk>/<slug:action>/", "applications:review_action", Zone.INNER),
    (
        "applications/queue/<int:pk>/verifications/<int:verification_pk>/cancel/",
        "applications:verification_cancel",
        Zone.INNER,
    ),
    ("applications/verifications/", "applications:verifications", Zone.INNER),
    ("applications/verifications/<int:pk>/", "applications:verification_answer", Zone.INNER),
    ("audit/", "web:audit", Zone.INNER),
    ("calendar/", "web:calendar", Zone.INNER),
    ("healthz", "-", Zone.BOTH),
    ("metrics", "ops:metrics", Zone.INNER),
    ("i18n/setlang/", "set_language", Zone.BOTH),
    ("me/", "people:me", Zone.BOTH),
    ("me/security/", "people:security", Zone.BOTH),
    ("me/security/lock/", "people:lock_self", Zone.BOTH),
    ("me/data-requests/", "people:data_requests", Zone.BOTH),
    ("me/data-requests/copy.json", "people:data_copy", Zone.BOTH),
    ("me/security/passkeys/<int:pk>/remove/", "people:passkey_remove", Zone.BOTH),
    ("me/security/password/", "people:password_change", Zone.BOTH),
    ("me/security/recovery-codes/", "people:recovery_regenerate", Zone.BOTH),
    ("me/security/sessions/<str:pk>/end/", "people:session_revoke", Zone.BOTH),
    ("me/security/totp/", "people:totp_enrol", Zone.BOTH),
    ("me/security/totp/remove/", "people:totp_remove", Zone.BOTH),
    ("organizations/", "organizations:hub", Zone.OUTER),
    ("organizations/register/", "applications:register", Zone.OUTER),
    ("organizations/register/category/", "applications:register_category", Zone.OUTER),
    ("organizations/register/data/", "applications:register_data", Zone.OUTER),
    ("organizations/register/validate/", "applications:register_validate", Zone.OUTER),
    ("organizations/requests/<int:pk>/", "applications:detail", Zone.OUTER),
    ("organizations/requests/<int:pk>/confirm/", "applications:confirm", Zone.OUTER),
    ("organizations/requests/<int:pk>/consent/", "applications:consent", Zone.OUTER),
    ("organizations/requests/<int:pk>/created/", "applications:created", Zone.OUTER),
    ("organizations/requests/<int:pk>/documents/<int:document_pk>/", "applications:document", Zone.OUTER),
    ("organizations/requests/<int:pk>/edit/", "applications:edit", Zone.OUTER),
    ("organizations/requests/<int:pk>/supplement/", "applications:supplement", Zone.OUTER),
    ("organizations/requests/<int:pk>/withdraw/", "applications:withdraw", Zone.OUTER),
    ("organizations/switch/", "organizations:switch", Zone.OUTER),
    ("outbox/", "notifications:outbox", Zone.INNER),
    ("me/notifications/", "inbox:list", Zone.BOTH),
    ("me/notifications/read/", "inbox:read", Zone.BOTH),
    ("outbox/<int:pk>/retry/", "notifications:retry", Zone.INNER),
    ("password/reset/", "people:password_reset", Zone.OUTER),
    ("people/", "people:desk", Zone.INNER),
    ("people/<int:pk>/", "people:person", Zone.INNER),
    ("people/<int:pk>/level2/", "people:person_level2", Zone.INNER),
    ("people/<int:pk>/lock/", "people:person_lock", Zone.INNER),
    ("people/<int:pk>/phone/", "people:person_phone", Zone.INNER),
    ("people/<int:pk>/unlock/", "people:person_unlock", Zone.INNER),
    ("people/reviews/", "people:reviews", Zone.INNER),
    ("people/data-requests/", "people:data_request_queue", Zone.INNER),
    ("people/data-requests/<int:pk>/", "people:data_request_decide", Zone.INNER),
    ("people/staff/", "people:staff", Zone.INNER),
    ("people/staff/<int:pk>/remove/", "people:staff_remove", Zone.INNER),
    ("people/reviews/<int:pk>/", "people:review_decide", Zone.INNER),
    ("people/reviews/<int:pk>/portrait/", "people:review_portrait", Zone.INNER),
    ("readyz", "-", Zone.BOTH),
    ("register/", "people:register", Zone.OUTER),
    ("register/confirm/", "people:register_confirm", Zone.OUTER),
    ("registries/", "registries:lists", Zone.INNER),
    ("registries/jobs/<int:pk>/", "registries:job", Zone.INNER),
    ("registries/jobs/<int:pk>/status", "registries:job_status", Zone.INNER),
    ("registries/reconcile/", "registries:reconcile_home", Zone.INNER),
    ("registries/reconcile/baselines", "registries:reconcile_baseline", Zone.INNER),
    ("registries/reconcile/exclusions/<int:pk>/lift", "registries:reconcile_lift", Zone.INNER),
    ("registries/reconcile/outreach.xlsx", "registries:reconcile_export", Zone.INNER),
    ("registries/reconcile/records/<int:pk>/exclude", "registries:reconcile_exclude", Zone.INNER),
    ("registries/records/", "registries:records", Zone.INNER),
    ("registries/snapshots/<int:pk>/", "registries:snapshot", Zone.INNER),
    ("registries/snapshots/<int:pk>/errors.<str:fmt>", "registries:error_report", Zone.INNER),
    ("registries/upload/", "registries:upload", Zone.INNER),
    ("signin/", "people:signin", Zone.BOTH),
    ("signin/verify/", "people:signin_verify", Zone.BOTH),
    ("signout/", "people:signout", Zone.BOTH),
    ("step-up/", "people:step_up", Zone.BOTH),
    ("step-up/resume/<str:token>/", "people:step_up_resume", Zone.BOTH),
    ("units/", "web:units", Zone.BOTH),
    ("units/<str:code>/", "web:province", Zone.BOTH),
]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}" if pattern.name else "-"


def _served(zone: str) -> set[tuple[str, str]]:
    with deploy_zone(zone):
        return set(_walk(get_resolver().url_patterns))


def _declared(*zones: Zone) -> set[tuple[str, str]]:
    return {(route, name) for route, name, zone in ROUTES if zone in zones}


@pytest.mark.parametrize(
    ("deployed", "zones"),
    [
        ("outer", (Zone.OUTER, Zone.BOTH)),
        ("inner", (Zone.INNER, Zone.BOTH)),
        ("all", (Zone.OUTER, Zone.INNER, Zone.BOTH)),
    ],
)
def test_each_zone_serves_exactly_its_declared_routes(deployed: str, zones: tuple[Zone, ...]) -> None:
    served, declared = _served(deployed), _declared(*zones)
    assert not served - declared, f"served in {deployed} but not declared for it: {sorted(served - declared)}"
    assert not declared - served, f"declared for {deployed} but not served: {sorted(declared - served)}"


def _url_modules() -> Iterator[str]:
    """Every module that holds URL patterns or a ninja router, except the two roots that mount them."""
    roots = {"dinhdanh.urls", "dinhdanh.api.urls"}
    for info in pkgutil.walk_packages(dinhdanh.__path__, "dinhdanh."):
        skipped = (".migrations", "dinhdanh.settings")  # settings modules configure, they are not imported twice
        if (
            any(part in info.name for part in skipped)
            or info.name in roots
            or info.name.endswith(("wsgi", "__main__"))
        ):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "urlpatterns") or isinstance(getattr(module, "router", None), Router):
            yield info.name


def test_the_walk_finds_the_url_modules_and_routers() -> None:
    found = set(_url_modules())
    assert {"dinhdanh.people.urls", "dinhdanh.applications.api_officer", "dinhdanh.geo.api"} <= found
    assert len(found) >= 19


@pytest.mark.parametrize("name", sorted(_url_modules()))
def test_every_url_module_and_router_declares_its_zone(name: str) -> None:
    assert isinstance(zone_of(importlib.import_module(name)), Zone)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications/queue",
        "/api/v1/registries/reconcile/outreach",
        "/api/v1/registries/reconcile/differences",
        "/api/v1/organizations/control/orphaned",
        "/applications/queue/",
        "/registries/",
        "/people/",
        "/outbox/",
        "/admin/",
    ],
)
def test_the_outer_zone_does_not_know_the_back_office(path: str) -> None:
    with deploy_zone("outer"):
        assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_each_zones_openapi_lists_only_its_operations() -> None:
    with deploy_zone("outer"):
        outer = Client().get("/api/v1/openapi.json").json()["paths"]
    with deploy_zone("inner"):
        inner = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/applications/queue" not in outer
    assert "/api/v1/registries/reconcile/outreach" not in outer
    assert "/api/v1/applications/queue" in inner
    assert "/api/v1/applications/{application_id}/submit" not in inner
    assert "/api/v1/auth/signin" in outer
    assert "/api/v1/auth/signin" in inner
