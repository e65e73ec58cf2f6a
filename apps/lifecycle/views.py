"""Task forms, the inbox columns, and the project pages."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_filters import ChoiceFilter, DateRangeFilter, FilterSet, ModelChoiceFilter
from viewflow.workflow.flow.views import (
    DashboardProcessListView,
    DashboardTaskListView,
    FlowArchiveListView,
    FlowInboxListView,
    FlowQueueListView,
)
from viewflow.workflow.flow.views.filters import get_queryset_flow_task_choices
from viewflow.workflow.flow.views.mixins import TaskSuccessUrlMixin
from viewflow.workflow.status import STATUS

from apps.audit.selectors import project_history
from apps.infrastructure.selectors import webhook_deliveries
from apps.operational.models import ArchitectureDesign
from apps.operational.selectors import requirement_set_in_force
from apps.operations.selectors import assessment_trend, trend_points
from apps.projects.forms import LaunchForm
from apps.projects.models import Membership
from apps.projects.selectors import access_project, visible_projects
from apps.strategic.models import Kpi

from .models import LifecycleTask
from .selectors import ACTIVE_STATUSES, task_due_at
from .services import project_launch


class TaskView(TaskSuccessUrlMixin, generic.FormView):
    """A human task: its form, its rows, and the records it works from.

    On a valid submission the task's service records what was entered and the
    activation moves the process on, in the transaction viewflow opened under
    the process lock.
    """

    form_class = None
    service = None
    subject = None
    template_name = "lifecycle/task.html"

    @cached_property
    def project(self):
        return self.request.activation.process.project

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project}

    def get_formsets(self):
        data = self.request.POST if self.request.method == "POST" else None
        return {
            name: formset_class(data=data, prefix=name)
            for name, formset_class in getattr(self.form_class, "formsets", {}).items()
        }

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formsets", self.get_formsets())
        context = super().get_context_data(**kwargs)
        context["project"] = self.project
        context["activation"] = self.request.activation
        context["node"] = self.request.activation.flow_task
        if self.subject and self.project:
            context.update(self.subject(self.project))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formsets = self.get_formsets()
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            return self.form_valid(form, formsets)
        messages.error(request, _("The task was not completed: please correct the errors below."))
        response = self.render_to_response(self.get_context_data(form=form, formsets=formsets))
        response.status_code = 422
        return response

    def submit(self, data):
        activation = self.request.activation
        self.service(project=self.project, actor=self.request.user, task=activation.task, **data)
        activation.execute()

    def form_valid(self, form, formsets):
        data = {**form.cleaned_data, **{name: fs.rows() for name, fs in formsets.items()}}
        self.submit(data)
        messages.success(
            self.request,
            _("%(task)s completed for %(project)s.")
            % {"task": self.request.activation.flow_task.task_title, "project": self.project},
        )
        return redirect(self.get_success_url())


class LaunchView(TaskView):
    """Launch LLMOps project: creates the process, the project and its teams at once."""

    form_class = LaunchForm
    template_name = "lifecycle/launch.html"

    @cached_property
    def project(self):
        return None

    def submit(self, data):
        self.created = project_launch(
            activation=self.request.activation, actor=self.request.user, **data
        )

    def get_success_url(self):
        return reverse("projects:detail", args=[self.created.pk])


# Inbox, queue and archive: viewflow's views, with the project's columns and a
# filter whose size does not grow with the number of tasks.


class TaskListFilter(FilterSet):
    """One option per project the user can see, not one per process of the list."""

    project = ModelChoiceFilter(
        field_name="process__project",
        label=_("Project"),
        queryset=lambda request: visible_projects(request.user) if request else None,
    )
    flow_task = ChoiceFilter(label=_("Task"))
    created = DateRangeFilter()

    class Meta:
        model = LifecycleTask
        fields = ["project", "flow_task", "created"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = get_queryset_flow_task_choices(self.queryset)


class ProjectTaskColumns:
    """Columns shared by the three task lists."""

    columns = ("task_id", "project", "task_title", "lane", "group", "age", "due")
    filterset_class = TaskListFilter

    def task_queryset(self, queryset):
        return queryset.filter(
            process__project__in=visible_projects(self.request.user)
        ).select_related("process__project__policy", "owner")

    def project(self, task):
        project = task.process.project
        return format_html(
            '<a href="{}">{}</a>', reverse("projects:detail", args=[project.pk]), project
        )

    project.short_description = _("Project")

    def task_title(self, task):
        return task.flow_task.task_title

    task_title.short_description = _("Task")

    def lane(self, task):
        return task.flow_task.lane_label

    lane.short_description = _("Lane")

    def group(self, task):
        return task.flow_task.group_label

    group.short_description = _("Process group")

    def age(self, task):
        return timesince(task.created)

    age.short_description = _("Age")

    def due(self, task):
        return task_due_at(task).date()

    due.short_description = _("Due")


class InboxView(ProjectTaskColumns, FlowInboxListView):
    @property
    def queryset(self):
        return self.task_queryset(super().queryset)


class QueueView(ProjectTaskColumns, FlowQueueListView):
    @property
    def queryset(self):
        return self.task_queryset(super().queryset)


class ArchiveView(ProjectTaskColumns, FlowArchiveListView):
    columns = ("task_id", "project", "task_title", "lane", "group", "finished")

    @property
    def queryset(self):
        return self.task_queryset(super().queryset)


class FlowTaskListView(ProjectTaskColumns, DashboardTaskListView):
    """viewflow's list of all tasks of the flow, limited to visible projects."""

    columns = ("task_id", "project", "task_title", "lane", "group", "status", "owner", "age")
    filterset_class = DashboardTaskListView.filterset_class

    @property
    def queryset(self):
        return self.task_queryset(super().queryset)


