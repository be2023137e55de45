"""The shell (sign-in, home, search, notifications) and the settings pages.

Plain function views: parse with a form, call a service or selector, render. Writes go
through the core services; a DomainError or ValidationError re-renders the form with the
message and status 422.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kehu.analytics.views import dashboard
from kehu.core.accounts import selectors as account_selectors
from kehu.core.accounts import services as account_services
from kehu.core.audit import selectors as audit_selectors
from kehu.core.audit.formatting import ChangeFormatter
from kehu.core.common.errors import DomainError
from kehu.core.customfields import selectors as field_selectors
from kehu.core.customfields import services as field_services
from kehu.core.notifications import selectors as notification_selectors
from kehu.core.notifications import services as notification_services
from kehu.core.permissions import registry
from kehu.core.permissions.actor import Via
from kehu.customers import selectors as customer_selectors
from kehu.reports import selectors as report_selectors
from kehu.web import forms
from kehu.web.decorators import admin_required, member_required

PAGE_SIZE = 50
SERVICE_ERRORS = (DomainError, ValidationError)


# --- signing in and out -------------------------------------------------------------------

class LoginPage(auth_views.LoginView):
    template_name = "web/auth/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


# --- the shell ----------------------------------------------------------------------------

@member_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    visible = customer_selectors.customer_list(actor=actor)
    context = {
        "my_customers": customer_selectors.customer_list(actor=actor,
                                                         owner_id=actor.user.pk).count(),
        "pool_customers": customer_selectors.customer_list(actor=actor, pool=True).count(),
        "visible_customers": visible.count(),
        "recent_customers": list(visible[:6]),
        "recent_notifications": list(
            notification_selectors.notification_list(actor=actor, unread_only=True)[:5]),
        **dashboard.home_context(actor),
        "pinned": report_selectors.pinned_reports(actor),
    }
    return render(request, "web/home.html", context)


COMING_MODULES = {
    "marketing": (gettext_lazy("Marketing"),
                  gettext_lazy("Campaigns, segments and mailing lists.")),
    "service": (gettext_lazy("Service"), gettext_lazy("Tickets and service levels.")),
}


@member_required
def coming_page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in COMING_MODULES:
        raise Http404
    title, description = COMING_MODULES[slug]
    return render(request, "web/coming.html",
                  {"module": slug, "module_title": title, "description": description})


@member_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    customers = customer_selectors.customer_search(actor=request.actor, q=q) if q else []
    return render(request, "web/search.html", {"q": q, "customers": customers})


@member_required
@require_GET
def notification_list_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = notification_selectors.notification_list(actor=request.actor,
                                                  unread_only=unread_only).order_by("-id")
    before = _positive_int(request.GET.get("before"))
    if before:
        qs = qs.filter(pk__lt=before)
    rows = list(qs[:PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    return render(request, "web/notifications.html",
                  {"notifications": rows[:PAGE_SIZE], "older": older,
                   "unread_only": unread_only})


@member_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notification_services.notification_mark_read(actor=request.actor)
    if count:
        messages.success(request, _("Marked %(count)d notifications as read.") % {"count": count})
    return redirect("web:notifications")


@member_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(
        notification_selectors.notification_list(actor=request.actor), pk=pk)
    notification_services.notification_mark_read(actor=request.actor,
                                                 notification_ids=[notification.pk])
    if notification.url and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()},
            require_https=request.is_secure()):
        return redirect(notification.url)
    return redirect("web:notifications")


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


# --- settings -----------------------------------------------------------------------------

@member_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return redirect("web:settings-members" if request.actor.is_admin else "web:settings-tokens")


# members

@admin_required
def member_list_page(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    active = {"active": True, "inactive": False}.get(show)
    members = account_selectors.member_list(organization=request.actor.organization,
                                            active=active)
    return render(request, "web/settings/members.html",
                  {"members": members, "show": show, "section": "members"})


@admin_required
def member_invite_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = forms.MemberInviteForm(request.POST or None, organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, password = account_services.member_invite(
                actor=actor, email=data["email"], name=data["name"], phone=data["phone"],
                role=data["role"], team=data["team"])
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            # The one-time password is shown on this response only and stored nowhere.
            return render(request, "web/settings/member_invited.html",
                          {"membership": membership, "password": password,
                           "section": "members"})
    return render(request, "web/settings/member_invite.html",
                  {"form": form, "section": "members"}, status=422 if form.errors else 200)


@admin_required
def member_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    membership = get_object_or_404(
        account_selectors.member_list(organization=actor.organization), pk=pk)
    initial = {"role": membership.role_id, "team": membership.team_id}
    form = forms.MemberUpdateForm(request.POST or None, initial=initial,
                                  organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        try:
            account_services.member_update(actor=actor, membership=membership,
                                           role=form.cleaned_data["role"], team=team,
                                           clear_team=team is None)
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": membership.user})
            return redirect("web:settings-members")
    return render(request, "web/settings/member_edit.html",
                  {"form": form, "membership": membership, "section": "members"},
                  status=422 if form.errors else 200)


@admin_required
@require_POST
def member_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    membership = get_object_or_404(
        account_selectors.member_list(organization=actor.organization), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        account_services.member_set_active(actor=actor, membership=membership, active=active)
    except SERVICE_ERRORS as exc:
        messages.error(request, _error_text(exc))
    else:
        text = (_("%(name)s can sign in again.") if active else
                _("%(name)s was deactivated. Their records stay assigned to them."))
        messages.success(request, text % {"name": membership.user})
    return redirect(reverse("web:settings-members") + ("" if active else "?show=all"))


def _error_text(exc: DomainError | ValidationError) -> str:
    return exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)


# teams

@admin_required
def team_list_page(request: HttpRequest) -> HttpResponse:
    teams = (account_selectors.team_list(organization=request.actor.organization)
             .annotate(member_count=Count("members", filter=Q(members__is_active=True),
                                          distinct=True),
                       child_count=Count("children", distinct=True)))
    return render(request, "web/settings/teams.html",
                  {"teams": forms.team_tree(teams), "section": "teams"})


@admin_required
def team_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    initial = {"parent": _positive_int(request.GET.get("parent"))}
    form = forms.TeamForm(request.POST or None, initial=initial,
                          organization=actor.organization)
    if request.method == "POST" and form.is_valid():
        try:
            team = account_services.team_create(actor=actor, name=form.cleaned_data["name"],
                                                parent=form.cleaned_data["parent"])
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Created team %(name)s.") % {"name": team.name})
            return redirect("web:settings-teams")
    return render(request, "web/settings/team_form.html",
                  {"form": form, "team": None, "section": "teams"},
                  status=422 if form.errors else 200)


@admin_required
def team_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    team = get_object_or_404(account_selectors.team_list(organization=actor.organization), pk=pk)
    form = forms.TeamForm(request.POST or None, organization=actor.organization, team=team,
                          initial={"name": team.name, "parent": team.parent_id})
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data["parent"]
        moved = (parent.pk if parent else None) != team.parent_id
        try:
            account_services.team_update(
                actor=actor, team=team, name=form.cleaned_data["name"],
                parent=parent if moved else None, move_to_root=moved and parent is None)
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved team %(name)s.") % {"name": team.name})
            return redirect("web:settings-teams")
    return render(request, "web/settings/team_form.html",
                  {"form": form, "team": team, "section": "teams"},
                  status=422 if form.errors else 200)


@admin_required
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    team = get_object_or_404(account_selectors.team_list(organization=actor.organization), pk=pk)
    name = team.name
    try:
        account_services.team_delete(actor=actor, team=team)
    except SERVICE_ERRORS as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Deleted team %(name)s.") % {"name": name})
    return redirect("web:settings-teams")


# roles

@admin_required
def role_list_page(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    roles = account_selectors.role_list(organization=organization)
    in_use = dict(account_selectors.member_list(organization=organization, active=True)
                  .order_by().values_list("role_id").annotate(n=Count("id")))
    rows = [{"role": role, "members": in_use.get(role.pk, 0)} for role in roles]
    return render(request, "web/settings/roles.html", {"rows": rows, "section": "roles"})


@admin_required
def role_edit_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a custom role (optionally as a copy of ?copy=<id>), edit one, or look at a
    built-in role's grants (read-only)."""
    actor = request.actor
    roles = account_selectors.role_list(organization=actor.organization)
    role = get_object_or_404(roles, pk=pk) if pk is not None else None
    if role is not None:
        initial = forms.RoleForm.initial_for(role)
    elif (copy_of := _positive_int(request.GET.get("copy"))) is not None:
        source = get_object_or_404(roles, pk=copy_of)
        initial = forms.RoleForm.initial_for(source)
        initial["name"] = _("Copy of %(name)s") % {"name": source}
    else:
        initial = {"data_scope": "own"}
    read_only = role is not None and role.is_builtin
    form = forms.RoleForm(None if read_only else (request.POST or None), initial=initial)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not read_only and form.is_valid():
        data = form.cleaned_data
        try:
            saved = account_services.role_save(actor=actor, role=role, name=data["name"],
                                               data_scope=data["data_scope"],
                                               grants=data["grants"], is_admin=data["is_admin"])
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved role %(name)s.") % {"name": saved})
            return redirect("web:settings-roles")
    return render(request, "web/settings/role_form.html",
                  {"form": form, "role": role, "read_only": read_only,
                   "actions": registry.ACTIONS, "section": "roles"},
                  status=422 if form.errors else 200)


