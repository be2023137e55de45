"""URLs of the customer pages (namespace `customers`). Fixed paths come before /<id>/."""

from django.urls import path

from kehu.customers.import_views import import_urlpatterns
from kehu.customers.privacy import views as privacy
from kehu.customers.views import (
    bulk,
    columns,
    contacts,
    customer_tasks,
    detail,
    edit,
    followups,
    listing,
    merge,
    pool,
    recycle,
    segments,
    tags,
)

app_name = "customers"

urlpatterns = [
    # the list, its columns, bulk actions and export
    path("", listing.customer_list_page, name="customer-list"),
    path("export/", listing.customer_export, name="customer-export"),
    path("columns/", columns.customer_columns_page, name="customer-columns"),
    path("bulk/", bulk.customer_bulk, name="customer-bulk"),
    path("bulk/export/", bulk.customer_export_selected, name="customer-export-selected"),
    path("new/", edit.customer_create_page, name="customer-create"),
    # the pool (公海)
    path("pool/", pool.pool_page, name="pool"),
    path("pool/claim/", pool.pool_claim_selected, name="pool-claim"),
    path("pool/policy/", pool.pool_policy_page, name="pool-policy"),
    # segments, tags, the recycle bin
    path("segments/", segments.segment_list_page, name="segment-list"),
    path("segments/new/", segments.segment_edit_page, name="segment-create"),
    path("segments/from-list/", segments.segment_save_from_list, name="segment-save-from-list"),
    path("segments/<int:segment_id>/", segments.segment_edit_page, name="segment-edit"),
    path("segments/<int:segment_id>/delete/", segments.segment_delete, name="segment-delete"),
    path("segments/<int:segment_id>/export/", segments.segment_export, name="segment-export"),
    path("tags/", tags.tag_list_page, name="tag-list"),
    path("tags/<int:tag_id>/delete/", tags.tag_delete, name="tag-delete"),
    path("recycle-bin/", recycle.recycle_bin_page, name="recycle-bin"),
    # personal data requests (admins): find, export, erase one person's data
    path("privacy/", privacy.person_page, name="privacy"),
    path("privacy/erase/", privacy.person_erase, name="privacy-erase"),
    path("privacy/export/", privacy.person_export, name="privacy-export"),
    # rows inside a customer
    path("contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/delete/", contacts.contact_delete, name="contact-delete"),
    path("follow-ups/<int:follow_up_id>/delete/", followups.follow_up_delete,
         name="follow-up-delete"),
    path("attachments/<int:attachment_id>/", followups.attachment_download, name="attachment"),
    path("merges/<int:merge_id>/undo/", merge.merge_undo, name="merge-undo"),
    # one customer: the 360° page and what it does
    path("<int:customer_id>/", detail.customer_detail_page, name="customer-detail"),
    path("<int:customer_id>/section/<slug:name>/", detail.customer_section,
         name="customer-section"),
    path("<int:customer_id>/edit/", edit.customer_edit_page, name="customer-edit"),
    path("<int:customer_id>/delete/", edit.customer_delete_page, name="customer-delete"),
    path("<int:customer_id>/restore/", recycle.customer_restore, name="customer-restore"),
    path("<int:customer_id>/claim/", pool.customer_claim, name="customer-claim"),
    path("<int:customer_id>/release/", pool.customer_release, name="customer-release"),
    path("<int:customer_id>/tags/", tags.customer_tag_add, name="customer-tag-add"),
    path("<int:customer_id>/tags/<int:tag_id>/remove/", tags.customer_tag_remove,
         name="customer-tag-remove"),
    path("<int:customer_id>/contacts/new/", contacts.contact_create, name="contact-create"),
    path("<int:customer_id>/follow-ups/", followups.follow_up_more, name="follow-up-list"),
    path("<int:customer_id>/follow-ups/new/", followups.follow_up_create,
         name="follow-up-create"),
    path("<int:customer_id>/tasks/<int:task_id>/done/", customer_tasks.customer_task_done,
         name="customer-task-done"),
    path("<int:customer_id>/merge/", merge.customer_merge_pick, name="customer-merge"),
    path("<int:customer_id>/merge/<int:other_id>/", merge.customer_merge_compare,
         name="customer-merge-compare"),
]

urlpatterns += import_urlpatterns