class FlowProcessListView(DashboardProcessListView):
    """viewflow's list of all processes of the flow, limited to visible projects."""

    columns = ("process_id", "project", "created", "finished", "active_tasks")
    object_link_columns = ("process_id",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(project__in=visible_projects(self.request.user))
            .select_related("project")
            .order_by("-created", "-pk")
        )

    def project(self, process):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("projects:detail", args=[process.project.pk]),
            process.project,
        )

    project.short_description = _("Project")


# Project pages


class ProjectListView(generic.ListView):
    template_name = "lifecycle/project_list.html"
    context_object_name = "projects"
    paginate_by = 50

    group_label = None

    def get_queryset(self):
        active = LifecycleTask.objects.filter(status__in=ACTIVE_STATUSES).order_by("created")
        projects = visible_projects(self.request.user)
        if group := self.request.GET.get("group"):
            # the portfolio's links: projects with work waiting in one process group
            from apps.notation.state import projects_in_group

            from .nodes import GROUPS

            projects, self.group_label = projects_in_group(projects, group), GROUPS.get(group)
        return projects.select_related("process").prefetch_related(
            Prefetch("process__task_set", queryset=active, to_attr="active_tasks")
        )


class ProjectDetailView(generic.TemplateView):
    """Where a project stands: stage, requirements in force, history, the process chart."""

    template_name = "lifecycle/project_detail.html"

    def get_context_data(self, **kwargs):
        from .flows import LifecycleFlow

        project = access_project(user=self.request.user, project_id=kwargs["pk"])
        trend = assessment_trend(project=project)
        process = project.process
        tasks = list(
            LifecycleTask.objects.filter(process=process)
            .select_related("owner", "process__project")
            .order_by("created", "id")
        )
        user = self.request.user
        active = [t for t in tasks if t.status in ACTIVE_STATUSES]
        for task in active:
            node = task.flow_task
            task.can_open = hasattr(node, "can_assign") and (
                node.can_assign(user, task) or node.can_execute(user, task)
            )
        return super().get_context_data(
            project=project,
            process=process,
            chart_url=LifecycleFlow.instance.reverse("process_chart", args=[process.pk]),
            active_tasks=active,
            done_tasks=[t for t in tasks if t.status == STATUS.DONE],
            requirement_set=requirement_set_in_force(project=project),
            kpis=Kpi.objects.filter(scope__project=project),
            assessments=trend,
            trend_points=trend_points(trend),
            policy_line=80 - project.policy.min_value_score * 80 / 100,
            memberships=Membership.objects.filter(project=project).select_related("user"),
            history=project_history(project=project)[:200],
            webhook_deliveries=webhook_deliveries(project=project)[:20],
            **kwargs,
        )


class EvidenceDownloadView(generic.View):
    """An architecture evidence file, for the project's members only, always as a download."""

    def get(self, request, pk, design_pk):
        project = access_project(user=request.user, project_id=pk)
        design = get_object_or_404(ArchitectureDesign, pk=design_pk, project=project)
        if not design.evidence:
            raise Http404("No evidence file.")
        return FileResponse(design.evidence.open("rb"), as_attachment=True)
