"""One exception class per error code of docs/errors.md, and the failures that never got an answer."""
from __future__ import annotations

from typing import Any, Mapping


class TrellisError(Exception):
    """Every error the SDK raises."""


class APIConnectionError(TrellisError):
    """The request got no answer: the connection failed or was cut."""


class APITimeoutError(APIConnectionError):
    """No answer within the timeout (per attempt)."""


class APIError(TrellisError):
    """The API answered with an error envelope."""

    def __init__(self, *, status: int, code: str, message: str, details: Mapping[str, Any] | None, request_id: str | None, headers: Mapping[str, str]):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.request_id = request_id
        self.headers = dict(headers)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}" + (f" (request {self.request_id})" if self.request_id else "")


class ValidationError(APIError):
    @property
    def fields(self) -> dict[str, list[str]]:
        """Field name -> messages."""
        return self.details


class InvalidJsonError(APIError): ...
class InvalidCursorError(APIError): ...
class InvalidFilterError(APIError): ...
class AuthenticationError(APIError): ...
class InvalidCredentialsError(AuthenticationError):
    """Sign-in with a wrong email or password (the same answer either way)."""


class PermissionDeniedError(APIError): ...


class CsrfError(PermissionDeniedError):
    """A session-authenticated change without the CSRF token, or from another site's page."""


class LinkGoneError(APIError):
    """An invitation, password-reset or first-start link that expired or was used (each works once)."""


class LinkExpiredError(LinkGoneError): ...
class LinkUsedError(LinkGoneError): ...


class InsufficientScopeError(PermissionDeniedError):
    @property
    def required(self) -> str | None:
        """The grant the key lacks, e.g. "contacts:write"."""
        return self.details.get("required")


class NotFoundError(APIError): ...
class MethodNotAllowedError(APIError): ...
class ConflictError(APIError): ...


class DuplicateError(ConflictError):
    @property
    def existing_id(self) -> str | None:
        """The id of the record that already has the unique value."""
        return self.details.get("existing_id")

    @property
    def field(self) -> str | None:
        return self.details.get("field")


class IdempotencyConflictError(ConflictError): ...


class PreconditionFailedError(APIError):
    @property
    def current_version(self) -> int | None:
        """The record's version now: read it again, or retry with this as if_match."""
        return self.details.get("current_version")


class PayloadTooLargeError(APIError): ...
class UnsupportedMediaTypeError(APIError): ...
class UnprocessableError(APIError): ...


class RateLimitError(APIError):
    @property
    def retry_after(self) -> float | None:
        """Seconds to wait, from Retry-After."""
        header = self.headers.get("retry-after")
        try:
            return float(header) if header is not None else self.details.get("retry_after")
        except ValueError:
            return self.details.get("retry_after")


class MalformedRequestError(APIError): ...
class RequestTimeoutError(APIError): ...
class RangeNotSatisfiableError(APIError): ...
class ExpectationFailedError(APIError): ...
class HeadersTooLargeError(APIError): ...
class InternalServerError(APIError): ...
class ServiceUnavailableError(APIError): ...


ERROR_CLASSES: dict[str, type[APIError]] = {
    "validation_error": ValidationError,
    "invalid_json": InvalidJsonError,
    "invalid_cursor": InvalidCursorError,
    "invalid_filter": InvalidFilterError,
    "malformed_request": MalformedRequestError,
    "unauthorized": AuthenticationError,
    "invalid_credentials": InvalidCredentialsError,
    "csrf_failed": CsrfError,
    "forbidden": PermissionDeniedError,
    "insufficient_scope": InsufficientScopeError,
    "not_found": NotFoundError,
    "method_not_allowed": MethodNotAllowedError,
    "request_timeout": RequestTimeoutError,
    "duplicate": DuplicateError,
    "idempotency_conflict": IdempotencyConflictError,
    "conflict": ConflictError,
    "link_expired": LinkExpiredError,
    "link_used": LinkUsedError,
    "precondition_failed": PreconditionFailedError,
    "payload_too_large": PayloadTooLargeError,
    "unsupported_media_type": UnsupportedMediaTypeError,
    "range_not_satisfiable": RangeNotSatisfiableError,
    "expectation_failed": ExpectationFailedError,
    "unprocessable": UnprocessableError,
    "rate_limited": RateLimitError,
    "headers_too_large": HeadersTooLargeError,
    "internal_error": InternalServerError,
    "service_unavailable": ServiceUnavailableError,
}


def error_from_response(status: int, headers: Mapping[str, str], body: Any) -> APIError:
    """The exception for an error answer: by its code, else APIError."""
    envelope = body if isinstance(body, dict) else {}
    error = envelope.get("error") if isinstance(envelope.get("error"), dict) else {}
    meta = envelope.get("meta") if isinstance(envelope.get("meta"), dict) else {}
    code = error.get("code") or f"http_{status}"
    cls = ERROR_CLASSES.get(code, APIError)
    return cls(
        status=status,
        code=code,
        message=error.get("message") or f"HTTP {status}",
        details=error.get("details"),
        request_id=meta.get("request_id") or headers.get("x-request-id"),
        headers=headers,
    )
