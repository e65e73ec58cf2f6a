"""Admin console for decision makers: API tokens, the token use log, webhooks and deliveries.

Guardian-aware like apps.projects.admin: a decision maker sees only the projects where
they hold the strategic lane permission (a superuser sees all). Every write goes
through a service, so it lands in the project's audit trail.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.projects.admin import can_manage
from apps.projects.selectors import projects_for_admin

from .models import ApiToken, TokenUse, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .services import (
    api_token_create,
    api_token_revoke,
    webhook_delivery_resend,
    webhook_endpoint_save,
    webhook_secret_rotate,
)


class ProjectScopedAdmin(admin.ModelAdmin):
    """Rows of the projects the user manages; ``project_path`` leads from a row to its project."""

    project_path = "project"

    def _project(self, obj):
        for name in self.project_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.project_path}__in": projects_for_admin(request.user)})
        )

    def has_module_permission(self, request):
        return can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage(request.user, self._project(obj) if obj else None)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for_admin(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ["project", "name", "scopes"]


@admin.register(ApiToken)
class ApiTokenAdmin(ProjectScopedAdmin):
    """Create (the key shown once), inspect and revoke project API tokens; never edit or delete."""

    form = ApiTokenForm
    list_display = (
        "name",
        "project",
        "prefix",
        "scope_list",
        "created_by",
        "created_at",
        "last_used",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "project__title")
    list_select_related = ("project", "created_by")
    actions = ["revoke"]
    readonly_fields = (
        "project",
        "name",
        "scope_list",
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "recent_uses",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_use=Max("uses__at"))

    def get_fields(self, request, obj=None):
        return ["project", "name", "scopes"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_add_permission(self, request):
        return can_manage(request.user)

    @admin.display(description=_("scopes"))
    def scope_list(self, token):
        return ", ".join(token.scopes)

    @admin.display(description=_("last used"), ordering="last_use")
    def last_used(self, token):
        return getattr(token, "last_use", None)

    @admin.display(description=_("recent uses"))
    def recent_uses(self, token):
        uses = token.uses.all()[:20]
        if not uses:
            return _("Never used.")
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                ((u.at, u.method, u.path, u.status_code, u.remote_addr or "") for u in uses),
            ),
        )

    def save_model(self, request, obj, form, change):
        token, key = api_token_create(
            project=form.cleaned_data["project"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            actor=request.user,
        )
        obj.pk, obj.prefix, obj.created_at = token.pk, token.prefix, token.created_at
        obj._state.adding = False
        messages.warning(
            request,
            format_html(
                "API key of '{}': <code>{}</code> Copy it now: it is stored hashed and "
                "cannot be shown again.",
                token.name,
                key,
            ),
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = [t for t in queryset if can_manage(request.user, t.project) and t.is_active]
        for token in tokens:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": len(tokens)})


@admin.register(TokenUse)
class TokenUseAdmin(ProjectScopedAdmin):
    """Every call made with a token, refused ones included: read only."""

    project_path = "token__project"
    list_display = ("at", "token", "method", "path", "status_code", "remote_addr")
    list_filter = ("status_code", "method")
    search_fields = ("token__prefix", "token__name", "path")
    list_select_related = ("token",)
    date_hierarchy = "at"


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["project", "url", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ProjectScopedAdmin):
    """Where a project's outgoing messages go; the secret is shown once, when set or rotated."""

    form = WebhookEndpointForm
    list_display = ("project", "url", "is_active", "created_at")
    list_select_related = ("project",)
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        return ("project",) if obj else ()

    def has_add_permission(self, request):
        return can_manage(request.user)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        project = obj.project
        endpoint, secret = webhook_endpoint_save(
            project=project, url=obj.url, is_active=obj.is_active, actor=request.user
        )
        obj.pk, obj.secret = endpoint.pk, endpoint.secret
        obj._state.adding = False
        if secret:
            messages.warning(
                request,
                format_html(
                    "Signing secret for {}: <code>{}</code> Give it to the receiver now; it is not "
                    "shown again (rotate it to get a new one).",
                    project,
                    secret,
                ),
            )

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset.select_related("project"):
            if can_manage(request.user, endpoint.project):
                secret = webhook_secret_rotate(endpoint=endpoint, actor=request.user)
                messages.warning(
                    request,
                    format_html(
                        "New signing secret for {}: <code>{}</code>", endpoint.project, secret
                    ),
                )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "started_at", "duration_ms", "status_code", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ProjectScopedAdmin):
    """The delivery log: each outgoing message with every attempt; failed ones can be sent again."""

    list_display = ("created_at", "project", "event", "status", "attempts", "last_status_code")
    list_filter = ("status", "event")
    list_select_related = ("project",)
    readonly_fields = (
        "id",
        "project",
        "event",
        "node_id",
        "task_id",
        "url",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "body",
    )
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    @admin.action(description=_("Send the selected failed deliveries again"))
    def send_again(self, request, queryset):
        failed = queryset.filter(status=WebhookDelivery.Status.FAILED).select_related("project")
        sent = 0
        for delivery in failed:
            if can_manage(request.user, delivery.project):
                webhook_delivery_resend(delivery=delivery, actor=request.user)
                sent += 1
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": sent})
