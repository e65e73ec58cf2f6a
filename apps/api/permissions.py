"""What a caller may do: the project first (404 when unknown or foreign), then the scope (403)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.infrastructure.models import ApiToken
from apps.projects.selectors import access_project

NOT_FOUND = _("Not found.")


class ProjectScope(BasePermission):
    """A token acts on its own project within its scopes; a signed-in user reads what the
    browser shows.

    The view names ``required_scope``; a view with a ``project_id`` in its URL gets
    ``view.project`` set here, after the same checks for token and session.
    """

    def has_permission(self, request, view):
        scope = view.required_scope
        project_id = view.kwargs.get("project_id")
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            if project_id is not None:
                if str(token.project_id) != str(project_id):
                    raise NotFound(NOT_FOUND)
                view.project = token.project
            if not token.has_scope(scope):
                raise PermissionDenied(
                    _("This token does not have the '%(scope)s' scope.") % {"scope": scope}
                )
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if project_id is not None:
            try:
                view.project = access_project(user=user, project_id=project_id)
            except Http404:
                raise NotFound(NOT_FOUND) from None
        if scope != ApiToken.Scope.READ or request.method not in SAFE_METHODS:
            raise PermissionDenied(
                _("A browser session can only read; IT infrastructure sends with an API token.")
            )
        return True
