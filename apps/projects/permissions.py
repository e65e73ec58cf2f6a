"""Lanes as permissions on the project object, and guardian's content-type hook."""

from django.contrib.contenttypes.models import ContentType

from .models import Team

VIEW_PROJECT = "projects.view_project"
LANE_PERMISSIONS = {
    Team.STRATEGIC: "projects.act_strategic",
    Team.OPERATIONAL: "projects.act_operational",
}


def lane_permission(team: str) -> str:
    return LANE_PERMISSIONS[Team(team)]


def get_content_type(obj_or_model):
    """Key guardian permissions by the object's own (possibly proxy) model.

    viewflow's process classes are proxies of ``workflow.Process`` whose
    permissions belong to the proxy's content type; guardian's default looks up
    the concrete model and would never find them.
    """
    return ContentType.objects.get_for_model(obj_or_model, for_concrete_model=False)
