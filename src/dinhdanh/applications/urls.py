"""Pages of applications; the outer zone serves applicants and members, the inner zone officers.

The applicant's pages sit beside the organization hub, under /organizations/ (register, requests);
the officers' routes are in ``urls_officer`` (inner zone only), under /applications/.
"""

from django.urls import URLPattern, URLResolver, include, path, re_path

from dinhdanh.http.zones import Zone, serves_inner, serves_outer

ZONE = Zone.BOTH  # the applicant's pages outer; the officers' (urls_officer) inner
app_name = "applications"

urlpatterns: list[URLPattern | URLResolver] = []
if serves_outer():
    from dinhdanh.applications.views import (
        applicant_confirm,
        applicant_register,
        applicant_requests,
        applicant_validate,
        consent,
        org_change,
    )

    urlpatterns += [
        path("organizations/register/", applicant_register.register, name="register"),
        path("organizations/register/category/", applicant_register.register_category, name="register_category"),
        path("organizations/register/data/", applicant_register.register_data, name="register_data"),
        path("organizations/register/validate/", applicant_validate.register_validate, name="register_validate"),
        path("organizations/requests/<int:pk>/", applicant_requests.detail, name="detail"),
        path("organizations/requests/<int:pk>/confirm/", applicant_confirm.confirm, name="confirm"),
        path("organizations/requests/<int:pk>/edit/", applicant_confirm.edit, name="edit"),
        path("organizations/requests/<int:pk>/created/", applicant_confirm.created, name="created"),
        path("organizations/requests/<int:pk>/supplement/", applicant_requests.supplement, name="supplement"),
        path("organizations/requests/<int:pk>/withdraw/", applicant_requests.withdraw, name="withdraw"),
        path(
            "organizations/requests/<int:pk>/documents/<int:document_pk>/",
            applicant_requests.document,
            name="document",
        ),
        path("organizations/requests/<int:pk>/consent/", consent.consent, name="consent"),
        # An organization's own change and lock requests (its number: organizations.numbers, 11 digits).
        re_path(
            r"^organizations/(?P<eid>[0-9]{11})/requests/update/$",
            org_change.update_request,
            name="org_update_request",
        ),
        re_path(
            r"^organizations/(?P<eid>[0-9]{11})/requests/lock/$", org_change.lock_request, name="org_lock_request"
        ),
    ]
if serves_inner():
    from dinhdanh.applications.urls_officer import urlpatterns as officer_urls

    urlpatterns += [path("applications/", include(officer_urls))]