# custom fields

@admin_required
def field_list_page(request: HttpRequest) -> HttpResponse:
    definitions = list(field_selectors.field_definition_list(
        organization=request.actor.organization))
    groups = []
    for ot in registry.all_object_types():
        groups.append({"object_type": ot,
                       "fields": [d for d in definitions if d.object_type == ot.key]})
    return render(request, "web/settings/fields.html", {"groups": groups, "section": "fields"})


@admin_required
def field_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    initial = {"object_type": request.GET.get("object_type", ""), "position": 0}
    form = forms.FieldDefinitionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = field_services.field_definition_create(
                actor=actor, object_type=data["object_type"], key=data["key"],
                kind=data["kind"], **form.service_options())
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc, forms.FieldDefinitionForm.SERVICE_FIELD_MAP)
        else:
            messages.success(request, _("Created field %(label)s.") % {"label": definition})
            return redirect("web:settings-fields")
    return render(request, "web/settings/field_form.html",
                  {"form": form, "definition": None, "section": "fields"},
                  status=422 if form.errors else 200)


@admin_required
def field_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    definition = get_object_or_404(
        field_selectors.field_definition_list(organization=actor.organization), pk=pk)
    form = forms.FieldDefinitionForm(request.POST or None, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            field_services.field_definition_update(actor=actor, definition=definition,
                                                   **form.service_options())
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc, forms.FieldDefinitionForm.SERVICE_FIELD_MAP)
        else:
            messages.success(request, _("Saved field %(label)s.") % {"label": definition})
            return redirect("web:settings-fields")
    return render(request, "web/settings/field_form.html",
                  {"form": form, "definition": definition, "section": "fields"},
                  status=422 if form.errors else 200)


