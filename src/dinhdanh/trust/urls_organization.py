"""Pages of the trust services — an organization's representative and delegated administrators: consents given in its name, every act done in its name; a person: every organization they acted for."""

from django.urls import URLPattern, path, re_path

from dinhdanh.http.zones import Zone
from dinhdanh.trust import views_organization as views

ZONE = Zone.OUTER
app_name = "organization_trust"

# The organization pages' own pattern (organizations.urls): 11 digits, beside its fixed tabs.
EID = r"(?P<eid>[0-9]{11})"

urlpatterns: list[URLPattern] = [
    re_path(rf"^organizations/{EID}/connected-apps/$", views.connected_apps, name="connected_apps"),
    re_path(
        rf"^organizations/{EID}/connected-apps/(?P<pk>[0-9]{{1,12}})/revoke/$",
        views.connected_app_revoke,
        name="connected_app_revoke",
    ),
    re_path(rf"^organizations/{EID}/activity/$", views.organization_activity, name="activity"),
    path("me/organizations-activity/", views.my_activity, name="my_activity"),
]
