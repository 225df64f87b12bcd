"""The officers' organization pages (inner zone), mounted at ``applications/organizations/`` where
they have always been, so that bookmarks and links keep working."""

from django.urls import URLPattern, path

from dinhdanh.http.zones import Zone
from dinhdanh.organizations.views import officer

ZONE = Zone.INNER  # police officers
app_name = "organizations_officer"

urlpatterns: list[URLPattern] = [
    path("", officer.organizations, name="list"),
    path("orphaned/", officer.orphaned, name="orphaned"),
    path("<str:eid>/attach/", officer.attach, name="attach"),
    path("<str:eid>/", officer.organization, name="organization"),
    path("<str:eid>/lock/", officer.lock, name="lock"),
    path("<str:eid>/unlock/", officer.unlock, name="unlock"),
]
