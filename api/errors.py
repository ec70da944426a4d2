"""One error shape for the whole API: RFC 9457 problem details, in the request's language.

{"type": "…/problems/conflict", "title": "Conflict", "status": 409,
 "detail": "<the service's own message>", "instance": "/api/v1/hazards/7/actions/verify/",
 "errors": {"deadline": ["…"]}}   # field errors, when the input was invalid
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hazards.workflow import HazardError, HazardNotFound

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    # (413 is answered by the web server before the API sees the request.)
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
}


class Conflict(exceptions.APIException):
    """The workflow refused the action in the hazard's present state (the message says why)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class InvalidInput(exceptions.APIException):
    """A form of the product refused the input: a general message and the fields' own."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        general = errors.pop("__all__", [])
        super().__init__(" ".join(general) or _("Some fields are not valid: see “errors”."))
        self.errors = errors


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, (HazardNotFound, Http404, ObjectDoesNotExist)):
        return exceptions.NotFound()
    if isinstance(exc, HazardError):
        return Conflict(str(exc))
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return InvalidInput(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
    return exc


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(field): [str(item) for item in (messages if isinstance(messages, list) else [messages])]
            for field, messages in detail.items()
        }
    return {}


def problem_details(exc: Exception, context: dict) -> Response | None:
    exc = _translate(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    request = context.get("request")
    errors: dict[str, list[str]] = {}
    if isinstance(exc, InvalidInput):
        detail = str(exc.detail)
        errors = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        general = errors.pop("non_field_errors", [])
        detail = " ".join(general) or _("Some fields are not valid: see “errors”.")
        if isinstance(exc.detail, list):
            detail = " ".join(str(item) for item in exc.detail)
    else:
        detail = str(getattr(exc, "detail", exc))
    body = {
        "type": f"/api/v1/problems/{getattr(exc, 'default_code', 'error')}",
        "title": TITLES.get(code, "Error"),
        "status": code,
        "detail": detail,
        "instance": request.path if request is not None else "",
    }
    if errors:
        body["errors"] = errors
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
