"""URLs of the task pages (namespace `tasks`)."""

from django.urls import path

from kehu.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.my_day_page, name="my-day"),
    path("new/", views.task_quick_add, name="task-quick-add"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("<int:task_id>/done/", views.task_done, name="task-done"),
]
