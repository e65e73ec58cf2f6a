"""The life cycle as a BPMN 2.0 collaboration, generated from the flow class.

``bpmn_xml()`` is the one producer of the file: the management command, the
download views and the API serve what it returns. Another BPMN tool can open,
check and execute it; ``project`` adds where one project stands, in an extension
that such tools ignore.
"""

import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML here, never parse it

from .layout import Box, Diagram, kind, layout
from .model import ENTERPRISE, IT_INFRASTRUCTURE, POOL_NAMES, ProcessModel, process_model
from .palette import GROUP_COLOURS

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "color": "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    "llmops": "urn:llmops-governance:bpmn:state",
}
STATE_NS = NS["llmops"]
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

CONTENT_TYPE = "application/xml; charset=utf-8"


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _el(parent, tag: str, text: str | None = None, /, **attrs) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    for key, value in attrs.items():
        if value is None:
            continue
        if "__" in key:  # color__border_color -> color:border-color
            prefix, local = key.split("__")
            key = _q(f"{prefix}:{local.replace('_', '-')}")
        element.set(key, str(value))
    if text is not None:
        element.text = text
    return element


def _num(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _bounds(parent, box: Box):
    _el(parent, "dc:Bounds", x=_num(box.x), y=_num(box.y), width=_num(box.w), height=_num(box.h))


def _semantics(root, model: ProcessModel, diagram: Diagram, state):
    category = _el(root, "bpmn:category", id="process_groups", name="Process groups")
    for key, name in model.groups.items():
        _el(category, "bpmn:categoryValue", id=f"group_{key}", value=name)

    collaboration = _el(root, "bpmn:collaboration", id="llmops_collaboration")
    _el(
        collaboration,
        "bpmn:participant",
        id=ENTERPRISE,
        name=POOL_NAMES[ENTERPRISE],
        processRef=model.id,
    )
    # The IT infrastructure is a black box: a pool without a process.
    _el(collaboration, "bpmn:participant", id=IT_INFRASTRUCTURE, name=POOL_NAMES[IT_INFRASTRUCTURE])
    for m in model.message_flows:
        _el(
            collaboration,
            "bpmn:messageFlow",
            id=m.id,
            name=m.name,
            sourceRef=m.source,
            targetRef=m.target,
        )
    for node_id in diagram.groups:
        group = model.nodes[node_id].group
        _el(collaboration, "bpmn:group", id=f"frame_{node_id}", categoryValueRef=f"group_{group}")

    process = _el(root, "bpmn:process", id=model.id, name=model.name, isExecutable="true")
    if state is not None:
        _state_extension(process, state)
    # in the order tokens reach them: an engine starts parallel branches in this order
    nodes = list(model.nodes.values())
    lane_set = _el(process, "bpmn:laneSet", id="lanes")
    for lane, name in model.lanes.items():
        lane_el = _el(lane_set, "bpmn:lane", id=f"lane_{lane}", name=name)
        for node in nodes:
            if node.lane == lane:
                _el(lane_el, "bpmn:flowNodeRef", node.id)
    for node in nodes:
        attrs = {"id": node.id, "name": node.name or None}
        if node.element == "exclusiveGateway" and not node.merge:
            attrs["gatewayDirection"] = "Diverging"
        elif node.merge:
            attrs["gatewayDirection"] = "Converging"
        elif node.element == "parallelGateway":
            attrs["gatewayDirection"] = "Converging" if node.join else "Diverging"
        element = _el(process, f"bpmn:{node.element}", **attrs)
        if node.group:
            _el(element, "bpmn:categoryValueRef", f"group_{node.group}")
        for f in model.incoming(node.id):
            _el(element, "bpmn:incoming", f.id)
        for f in model.outgoing(node.id):
            _el(element, "bpmn:outgoing", f.id)
        if node.timer:
            timer = _el(element, "bpmn:timerEventDefinition", id=f"{node.id}_timer")
            _el(timer, "bpmn:timeDuration", node.timer, xsi__type="bpmn:tFormalExpression")
    rank = {n.id: i for i, n in enumerate(nodes)}
    for f in sorted(model.flows, key=lambda f: rank[f.source]):
        flow = _el(
            process,
            "bpmn:sequenceFlow",
            id=f.id,
            name=f.label,
            sourceRef=f.source,
            targetRef=f.target,
        )
        if f.condition:
            _el(flow, "bpmn:conditionExpression", f.condition, xsi__type="bpmn:tFormalExpression")


def _state_extension(process, state):
    extension = _el(process, "bpmn:extensionElements")
    holder = ET.SubElement(
        extension,
        f"{{{STATE_NS}}}projectState",
        project=str(state.project_id),
        status=state.status,
    )
    for node_id, node_state in state.nodes.items():
        node = ET.SubElement(holder, f"{{{STATE_NS}}}node", ref=node_id, state=node_state)
        if node_id in state.tasks:
            node.set("task", str(state.tasks[node_id]))


def _diagram(root, model: ProcessModel, diagram: Diagram):
    bpmn_diagram = _el(root, "bpmndi:BPMNDiagram", id="diagram", name=model.name)
    plane = _el(bpmn_diagram, "bpmndi:BPMNPlane", id="plane", bpmnElement="llmops_collaboration")
    for pool in (ENTERPRISE, IT_INFRASTRUCTURE):
        shape = _el(
            plane, "bpmndi:BPMNShape", id=f"{pool}_di", bpmnElement=pool, isHorizontal="true"
        )
        _bounds(shape, diagram.shapes[pool])
    for lane in model.lanes:
        shape = _el(
            plane,
            "bpmndi:BPMNShape",
            id=f"lane_{lane}_di",
            bpmnElement=f"lane_{lane}",
            isHorizontal="true",
        )
        _bounds(shape, diagram.shapes[f"lane_{lane}"])
    for node_id, frame in diagram.groups.items():
        stroke, _fill = GROUP_COLOURS[model.nodes[node_id].group]
        shape = _el(
            plane,
            "bpmndi:BPMNShape",
            id=f"frame_{node_id}_di",
            bpmnElement=f"frame_{node_id}",
            color__border_color=stroke,
        )
        _bounds(shape, frame)
        label = _el(shape, "bpmndi:BPMNLabel", color__color=stroke)
        _bounds(label, diagram.labels[f"frame_{node_id}"])
    for node in model.nodes.values():
        attrs = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.element == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        if node.group:
            stroke, fill = GROUP_COLOURS[node.group]
            attrs.update(color__background_color=fill, color__border_color=stroke)
        shape = _el(plane, "bpmndi:BPMNShape", **attrs)
        _bounds(shape, diagram.shapes[node.id])
        if node.id in diagram.labels and kind(node.element) != "task":
            _bounds(_el(shape, "bpmndi:BPMNLabel"), diagram.labels[node.id])
    edge_ids = [f.id for f in model.flows] + [m.id for m in model.message_flows]
    for edge_id in edge_ids:
        edge = _el(plane, "bpmndi:BPMNEdge", id=f"{edge_id}_di", bpmnElement=edge_id)
        for x, y in diagram.edges[edge_id]:
            _el(edge, "di:waypoint", x=_num(x), y=_num(y))
        if edge_id in diagram.labels:
            _bounds(_el(edge, "bpmndi:BPMNLabel"), diagram.labels[edge_id])


def bpmn_xml(*, project=None, flow_class=None) -> bytes:
    """The BPMN 2.0 file of the flow; with ``project``, its state in an extension."""
    from .state import project_state

    model = process_model(flow_class)
    diagram = layout(model)
    root = ET.Element(
        _q("bpmn:definitions"),
        {
            "id": "llmops_definitions",
            "targetNamespace": "urn:llmops-governance:bpmn",
            "exporter": "llmops-governance",
            "exporterVersion": "1",
        },
    )
    _semantics(root, model, diagram, project_state(project) if project is not None else None)
    _diagram(root, model, diagram)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
