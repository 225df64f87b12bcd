"""Campaign pages: plan_edit (included by ``urls_dashboard``, which gives them the ``campaigns`` namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
