"""The flow class read as a BPMN process: nodes, sequence flows, merges, message flows.

Everything here comes from the flow declaration (attribute names, ``.Lane()``, the
gateways' labelled branches, ``bpmn_message_flows``), so changing the flow changes
the export. Two things the flow leaves implicit are made explicit, as the spec asks:
a merge gateway wherever several flows enter a node that is not a join, and the
condition ``<gateway id> == "<label>"`` on every branch of an exclusive split.
"""

from dataclasses import dataclass, field

from django.utils import translation

from apps.lifecycle.nodes import GROUPS, LANES

PROCESS_ID = "llmops_lifecycle"
ENTERPRISE = "enterprise"
IT_INFRASTRUCTURE = "it_infrastructure"
POOL_NAMES = {ENTERPRISE: "Enterprise", IT_INFRASTRUCTURE: "IT infrastructure"}

# viewflow's task type -> BPMN element
ELEMENTS = {
    "HUMAN_START": "startEvent",
    "START": "startEvent",
    "HUMAN": "userTask",
    "SWITCH": "exclusiveGateway",
    "EXCLUSIVE_GATEWAY": "exclusiveGateway",
    "PARALLEL_GATEWAY": "parallelGateway",
    "JOIN": "parallelGateway",
    "TIMER": "intermediateCatchEvent",
    "FUNCTION": "serviceTask",
    "JOB": "serviceTask",
    "END": "endEvent",
}
GATEWAYS = {"exclusiveGateway", "parallelGateway"}
EVENTS = {"startEvent", "intermediateCatchEvent", "endEvent"}


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    element: str
    lane: str
    group: str | None = None
    join: bool = False
    timer: str | None = None  # the duration expression of a timer event
    merge: bool = False  # added by the export in front of a node


@dataclass(frozen=True)
class SequenceFlow:
    source: str
    target: str
    label: str | None = None  # the branch of an exclusive split

    @property
    def id(self) -> str:
        return f"{self.source}_to_{self.target}"

    @property
    def condition(self) -> str | None:
        return f'{self.source} == "{self.label}"' if self.label else None


@dataclass(frozen=True)
class MessageFlow:
    source: str
    target: str
    name: str

    @property
    def id(self) -> str:
        return f"message_{self.source}_to_{self.target}"


@dataclass
class ProcessModel:
    id: str
    name: str
    nodes: dict[str, Node]  # in walk order from the start event
    flows: list[SequenceFlow]
    message_flows: list[MessageFlow]
    lanes: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    def outgoing(self, node_id: str) -> list[SequenceFlow]:
        return [f for f in self.flows if f.source == node_id]

    def incoming(self, node_id: str) -> list[SequenceFlow]:
        return [f for f in self.flows if f.target == node_id]


def _element(node) -> str:
    try:
        return ELEMENTS[node.task_type]
    except KeyError:
        raise ValueError(f"{node.name}: no BPMN element for {node.task_type}") from None


def _timer_expression(node) -> str:
    # Timer(this.monitoring_window): the method's name is the variable an engine reads.
    delay = getattr(node, "_delay", None)
    return getattr(delay, "__name__", None) or "PT5M"


def walk(start, successors, waits_for=lambda node: 1):
    """Depth first from the start, branches in their declared order, as tokens go:
    a join is entered once all its branches have reached it.

    Returns the nodes in that order and the edges that close a loop (back edges).
    """
    order, back, seen, open_ = [], set(), set(), set()
    arrivals: dict = {}

    def visit(node):
        seen.add(node)
        order.append(node)
        open_.add(node)
        for nxt in successors(node):
            if nxt in open_:
                back.add((node, nxt))
            elif nxt not in seen:
                arrivals[nxt] = arrivals.get(nxt, 0) + 1
                if arrivals[nxt] >= waits_for(nxt):
                    visit(nxt)
        open_.discard(node)

    visit(start)
    while waiting := [n for n in arrivals if n not in seen]:  # a join some branch never reaches
        visit(waiting[0])
    return order, back


def _read_flow(flow_class) -> tuple[list[Node], list[SequenceFlow]]:
    flow = flow_class.instance
    starts = [n for n in flow.nodes() if _element(n) == "startEvent"]
    if len(starts) != 1:
        raise ValueError(f"{flow_class.__name__}: expected one start node, found {len(starts)}")
    # Only what the start reaches is the process: nothing viewflow adds on the side.
    walked, _back = walk(
        starts[0],
        lambda n: [e.dst for e in n._outgoing()],
        lambda n: len(list(n._incoming())) if n.task_type == "JOIN" else 1,
    )
    nodes, flows = [], []
    for n in walked:
        element = _element(n)
        nodes.append(
            Node(
                id=n.name,
                name=str(n.task_title),
                element=element,
                lane=str(n.lane),
                group=n.group,
                join=n.task_type == "JOIN",
                timer=_timer_expression(n) if element == "intermediateCatchEvent" else None,
            )
        )
        for edge in n._outgoing():
            label = edge.label if element == "exclusiveGateway" else None
            flows.append(SequenceFlow(n.name, edge.dst.name, label))
    return nodes, flows


def _add_merges(nodes: list[Node], flows: list[SequenceFlow]):
    """Draw each exclusive merge as its own gateway (bpmnlint's fake-join)."""
    merged_nodes, merged_flows = [], list(flows)
    for node in nodes:
        incoming = [f for f in merged_flows if f.target == node.id]
        if len(incoming) > 1 and not node.join:
            merge = Node(
                id=f"merge_{node.id}",
                name="",
                element="exclusiveGateway",
                lane=node.lane,
                merge=True,
            )
            merged_nodes.append(merge)
            merged_flows = [
                SequenceFlow(f.source, merge.id, f.label) if f.target == node.id else f
                for f in merged_flows
            ]
            merged_flows.append(SequenceFlow(merge.id, node.id))
        merged_nodes.append(node)
    return merged_nodes, merged_flows


def process_model(flow_class=None) -> ProcessModel:
    """The flow as a BPMN process, with names in English as in the spec."""
    if flow_class is None:
        from apps.lifecycle.flows import LifecycleFlow as flow_class
    with translation.override("en"):
        nodes, flows = _add_merges(*_read_flow(flow_class))
        by_id = {n.id: n for n in nodes}
        ordered, _back = walk(
            nodes[0],
            lambda n: [by_id[f.target] for f in flows if f.source == n.id],
            lambda n: sum(f.target == n.id for f in flows) if n.join else 1,
        )
        message_flows = [
            MessageFlow(source, target, str(name))
            for source, target, name in getattr(flow_class, "bpmn_message_flows", ())
        ]
        return ProcessModel(
            id=PROCESS_ID,
            name=str(flow_class.process_title),
            nodes={n.id: n for n in ordered},
            flows=flows,
            message_flows=message_flows,
            lanes={str(key): str(name) for key, name in LANES.items()},
            groups={key: str(name) for key, name in GROUPS.items()},
        )
