"""URLs of the sales pages (namespace `sales`). Fixed paths come before /<id>/."""

from django.urls import path

from kehu.sales.views import board, detail, listing, settings

app_name = "sales"

urlpatterns = [
    # the list and the board
    path("", listing.opportunity_list_page, name="opportunity-list"),
    path("board/", board.board_page, name="board"),
    path("board/<int:pipeline_id>/", board.board_page, name="board-pipeline"),
    path("board/<int:pipeline_id>/column/<int:stage_id>/", board.board_column_more,
         name="board-column"),
    path("lost-reasons/options/", board.lost_dialog, name="lost-reason-options"),
    path("new/", detail.opportunity_create_page, name="opportunity-create"),
    path("customer-options/", detail.customer_options, name="customer-options"),
    path("contact-options/", detail.contact_options, name="contact-options"),
    # settings (admins)
    path("settings/", settings.pipeline_settings_page, name="pipeline-settings"),
    path("settings/pipelines/new/", settings.pipeline_create, name="pipeline-create"),
    path("settings/pipelines/<int:pipeline_id>/", settings.pipeline_edit_page,
         name="pipeline-edit"),
    path("settings/pipelines/<int:pipeline_id>/stages/new/", settings.stage_create,
         name="stage-create"),
    path("settings/pipelines/<int:pipeline_id>/stages/order/", settings.stages_reorder,
         name="stage-reorder"),
    path("settings/stages/<int:stage_id>/", settings.stage_update, name="stage-update"),
    path("settings/stages/<int:stage_id>/delete/", settings.stage_delete, name="stage-delete"),
    path("settings/lost-reasons/new/", settings.lost_reason_create, name="lost-reason-create"),
    path("settings/lost-reasons/<int:reason_id>/", settings.lost_reason_update,
         name="lost-reason-update"),
    # product lines
    path("lines/<int:line_id>/edit/", detail.line_edit, name="line-edit"),
    path("lines/<int:line_id>/delete/", detail.line_delete, name="line-delete"),
    # one opportunity
    path("<int:opportunity_id>/", detail.opportunity_detail_page, name="opportunity-detail"),
    path("<int:opportunity_id>/edit/", detail.opportunity_edit_page, name="opportunity-edit"),
    path("<int:opportunity_id>/delete/", detail.opportunity_delete_page,
         name="opportunity-delete"),
    path("<int:opportunity_id>/move/", board.opportunity_move, name="opportunity-move"),
    path("<int:opportunity_id>/stage/", detail.opportunity_stage, name="opportunity-stage"),
    path("<int:opportunity_id>/win/", detail.opportunity_win, name="opportunity-win"),
    path("<int:opportunity_id>/lose/", detail.opportunity_lose, name="opportunity-lose"),
    path("<int:opportunity_id>/reopen/", detail.opportunity_reopen, name="opportunity-reopen"),
    path("<int:opportunity_id>/lines/new/", detail.line_create, name="line-create"),
]
