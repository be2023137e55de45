"""URLs of the catalog pages (namespace `catalog`, mounted at /products/)."""

from django.urls import path

from kehu.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list_page, name="product-list"),
    path("new/", views.product_create_page, name="product-create"),
    path("categories/", views.category_list_page, name="category-list"),
    path("categories/<int:category_id>/delete/", views.category_delete,
         name="category-delete"),
    path("price-books/", views.pricebook_list_page, name="pricebook-list"),
    path("price-books/<int:pricebook_id>/", views.pricebook_detail_page,
         name="pricebook-detail"),
    path("price-books/<int:pricebook_id>/delete/", views.pricebook_delete,
         name="pricebook-delete"),
    path("<int:product_id>/", views.product_detail_page, name="product-detail"),
    path("<int:product_id>/edit/", views.product_edit_page, name="product-edit"),
    path("<int:product_id>/delete/", views.product_delete, name="product-delete"),
]
