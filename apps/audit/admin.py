from django.contrib import admin
from viewflow.workflow.models import Process, Task

from apps.projects.selectors import projects_for_admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, even for administrators."""

    list_display = ("created_at", "project", "node_id", "kind", "actor", "summary")
    list_filter = ("kind",)
    search_fields = ("summary", "reason", "node_id")
    list_select_related = ("project", "actor")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(project__in=projects_for_admin(request.user))

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# viewflow's Process and Task admins list every project's process and let staff edit
# task rows without an audit event; the project pages and the flow views replace them.
for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
