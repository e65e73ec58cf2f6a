"""viewflow nodes that also know their BPMN lane and process group.

The flow declares each node's lane and group with ``.Lane(...)``; the inbox, the
project page and the BPMN export read them from here.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.switch import SwitchActivation

from apps.projects.models import Team
from apps.projects.permissions import lane_permission

LANES = {Team.STRATEGIC: _("Strategic team"), Team.OPERATIONAL: _("Operational team")}
GROUPS = {
    "strategic": _("Strategic"),
    "data": _("Data"),
    "llm": _("LLM"),
    "dev": _("Development"),
    "ops": _("Operations"),
    "compliance": _("Compliance"),
}


class LaneMixin:
    lane: str | None = None
    group: str | None = None

    def Lane(self, lane: str, group: str | None = None):  # noqa: N802 - viewflow's fluent style
        if lane not in LANES or (group is not None and group not in GROUPS):
            raise ValueError(f"Unknown lane {lane!r} or group {group!r}")
        self.lane, self.group = lane, group
        return self

    @property
    def lane_label(self):
        return LANES.get(self.lane, "")

    @property
    def group_label(self):
        return GROUPS.get(self.group, "")


def _project_of(process):
    return process.project


class Start(LaneMixin, flow.Start):
    pass


class HumanTask(LaneMixin, flow.View):
    """A user task of one lane: only that lane's members of the project may claim and do it."""

    def Lane(self, lane, group=None):  # noqa: N802
        super().Lane(lane, group)
        return self.Permission(lane_permission(lane), obj=_project_of)

    def can_execute(self, user, task):
        # Being the owner is not enough: a member who left the team loses the task too.
        return task.owner_id == user.pk and user.has_perm(
            task.owner_permission, task.process.project
        )


class GatewayActivation(SwitchActivation):
    """Decide once, store the outcome label on the task, follow the matching branch."""

    @Activation.status.super()
    def activate(self):
        with self.exception_guard(), transaction.atomic(savepoint=True):
            outcome = self.flow_task._decide(self)
            for node, label in self.flow_task._labelled:
                if label == outcome:
                    self.next_task = node
                    break
            else:
                raise FlowRuntimeError(f"{self.flow_task.name}: no branch for outcome {outcome!r}")
            self.task.data = {**(self.task.data or {}), "outcome": outcome}


class Gateway(LaneMixin, flow.Switch):
    """Exclusive gateway whose branches carry the spec's labels.

    ``decide`` returns one of the labels; the label is also the BPMN condition
    ``<gateway id> == "<label>"``.
    """

    activation_class = GatewayActivation

    def __init__(self, decide, **kwargs):
        super().__init__(**kwargs)
        self._decide = decide
        self._labelled = []

    def Branch(self, label: str, node):  # noqa: N802
        self._labelled.append((node, label))
        return self

    def _resolve(self, instance):
        self._decide = this.resolve(instance, self._decide)
        self._labelled = [(this.resolve(instance, node), label) for node, label in self._labelled]

    def _outgoing(self):
        for node, label in self._labelled:
            yield Edge(src=self, dst=node, edge_class="cond_true", label=label)

    @property
    def labels(self) -> list[str]:
        return [label for _node, label in self._labelled]


class Split(LaneMixin, flow.Split):
    pass


class Join(LaneMixin, flow.Join):
    pass


class Timer(LaneMixin, flow.Timer):
    pass


class End(LaneMixin, flow.End):
    pass
