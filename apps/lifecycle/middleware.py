"""One gate in front of every URL that names a process or a task.

viewflow's task views check the flow but not that the task in the URL belongs to
the process and the node of that URL, and they answer 403 where we want a 404
that reveals nothing. This middleware runs before any of them.
"""

from django.http import Http404

from apps.projects.selectors import visible_projects

from .models import LifecycleTask


class ProcessAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        process_pk = view_kwargs.get("process_pk")
        if process_pk is None or request.resolver_match is None:
            return None
        extra = getattr(request.resolver_match.url_name, "extra", {})
        if "flow" not in extra and "flow_viewset" not in extra:
            return None
        visible = visible_projects(request.user)
        task_pk = view_kwargs.get("task_pk")
        if task_pk is None:
            if not visible.filter(process_id=process_pk).exists():
                raise Http404("No such process.")
            return None
        task = LifecycleTask.objects.filter(
            pk=task_pk, process_id=process_pk, process__project__in=visible
        ).first()
        node = extra.get("node")
        if task is None or node is None or task.flow_task.name != node.name:
            raise Http404("No such task in this process.")
        return None
