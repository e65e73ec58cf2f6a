"""The BPMN export: generated from the flow, conforming to the spec and to bpmnlint,
drawn without overlaps, carrying a project's state; its downloads and the portfolio.
"""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own export only
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from apps.lifecycle.flows import LifecycleFlow
from apps.notation.bpmn import NS, STATE_NS, bpmn_xml
from apps.notation.layout import layout
from apps.notation.model import process_model

from .conftest import BUILD, do, launch, login

ROOT = Path(settings.BASE_DIR)
SHARED = ROOT.parent / "shared"
SPEC = json.loads((SHARED / "spec/llmops-process.json").read_text())
BPMNLINT = ROOT / "node_modules/.bin/bpmnlint"


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 - our own export


def q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("bpmn") / "llmops.bpmn"
    call_command("export_bpmn", output=str(path))
    return path


def test_export_conforms_to_the_spec(export):
    result = subprocess.run(  # noqa: S603 - our checker on our file
        [sys.executable, str(SHARED / "checks/bpmn_check.py"), str(export)],
        capture_output=True,
        text=True,
        check=False,
    )

    print(result.stdout)
    assert result.stdout.startswith("conforms"), result.stdout + result.stderr
    assert result.returncode == 0


def test_bpmnlint_recommended_rules_find_nothing(export):
    assert BPMNLINT.exists(), "run `npm ci` first (bpmnlint is a devDependency in package.json)"
    result = subprocess.run(  # noqa: S603 - the linter on our file
        [str(BPMNLINT), str(export)], capture_output=True, text=True, cwd=ROOT, check=False
    )

    print(result.stdout or "bpmnlint: 0 errors, 0 warnings")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in result.stdout, result.stdout
    assert "error" not in result.stdout, result.stdout


def test_element_ids_are_the_spec_node_ids(export):
    process = parse(export.read_bytes()).find(q("bpmn:process"))
    spec_types = {n["id"]: n["type"] for n in SPEC["nodes"]}

    exported = {
        el.get("id"): el.tag.split("}")[1]
        for el in process
        if el.get("id")
        and not el.get("id").startswith("merge_")
        and el.tag != q("bpmn:sequenceFlow")
        and el.tag != q("bpmn:laneSet")
    }

    assert exported == spec_types


def test_merges_sit_before_every_node_entered_by_several_flows(export):
    process = parse(export.read_bytes()).find(q("bpmn:process"))
    flows = process.findall(q("bpmn:sequenceFlow"))
    incoming = {}
    for f in flows:
        incoming.setdefault(f.get("targetRef"), []).append(f)
    joins = {n["id"] for n in SPEC["nodes"] if n.get("join")}

    crowded = {t for t, fs in incoming.items() if len(fs) > 1}

    merged = {
        "define_business_requirements",
        "derive_requirements",
        "design_architecture",
        "prepare_data",
        "select_base_model",
        "rework_pass",
        "develop_artifact",
        "monitoring_cycle",
        "assessment_due",
        "split_retire",
    }
    assert crowded == {f"merge_{n}" for n in merged} | joins
    for node in merged:
        assert [f.get("sourceRef") for f in incoming[node]] == [f"merge_{node}"]


def test_every_branch_of_an_exclusive_split_has_its_label_and_condition(export):
    process = parse(export.read_bytes()).find(q("bpmn:process"))
    splits = {el.get("id") for el in process.findall(q("bpmn:exclusiveGateway")) if el.get("name")}
    branches = [f for f in process.findall(q("bpmn:sequenceFlow")) if f.get("sourceRef") in splits]

    assert len(branches) == sum(len(LifecycleFlow.instance.node(g).labels) for g in splits)
    for f in branches:
        condition = f.find(q("bpmn:conditionExpression")).text
        assert condition == f'{f.get("sourceRef")} == "{f.get("name")}"'


def test_groups_are_categories_drawn_in_their_own_colour(export):
    root = parse(export.read_bytes())
    values = {v.get("id"): v.get("value") for v in root.iter(q("bpmn:categoryValue"))}
    frames = {g.get("id"): g.get("categoryValueRef") for g in root.iter(q("bpmn:group"))}
    colour = f"{{{NS['color']}}}border-color"
    strokes = {
        s.get("bpmnElement"): s.get(colour)
        for s in root.iter(q("bpmndi:BPMNShape"))
        if s.get(colour)
    }

    assert set(values.values()) == set(SPEC["groups"].values())
    tasks = [n for n in SPEC["nodes"] if n.get("group")]
    assert {f"frame_{n['id']}": f"group_{n['group']}" for n in tasks} == frames
    by_group = {}
    for frame, value in frames.items():
        by_group.setdefault(value, set()).add(strokes[frame])
    assert all(len(s) == 1 for s in by_group.values())
    assert len({next(iter(s)) for s in by_group.values()}) == len(SPEC["groups"])


