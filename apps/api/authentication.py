"""Who is calling: a project's API token (``Authorization: Bearer <key>``) or a browser session."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.infrastructure.selectors import api_token_for_key


class ApiClient:
    """``request.user`` of a token request: an integration acting for one project, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, token):
        self.token = token

    def __str__(self) -> str:
        return f"API token {self.token.prefix}"


class ApiTokenAuthentication(BaseAuthentication):
    """Look the key up by its hash on every request, so a revoked token is refused at once."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <key>'."))
        token = api_token_for_key(header[1].decode("latin-1"))
        if token is None:
            raise AuthenticationFailed(_("Invalid API token."))
        # Kept on the request so that even a refused call lands in the token's use log.
        request._request.api_token = token
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This API token has been revoked."))
        return ApiClient(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A project API token, created by a decision maker in the admin console.",
        }
