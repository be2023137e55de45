"""URLs of the targets pages (namespace `targets`)."""

from django.urls import path

from kehu.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.target_page, name="target-page"),
    path("set/", views.target_set, name="target-set"),
    path("team/", views.team_targets_page, name="team-targets"),
    path("<int:target_id>/delete/", views.target_delete, name="target-delete"),
]
