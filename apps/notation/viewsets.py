"""The notation pages in the site's menu: portfolio and BPMN downloads."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from .views import FlowBpmnView, PortfolioView, ProjectBpmnView


class NotationApp(Application):
    """The life cycle in standard notation."""

    app_name = "notation"
    title = _("Process model")
    icon = "all_inclusive"
    menu_template_name = "notation/menu.html"

    index_path = path("", PortfolioView.as_view(), name="index")
    flow_bpmn_path = path("llmops.bpmn", FlowBpmnView.as_view(), name="flow_bpmn")
    project_bpmn_path = path(
        "projects/<int:pk>.bpmn", ProjectBpmnView.as_view(), name="project_bpmn"
    )

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active
