"""The BPMN export run by SpiffWorkflow, an engine that knows nothing of viewflow.

``SpiffRun`` parses the exported file, completes user tasks by node id with the
gateway variables a step sets, lets the monitoring window elapse on a clock of its
own, completes service tasks as the workers would, and records the nodes in the
order tokens reach them, in the same terms as viewflow's task list: a join counts
once, when its first branch arrives; merge gateways the export adds are not recorded.
Tokens leave a parallel split at one instant; Spiff starts the branches top to bottom
on the diagram, viewflow in the order the flow declares them (the order of the file's
sequence flows), and the record lists such a group of arrivals in the declared order.
"""

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from apps.notation.model import PROCESS_ID, process_model

UNREACHED = TaskState.MAYBE | TaskState.LIKELY | TaskState.FUTURE
REACHED = TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED

# Every gateway variable the BPMN conditions read, on the happy path, and the
# duration the monitoring timer reads.
HAPPY = {
    "architecture_approved": "approved",
    "data_quality_sufficient": "sufficient",
    "fine_tuning_needed": "no",
    "rework_pass": "first pass",
    "evaluation_passed": "passed",
    "maintenance_needed": "no",
    "assessment_due": "due",
    "retirement_triggered": "within policy",
    "assessment_decision": "continue",
    "monitoring_window": "PT5M",
}
WINDOW = timedelta(minutes=5)


class Clock:
    """Spiff's timers read the time through this, so a window elapses only when told."""

    now = datetime(2025, 1, 1, tzinfo=UTC)

    @classmethod
    def datetime(cls):
        clock = cls

        class ClockDatetime(datetime):
            @classmethod
            def now(cls, tz=None):
                return clock.now

        return ClockDatetime


class SpiffRun:
    def __init__(self, xml: bytes, monkeypatch):
        parser = BpmnParser(validator=BpmnValidator())
        parser.add_bpmn_str(xml)
        model = process_model()
        self.nodes = {n.id for n in model.nodes.values() if not n.merge}
        self.joins = {n.id for n in model.nodes.values() if n.join}
        self.splits = {
            n.id: [f.target for f in model.outgoing(n.id)]
            for n in model.nodes.values()
            if n.element == "parallelGateway" and not n.join
        }
        self.visited: list[str] = []
        self._came_from: list = []  # the split task each arrival left, if any
        self._waiting_joins: set[str] = set()
        self.spec = parser.get_spec(PROCESS_ID)
        self._record_transitions(monkeypatch)
        self.workflow = BpmnWorkflow(self.spec)
        self.workflow.get_tasks(state=TaskState.READY)[0].data.update(HAPPY)
        self._settle()

    def _record_transitions(self, monkeypatch):
        monkeypatch.setattr(spiff_timer, "datetime", Clock.datetime())
        original = Task._set_state
        run = self

        def set_state(task, value):
            before = task.state
            original(task, value)
            if task.workflow.top_workflow.spec is run.spec:
                run._record(task, before, value)

        monkeypatch.setattr(Task, "_set_state", set_state)

    def _record(self, task, before, after):
        name = task.task_spec.name
        if name not in self.nodes:
            return
        if name in self.joins and after == TaskState.COMPLETED:
            self._waiting_joins.discard(name)
        if not (before & UNREACHED and after & REACHED):
            return
        if name in self.joins:
            if name in self._waiting_joins:
                return  # a later branch reaching the same join
            self._waiting_joins.add(name)
        self._arrive(name, task.parent)

    def _arrive(self, name, parent):
        split = parent if parent is not None and parent.task_spec.name in self.splits else None
        i = len(self.visited)
        if split is not None:
            declared = self.splits[split.task_spec.name]
            while (
                i
                and self._came_from[i - 1] is split
                and declared.index(self.visited[i - 1]) > declared.index(name)
            ):
                i -= 1
        self.visited.insert(i, name)
        self._came_from.insert(i, split)

    def _settle(self):
        """Run the engine; complete service tasks as the workers would, one engine step each."""
        self.workflow.do_engine_steps()
        while started := [
            t
            for t in self.workflow.get_tasks(state=TaskState.STARTED)
            if isinstance(t.task_spec, ServiceTask)
        ]:
            for task in started:
                task.complete()
            self.workflow.do_engine_steps()

    def ready(self) -> list[str]:
        return [t.task_spec.name for t in self.workflow.get_tasks(state=TaskState.READY)]

    def complete(self, node: str, variables: dict | None = None):
        """Complete the user task ``node``, setting the gateway variables its record implies."""
        (task,) = [
            t
            for t in self.workflow.get_tasks(state=TaskState.READY)
            if t.task_spec.name == node and isinstance(t.task_spec, UserTask)
        ]
        task.data.update(variables or {})
        task.run()
        self._settle()

    def elapse(self, variables: dict | None = None):
        """The monitoring window elapses: the timer fires with what monitoring will find."""
        (timer,) = [
            t
            for t in self.workflow.get_tasks(state=TaskState.WAITING)
            if t.task_spec.name in self.nodes and t.task_spec.name not in self.joins
        ]
        Clock.now += WINDOW + timedelta(seconds=1)
        self.workflow.refresh_timers()  # the timer takes its data from before it waited
        assert timer.state == TaskState.READY
        timer.data.update(variables or {})
        self._settle()
