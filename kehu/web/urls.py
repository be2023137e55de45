from django.urls import path

from kehu.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginPage.as_view(), name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("coming/<slug:slug>/", views.coming_page, name="coming"),
    path("search/", views.search_page, name="search"),
    path("notifications/", views.notification_list_page, name="notifications"),
    path("notifications/read/", views.notification_mark_all_read, name="notifications-read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/members/", views.member_list_page, name="settings-members"),
    path("settings/members/invite/", views.member_invite_page, name="settings-member-invite"),
    path("settings/members/<int:pk>/", views.member_edit_page, name="settings-member-edit"),
    path("settings/members/<int:pk>/active/", views.member_set_active,
         name="settings-member-active"),
    path("settings/teams/", views.team_list_page, name="settings-teams"),
    path("settings/teams/new/", views.team_create_page, name="settings-team-create"),
    path("settings/teams/<int:pk>/", views.team_edit_page, name="settings-team-edit"),
    path("settings/teams/<int:pk>/delete/", views.team_delete, name="settings-team-delete"),
    path("settings/roles/", views.role_list_page, name="settings-roles"),
    path("settings/roles/new/", views.role_edit_page, name="settings-role-create"),
    path("settings/roles/<int:pk>/", views.role_edit_page, name="settings-role-edit"),
    path("settings/fields/", views.field_list_page, name="settings-fields"),
    path("settings/fields/new/", views.field_create_page, name="settings-field-create"),
    path("settings/fields/<int:pk>/", views.field_edit_page, name="settings-field-edit"),
    path("settings/fields/<int:pk>/active/", views.field_set_active,
         name="settings-field-active"),
    path("settings/tokens/", views.token_list_page, name="settings-tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="settings-token-revoke"),
    path("settings/audit/", views.audit_log_page, name="settings-audit"),
]
