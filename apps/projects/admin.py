"""Admin console for decision makers: their projects, teams and operation policies.

Guardian-aware: a decision maker sees and changes only the projects where they
hold the strategic lane permission. Every change goes through a service, so team
changes move guardian permissions and land in the audit trail.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from apps.operations.models import OperationPolicy
from apps.operations.services import policy_update

from .models import Membership, Project, Team
from .permissions import LANE_PERMISSIONS
from .selectors import projects_for_admin
from .services import membership_add, membership_remove, project_update


def can_manage(user, project=None) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if project is None:
        return projects_for_admin(user).exists()
    return user.has_perm(LANE_PERMISSIONS["strategic"], project)


class MembershipFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data.get("team")
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        if Team.STRATEGIC not in kept:
            raise ValidationError(_("A project needs at least one member in its strategic team."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 1
    fields = ("user", "team", "added_at")
    readonly_fields = ("added_at",)

    def has_view_permission(self, request, obj=None):
        return can_manage(request.user, obj)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


class PolicyInline(admin.StackedInline):
    model = OperationPolicy
    can_delete = False
    fieldsets = (
        (
            _("Operation"),
            {
                "fields": (
                    "monitoring_window",
                    "assessment_interval",
                    "task_due_days",
                    "maintenance_scheduled_on",
                )
            },
        ),
        (
            _("Retirement policy"),
            {
                "fields": (
                    "automatic_retirement",
                    "min_value_score",
                    "max_breached_windows",
                    "base_model_end_of_life",
                    "licence_expiry",
                    "max_artifact_age_days",
                )
            },
        ),
    )

    def has_view_permission(self, request, obj=None):
        return can_manage(request.user, obj)

    has_change_permission = has_view_permission

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "sponsor", "desired_outcome", "iteration", "created_at")
    search_fields = ("title", "sponsor")
    list_filter = ("desired_outcome",)
    readonly_fields = ("iteration", "created_by", "created_at", "process")
    fields = (
        "title",
        "sponsor",
        "use_case",
        "desired_outcome",
        "iteration",
        "created_by",
        "created_at",
        "process",
    )
    inlines = [MembershipInline, PolicyInline]

    def get_queryset(self, request):
        return projects_for_admin(request.user).select_related("created_by")

    def has_module_permission(self, request):
        return can_manage(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage(request.user, obj)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        # Projects start as processes, from the launch task, never bare in the admin.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        project = Project.objects.get(pk=obj.pk)
        project_update(project=project, actor=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        project, actor = form.instance, request.user
        if formset.model is Membership:
            formset.save(commit=False)
            # Seats are added before any is taken away, so the strategic team is never empty.
            for membership in formset.new_objects:
                membership_add(
                    project=project, user=membership.user, team=membership.team, actor=actor
                )
            for membership, _changed in formset.changed_objects:
                original = Membership.objects.get(pk=membership.pk)
                membership_add(
                    project=project, user=membership.user, team=membership.team, actor=actor
                )
                membership_remove(membership=original, actor=actor)
            for membership in formset.deleted_objects:
                membership_remove(membership=membership, actor=actor)
        elif formset.model is OperationPolicy:
            formset.save(commit=False)  # fills the admin's change message, writes nothing
            for policy_form in formset.forms:
                if policy_form.has_changed():
                    policy_update(
                        project=project,
                        actor=actor,
                        **{
                            name: policy_form.cleaned_data[name]
                            for name in policy_form.changed_data
                        },
                    )
        else:
            super().save_formset(request, form, formset, change)
