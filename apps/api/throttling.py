"""Rate limits per token (or per signed-in user) and per kind of endpoint."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from apps.infrastructure.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Like DRF's ScopedRateThrottle, keyed by the token rather than by user or address.

    The view names its ``throttle_scope``; rates are read from REST_FRAMEWORK on each
    request (not at import), so settings overrides apply.
    """

    def __init__(self):
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}-{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return f"api-throttle-{self.scope}-{ident}"