@admin_required
@require_POST
def field_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    definition = get_object_or_404(
        field_selectors.field_definition_list(organization=actor.organization), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        field_services.field_definition_update(actor=actor, definition=definition,
                                               is_active=active)
    except SERVICE_ERRORS as exc:
        messages.error(request, _error_text(exc))
    else:
        text = (_("Field %(label)s is active again.") if active else
                _("Field %(label)s was deactivated; its stored values are kept."))
        messages.success(request, text % {"label": definition})
    return redirect("web:settings-fields")


# API tokens (every member manages their own)

def _token_page(request: HttpRequest, form: forms.ApiTokenForm, secret: str | None = None,
                created=None, status: int = 200) -> HttpResponse:
    tokens = account_selectors.api_token_list(organization=request.actor.organization,
                                              user=request.actor.user)
    return render(request, "web/settings/tokens.html",
                  {"tokens": tokens, "form": form, "secret": secret, "created": created,
                   "section": "tokens"}, status=status)


@member_required
def token_list_page(request: HttpRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = account_services.api_token_create(actor=request.actor,
                                                              name=form.cleaned_data["name"])
        except SERVICE_ERRORS as exc:
            forms.add_service_errors(form, exc)
        else:
            # The secret is on this response only; Kehu keeps just its hash.
            return _token_page(request, forms.ApiTokenForm(), secret=secret, created=token)
    return _token_page(request, form, status=422 if form.errors else 200)


@member_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(
        account_selectors.api_token_list(organization=request.actor.organization,
                                         user=request.actor.user), pk=pk)
    try:
        account_services.api_token_revoke(actor=request.actor, token=token)
    except SERVICE_ERRORS as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Revoked token %(name)s.") % {"name": token.name})
    return redirect("web:settings-tokens")


# audit log

def object_type_label(key: str) -> str:
    registered = registry.get(key)
    if registered is not None:
        return str(registered.label)
    try:
        return str(apps.get_model(key)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return key


@admin_required
@require_GET
def audit_log_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    everything = audit_selectors.change_record_list(actor=actor)
    object_types = sorted(
        ((key, object_type_label(key))
         for key in everything.order_by().values_list("object_type", flat=True).distinct()),
        key=lambda pair: pair[1])
    users = [(m.user_id, str(m.user))
             for m in account_selectors.member_list(organization=actor.organization)]
    form = forms.AuditFilterForm(request.GET or None, object_types=object_types, users=users)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_selectors.change_record_list(
        actor=actor, object_type=filters.get("object_type") or "",
        user_id=filters.get("user"), action=filters.get("action") or "").order_by("-id")
    if filters.get("before"):
        qs = qs.filter(pk__lt=filters["before"])
    records = list(qs[:PAGE_SIZE + 1])
    older = records[PAGE_SIZE - 1].pk if len(records) > PAGE_SIZE else None
    via_labels = dict(Via.choices)
    formatter = ChangeFormatter(actor, records[:PAGE_SIZE])
    rows = [{"record": record, "object_type_label": object_type_label(record.object_type),
             "via": via_labels.get(record.via, record.via),
             "changes": formatter.entries(record)}
            for record in records[:PAGE_SIZE]]
    older_query = request.GET.copy()
    older_query["before"] = older or ""
    return render(request, "web/settings/audit.html",
                  {"form": form, "rows": rows, "older": older,
                   "older_query": older_query.urlencode(), "section": "audit"})
