from django.urls import path

from kehu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_page, name="report-list"),
    path("new/", views.report_builder_page, name="report-create"),
    path("preview/", views.report_preview, name="report-preview"),
    path("rows/", views.adhoc_rows_page, name="adhoc-rows"),
    path("<int:report_id>/", views.report_detail_page, name="report-detail"),
    path("<int:report_id>/edit/", views.report_builder_page, name="report-edit"),
    path("<int:report_id>/delete/", views.report_delete, name="report-delete"),
    path("<int:report_id>/share/", views.report_share, name="report-share"),
    path("<int:report_id>/pin/", views.report_pin_toggle, name="report-pin"),
    path("<int:report_id>/rows/", views.report_rows_page, name="report-rows"),
    path("<int:report_id>/export/<str:fmt>/", views.report_export, name="report-export"),
]
