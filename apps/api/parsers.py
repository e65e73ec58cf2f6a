"""JSON bodies with a size limit: too large is 413, before anything is parsed."""

import json
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# A \uD800-\uDFFF escape: only then can the parsed text hold a lone surrogate,
# which the database could not store.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class LimitedJSONParser(JSONParser):
    """DRF reads the raw stream, which bypasses DATA_UPLOAD_MAX_MEMORY_SIZE: enforce it here."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        try:
            data = json.loads(raw, parse_constant=_reject_constant)
            if SURROGATE_ESCAPE.search(raw):
                json.dumps(data, ensure_ascii=False).encode()
        except (ValueError, UnicodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        return data
