"""URLs of the quote pages (namespace `quotes`, mounted at /quotes/)."""

from django.urls import path

from kehu.quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list_page, name="quote-list"),
    path("new/", views.quote_create_page, name="quote-create"),
    path("settings/", views.quote_settings_page, name="quote-settings"),
    path("<int:quote_id>/", views.quote_detail_page, name="quote-detail"),
    path("<int:quote_id>/edit/", views.quote_edit_page, name="quote-edit"),
    path("<int:quote_id>/delete/", views.quote_delete, name="quote-delete"),
    path("<int:quote_id>/print/", views.quote_print_page, name="quote-print"),
    path("<int:quote_id>/pdf/", views.quote_pdf, name="quote-pdf"),
    path("<int:quote_id>/lines/add/", views.line_add, name="line-add"),
    path("<int:quote_id>/lines/<int:line_id>/edit/", views.line_edit, name="line-edit"),
    path("<int:quote_id>/lines/<int:line_id>/delete/", views.line_delete, name="line-delete"),
    path("<int:quote_id>/<str:action>/", views.quote_action, name="quote-action"),
]
