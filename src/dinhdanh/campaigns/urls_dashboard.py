"""Campaign pages for provincial teams and central staff; each part's routes live in its own module."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import urls_documents, urls_drill, urls_plan_edit, urls_reports
from dinhdanh.campaigns import views_dashboard as views
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
app_name = "campaigns"

urlpatterns: list[URLPattern] = [
    path("campaigns/", views.plans, name="plans"),
    *urls_reports.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_plan_edit.urlpatterns,
    *urls_drill.urlpatterns,
    path("campaigns/<slug:slug>/", views.plan, name="plan"),
]
