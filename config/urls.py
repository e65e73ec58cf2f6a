"""URLs: the viewflow site (inbox, flow, projects), the admin console and login."""

from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site
from viewflow.workflow.flow import FlowAppViewset

from apps.lifecycle.flows import LifecycleFlow
from apps.lifecycle.views import (
    ArchiveView,
    EvidenceDownloadView,
    FlowProcessListView,
    FlowTaskListView,
    InboxView,
    ProjectDetailView,
    ProjectListView,
    QueueView,
)
from apps.notation.viewsets import NotationApp


class ProjectsApp(Application):
    """Project pages: where each project stands and what was decided."""

    app_name = "projects"
    title = "Projects"
    icon = "folder_open"
    menu_template_name = "projects/menu.html"

    index_path = path("", ProjectListView.as_view(), name="index")
    detail_path = path("<int:pk>/", ProjectDetailView.as_view(), name="detail")
    evidence_path = path(
        "<int:pk>/evidence/<int:design_pk>/", EvidenceDownloadView.as_view(), name="evidence"
    )

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active


class LifecycleApp(FlowAppViewset):
    inbox_view_class = InboxView
    queue_view_class = QueueView
    archive_view_class = ArchiveView
    task_list_view_class = FlowTaskListView
    process_list_view_class = FlowProcessListView
    menu_template_name = "notation/flow_menu.html"  # viewflow's, plus the BPMN download


site = Site(
    title="LLMOps governance",
    viewsets=[LifecycleApp(LifecycleFlow, icon="account_tree"), ProjectsApp(), NotationApp()],
)

admin.site.site_header = "LLMOps governance: admin console"
admin.site.site_title = "LLMOps admin console"

urlpatterns = [
    path("notifications/", include("apps.notifications.urls")),
    path("accounts/", AuthViewset(with_profile_view=False, allow_password_change=False).urls),
    path("admin/", admin.site.urls),
    path("api/", include("apps.api.urls")),
    path("", site.urls),
]
