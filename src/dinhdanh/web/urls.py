from django.urls import path

from dinhdanh.http.zones import Zone, serves_inner
from dinhdanh.web import calendar, views

ZONE = Zone.BOTH  # home and units for all; the audit log page only where the inner zone is served
app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.province, name="province"),
]
if serves_inner():
    urlpatterns += [
        path("audit/", views.audit_log, name="audit"),
        path("calendar/", calendar.calendar, name="calendar"),
    ]
