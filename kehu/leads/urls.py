"""URLs of the lead pages (namespace `leads`). Fixed paths come before /<id>/."""

from django.urls import path

from kehu.leads.views import imports, leads, public, settings

app_name = "leads"

urlpatterns = [
    path("", leads.lead_list_page, name="lead-list"),
    path("pool/", leads.lead_pool_page, name="lead-pool"),
    path("new/", leads.lead_create_page, name="lead-create"),
    path("import/", imports.lead_import_page, name="lead-import"),
    path("import/result/", imports.lead_import_result_page, name="lead-import-result"),
    path("import/rejected.csv", imports.lead_import_rejected_csv, name="lead-import-rejected"),
    # admin settings
    path("settings/web-form/", settings.webform_settings_page, name="webform-settings"),
    path("settings/rules/", settings.rule_list_page, name="rule-list"),
    path("settings/rules/new/", settings.rule_create_page, name="rule-create"),
    path("settings/rules/run/", settings.rules_run, name="rules-run"),
    path("settings/rules/reorder/", settings.rules_reorder, name="rules-reorder"),
    path("settings/rules/<int:rule_id>/", settings.rule_edit_page, name="rule-edit"),
    path("settings/rules/<int:rule_id>/move/", settings.rule_move, name="rule-move"),
    path("settings/rules/<int:rule_id>/active/", settings.rule_set_active, name="rule-active"),
    path("settings/rules/<int:rule_id>/delete/", settings.rule_delete, name="rule-delete"),
    # the public web-to-lead form (no sign-in, embeddable)
    path("f/<str:token>/", public.public_form, name="public-form"),
    # one lead
    path("<int:lead_id>/", leads.lead_detail_page, name="lead-detail"),
    path("<int:lead_id>/edit/", leads.lead_edit_page, name="lead-edit"),
    path("<int:lead_id>/delete/", leads.lead_delete_page, name="lead-delete"),
    path("<int:lead_id>/claim/", leads.lead_claim, name="lead-claim"),
    path("<int:lead_id>/release/", leads.lead_release, name="lead-release"),
    path("<int:lead_id>/disqualify/", leads.lead_disqualify, name="lead-disqualify"),
    path("<int:lead_id>/convert/", leads.lead_convert_page, name="lead-convert"),
    path("<int:lead_id>/activities/", leads.activity_create, name="activity-create"),
]
