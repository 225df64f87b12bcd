from django.urls import path

from dinhdanh.http.zones import serves_inner
from dinhdanh.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.province, name="province"),
]
if serves_inner():
    urlpatterns += [path("audit/", views.audit_log, name="audit")]
