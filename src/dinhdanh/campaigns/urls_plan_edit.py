"""Campaign pages: editing a plan and its tasks (issue 14.1, 14.3, 14.8), included by ``urls_dashboard``,
which gives them the ``campaigns`` namespace."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import views_plan_edit as edit
from dinhdanh.campaigns import views_tasks as tasks
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER  # part of urls_dashboard

urlpatterns: list[URLPattern] = [
    path("campaigns/<slug:slug>/edit/", edit.plan_edit, name="plan_edit"),
    path("campaigns/<slug:slug>/edit/status/", edit.plan_status, name="plan_status"),
    path("campaigns/<slug:slug>/edit/phases/<int:pk>/", edit.phase, name="phase_edit"),
    path("campaigns/<slug:slug>/edit/targets/<int:pk>/", edit.target, name="target_edit"),
    path("campaigns/<slug:slug>/edit/targets/<int:pk>/allocation/", edit.allocation, name="allocation_edit"),
    path("campaigns/<slug:slug>/edit/tasks/<int:pk>/", edit.task, name="task_edit"),
    path("campaigns/<slug:slug>/tasks/", tasks.tasks, name="tasks"),
    path("campaigns/<slug:slug>/tasks/<int:pk>/", tasks.task, name="task"),
    path("campaigns/<slug:slug>/tasks/<int:pk>/evidence/<int:update_pk>/", tasks.evidence, name="task_evidence"),
]
