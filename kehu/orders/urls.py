"""URLs of the order pages (namespace `orders`). Fixed paths come before /<id>/."""

from django.urls import path

from kehu.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list_page, name="order-list"),
    path("new/", views.order_create_page, name="order-create"),
    path("overdue/", views.overdue_list_page, name="overdue-list"),
    path("instalments/<int:instalment_id>/delete/", views.instalment_delete,
         name="instalment-delete"),
    path("payments/<int:payment_id>/delete/", views.payment_delete, name="payment-delete"),
    path("invoices/<int:invoice_id>/delete/", views.invoice_delete, name="invoice-delete"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("attachments/<int:attachment_id>/delete/", views.attachment_delete,
         name="attachment-delete"),
    path("<int:order_id>/", views.order_detail_page, name="order-detail"),
    path("<int:order_id>/edit/", views.order_edit_page, name="order-edit"),
    path("<int:order_id>/status/", views.order_status, name="order-status"),
    path("<int:order_id>/delete/", views.order_delete, name="order-delete"),
    path("<int:order_id>/money/", views.order_money_section, name="order-money"),
    path("<int:order_id>/instalments/", views.instalment_create, name="instalment-create"),
    path("<int:order_id>/instalments/split/", views.instalment_split, name="instalment-split"),
    path("<int:order_id>/payments/", views.payment_create, name="payment-create"),
    path("<int:order_id>/invoices/", views.invoice_create, name="invoice-create"),
    path("<int:order_id>/attachments/", views.attachment_upload, name="attachment-upload"),
]