def test_the_export_is_generated_from_the_flow(monkeypatch):
    node = LifecycleFlow.instance.node("define_scope")
    monkeypatch.setattr(node, "task_title", "Outline the scope")
    monkeypatch.setattr(
        LifecycleFlow,
        "bpmn_message_flows",
        (*LifecycleFlow.bpmn_message_flows, ("it_infrastructure", "deploy_artifact", "Logs")),
    )

    root = parse(bpmn_xml())

    assert (
        root.find(f".//{q('bpmn:userTask')}[@id='define_scope']").get("name") == "Outline the scope"
    )
    assert "Logs" in {m.get("name") for m in root.iter(q("bpmn:messageFlow"))}


def test_nothing_overlaps_and_every_node_sits_in_its_lane():
    model = process_model()
    diagram = layout(model)
    nodes = {node_id: diagram.shapes[node_id] for node_id in model.nodes}
    frames = {f"frame_{k}": b for k, b in diagram.groups.items()}
    boxes = list(nodes.items()) + list(diagram.labels.items())
    owner = {f"frame_{k}": k for k in diagram.groups}

    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    for name, frame in frames.items():
        others = [k for k, box in nodes.items() if box.overlaps(frame) and k != owner[name]]
        assert others == [], name
    for node_id, box in nodes.items():
        assert diagram.shapes[f"lane_{model.nodes[node_id].lane}"].contains(box), node_id
    for edge_id, points in diagram.edges.items():
        for node_id, box in nodes.items():
            if node_id in edge_id:
                continue
            segments = zip(points, points[1:], strict=False)
            assert not any(box.inflate(1).crossed_by(a, b) for a, b in segments), (edge_id, node_id)
        for label_id, label in diagram.labels.items():
            if label_id != edge_id:
                segments = zip(points, points[1:], strict=False)
                assert not any(label.crossed_by(a, b) for a, b in segments), (edge_id, label_id)


# a project's state


def test_project_export_adds_done_and_active_nodes_and_still_conforms(clients, project, tmp_path):
    for name in BUILD[:2]:
        do(clients, project, name)
    path = tmp_path / "project.bpmn"

    call_command("export_bpmn", output=str(path), project=project.pk)

    state = parse(path.read_bytes()).find(f".//{{{STATE_NS}}}projectState")
    nodes = {n.get("ref"): n.get("state") for n in state}
    assert state.get("project") == str(project.pk)
    assert nodes == {
        "launch_project": "done",
        "define_scope": "done",
        "define_business_requirements": "done",
        "derive_requirements": "active",
    }
    check = subprocess.run(  # noqa: S603
        [sys.executable, str(SHARED / "checks/bpmn_check.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.startswith("conforms"), check.stdout


# downloads


def test_the_flow_download_is_the_export(clients):
    response = clients["operational"].get(reverse("notation:flow_bpmn"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert response.content == bpmn_xml()


def test_a_project_download_needs_membership(clients, project, outsider, auditor):
    url = reverse("notation:project_bpmn", args=[project.pk])

    member = clients["operational"].get(url)
    assert member.status_code == 200
    assert f'project="{project.pk}"'.encode() in member.content
    assert login(auditor).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404
    assert login(outsider).get(reverse("notation:project_bpmn", args=[9999])).status_code == 404


def test_flow_and_project_pages_offer_the_download(clients, project):
    flow_page = clients["strategic"].get(reverse("lifecycle:index"), follow=True)
    project_page = clients["strategic"].get(reverse("projects:detail", args=[project.pk]))

    assert reverse("notation:flow_bpmn").encode() in flow_page.content
    assert reverse("notation:project_bpmn", args=[project.pk]).encode() in project_page.content


def test_the_diagram_links_only_the_tasks_the_user_may_act_on(clients, project):
    url = reverse("projects:detail", args=[project.pk])

    strategic = clients["strategic"].get(url).content.decode()
    operational = clients["operational"].get(url).content.decode()

    assert '<a hidden data-node="define_scope"' in strategic
    assert "<llmops-bpmn-diagram" in operational
    assert 'data-node="define_scope"' not in operational


# portfolio


def test_portfolio_counts_projects_per_group_and_links_to_the_list(
    clients, strategist, operator, outsider
):
    scoping = launch(clients["strategic"], [operator], title="Scoping")
    building = launch(clients["strategic"], [operator], title="Building")
    for name in BUILD:
        do(clients, building, name)  # now finalize_blueprint (strategic) and prepare_data (data)

    page = clients["strategic"].get(reverse("notation:index"))

    counts = {g["key"]: g["count"] for g in page.context["groups"]}
    assert counts == {"strategic": 2, "data": 1, "llm": 0, "dev": 0, "ops": 0, "compliance": 0}
    assert 'href="/projects/?group=data"' in page.content.decode()
    listed = clients["strategic"].get("/projects/?group=data")
    assert [p.title for p in listed.context["projects"]] == ["Building"]
    assert "Scoping" not in listed.content.decode()
    assert scoping.pk
    nothing = login(outsider).get(reverse("notation:index"))
    assert all(g["count"] == 0 for g in nothing.context["groups"])


def test_a_project_waiting_on_the_monitoring_timer_is_in_operation(clients, project):
    from .conftest import drive_to_operation

    drive_to_operation(clients, project)

    page = clients["strategic"].get(reverse("notation:index"))

    assert page.context["in_operation"] == 1
    assert {g["key"]: g["count"] for g in page.context["groups"]}["ops"] == 1
