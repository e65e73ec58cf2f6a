"""The BPMN file from the API: the same export as the browser download, same permissions."""

import subprocess
import sys
from pathlib import Path

from apps.notation.bpmn import bpmn_xml

from .api_support import Api, _fresh_throttles, project_url, token  # noqa: F401
from .conftest import UserFactory, login, start_project

CHECK = Path(__file__).resolve().parents[2] / "shared" / "checks" / "bpmn_check.py"


def test_a_read_token_gets_the_process_model_that_conforms(project, strategist, tmp_path):
    api = Api(token(project, strategist, "read"))

    response = api.get("/api/process-model/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content == bpmn_xml()
    path = tmp_path / "model.bpmn"
    path.write_bytes(response.content)
    check = subprocess.run(  # noqa: S603 - the shared checker on our own file
        [sys.executable, str(CHECK), str(path)], capture_output=True, text=True, check=False
    )
    assert check.stdout.startswith("conforms"), check.stdout + check.stderr


def test_the_project_model_carries_its_state_and_stays_inside_the_project(
    project, strategist, operator
):
    other = start_project(strategist, "Other project", operational_members=[operator])
    api = Api(token(project, strategist, "read"))

    mine = api.get(project_url(project, "process-model/"))
    foreign = api.get(project_url(other, "process-model/"))

    assert mine.status_code == 200
    assert mine.content == bpmn_xml(project=project)
    assert b"define_scope" in mine.content
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "Not found."}


def test_sessions_read_the_model_with_browser_permissions(project, operator):
    outsider = UserFactory(username="stranger")

    member = Api(client=login(operator)).get(project_url(project, "process-model/"))
    stranger = Api(client=login(outsider)).get(project_url(project, "process-model/"))
    anonymous = Api().get("/api/process-model/")

    assert member.status_code == 200
    assert stranger.status_code == 404
    assert anonymous.status_code == 401
