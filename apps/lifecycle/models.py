"""The life-cycle process and task classes: viewflow proxies scoped to projects."""

from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from viewflow.workflow.managers import TaskQuerySet
from viewflow.workflow.models import Process, Task
from viewflow.workflow.token import Token

from apps.operational.models import (
    DataQualityReport,
    Evaluation,
    ModelSelection,
    RootCauseAnalysis,
)
from apps.operations.models import Assessment, MonitoringReport
from apps.operations.services import assessment_is_due
from apps.projects.selectors import visible_projects
from apps.strategic.models import ArchitectureReview, AssessmentDecision


def _latest(model, project):
    return model.objects.filter(project=project).order_by("-id").first()


class LifecycleProcess(Process):
    """One project's run through the LLMOps life cycle.

    The gateway predicates live here and read the latest governance record, so
    the route always follows what was recorded, never a flag set on the side.
    """

    class Meta:
        proxy = True
        verbose_name = _("LLMOps life cycle")
        verbose_name_plural = _("LLMOps life cycles")

    def architecture_decision(self) -> str:
        return _latest(ArchitectureReview, self.project).decision

    def data_quality_verdict(self) -> str:
        return _latest(DataQualityReport, self.project).verdict

    def fine_tuning_answer(self) -> str:
        return "yes" if _latest(ModelSelection, self.project).fine_tuning_required else "no"

    def evaluation_outcome(self) -> str:
        return "passed" if _latest(Evaluation, self.project).passed else "failed"

    def root_cause(self) -> str:
        return _latest(RootCauseAnalysis, self.project).cause

    def maintenance_answer(self) -> str:
        return "yes" if _latest(MonitoringReport, self.project).maintenance_needed else "no"

    def assessment_due_answer(self) -> str:
        return "due" if assessment_is_due(project=self.project) else "not due"

    def retirement_answer(self) -> str:
        return (
            "breached"
            if _latest(Assessment, self.project).retirement_triggered
            else "within policy"
        )

    def assessment_decision(self) -> str:
        return _latest(AssessmentDecision, self.project).decision

    @staticmethod
    def rework_answer(token) -> str:
        # Inside the build split the token carries the split's suffix; rework
        # after an evaluation runs on the single token that left join_build.
        return "first pass" if Token(str(token)).is_split_token() else "rework"


def object_permission_keys(user) -> set[str]:
    """guardian object permissions as viewflow's queue expects them, in two queries.

    viewflow builds this set itself with two extra queries per permission held;
    a user in many projects would pay thousands of statements per page.
    """
    fields = ("content_type__app_label", "permission__codename", "object_pk")
    rows = list(UserObjectPermission.objects.filter(user=user).values_list(*fields))
    rows += GroupObjectPermission.objects.filter(group__user=user).values_list(*fields)
    return {f"{app}.{codename}_{pk}" for app, codename, pk in rows}


class LifecycleTaskQuerySet(TaskQuerySet):
    """viewflow's task queries, restricted to the projects the user may see."""

    def filter_available(self, flow_classes, user):
        return (
            super()
            .filter_available(flow_classes, user)
            .filter(process__project__in=visible_projects(user))
        )

    def user_queue(self, user, flow_class=None):
        if not hasattr(user, "_viewflow_per_object_perm_cache"):
            user._viewflow_per_object_perm_cache = object_permission_keys(user)
        return (
            super()
            .user_queue(user, flow_class=flow_class)
            .filter(process__project__in=visible_projects(user))
        )

    def user_archive(self, user, flow_class=None):
        return (
            super()
            .user_archive(user, flow_class=flow_class)
            .filter(process__project__in=visible_projects(user))
        )


class LifecycleTask(Task):
    """A task of the life cycle; its manager only ever returns visible projects' tasks."""

    objects = LifecycleTaskQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("Life-cycle task")
