"""Campaign pages: reports (included by ``urls_dashboard``, which gives them the ``campaigns`` namespace)."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import views_reports as views
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER  # part of urls_dashboard

urlpatterns: list[URLPattern] = [
    path("campaigns/<slug:slug>/reports/", views.week, name="reports"),
    path("campaigns/<slug:slug>/reports/submit/", views.submit, name="report_submit"),
    path("campaigns/<slug:slug>/reports/province/", views.province, name="province_report"),
    path("campaigns/<slug:slug>/reports/province/submit/", views.province_submit, name="province_report_submit"),
]
