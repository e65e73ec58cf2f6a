"""Errors as JSON with the status codes the API documents."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.views import exception_handler

from apps.infrastructure.services import MessageNotAwaited

from .parsers import PayloadTooLarge
from .permissions import NOT_FOUND


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def api_exception_handler(exc, context):
    """DRF's handler, plus: every 404 has the same body, too large is 413, not awaited is 409."""
    if isinstance(exc, Http404 | NotFound):
        exc = NotFound(NOT_FOUND)
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, MessageNotAwaited):
        exc = Conflict(str(exc))
    return exception_handler(exc, context)
