"""The BPMN file for download, and the portfolio on the paper's infinite loop (Figure 3)."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from apps.lifecycle.nodes import GROUPS
from apps.projects.selectors import access_project, visible_projects

from .bpmn import CONTENT_TYPE, bpmn_xml
from .loop import FigureEight
from .palette import GROUP_COLOURS
from .state import group_projects, in_operation

FILE_NAME = "llmops-lifecycle"


def bpmn_response(xml: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(xml, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}.bpmn"'
    return response


class FlowBpmnView(generic.View):
    """The life cycle as a BPMN 2.0 collaboration, generated from the flow."""

    def get(self, request):
        return bpmn_response(bpmn_xml(), FILE_NAME)


class ProjectBpmnView(generic.View):
    """The same file with where one project stands; 404 for anyone outside its teams."""

    def get(self, request, pk):
        project = access_project(user=request.user, project_id=pk)
        return bpmn_response(bpmn_xml(project=project), f"{FILE_NAME}-project-{project.pk}")


def _label_place(x, y):
    """A group's name outside the loop: beside the two ends, above or under the others."""
    if x < 150:
        return {"label_x": x - 38, "label_y": y + 5, "anchor": "end"}
    if x > 610:
        return {"label_x": x + 38, "label_y": y + 5, "anchor": "start"}
    return {"label_x": x, "label_y": y + 52 if y > 200 else y - 40, "anchor": "middle"}


class PortfolioView(generic.TemplateView):
    """How many visible projects have work waiting in each process group right now."""

    template_name = "notation/portfolio.html"

    def get_context_data(self, **kwargs):
        projects = visible_projects(self.request.user)
        members = group_projects(projects)
        operating = in_operation(projects)
        loop = FigureEight()
        places = loop.places()
        groups = []
        for key, name in GROUPS.items():
            stroke, fill = GROUP_COLOURS[key]
            place = places[key]
            groups.append(
                {
                    **place,
                    "key": key,
                    "name": name,
                    "count": len(members.get(key, ())),
                    "url": f"{reverse('projects:index')}?group={key}",
                    "stroke": stroke,
                    "fill": fill,
                    **_label_place(place["x"], place["y"]),
                }
            )
        return super().get_context_data(
            loop_path=loop.path,
            groups=groups,
            in_operation=len(operating),
            total=projects.count(),
            title=_("Portfolio"),
            **kwargs,
        )
