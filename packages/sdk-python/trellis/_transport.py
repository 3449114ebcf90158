"""Sends one logical call: URL and headers, attempts with a timeout each, retries of what is
safe to retry (one Idempotency-Key for every attempt of a POST), typed errors."""
from __future__ import annotations

import email.utils
import http.client
import json
import os
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from ._generated import OPERATIONS
from .errors import APIConnectionError, APIError, APITimeoutError, ConflictError, RateLimitError, TrellisError, error_from_response

# POSTs the server does not store for replay (their answer shows a secret once; docs/api-guide.md,
# Idempotency-Key): a retry after a lost answer could run them twice.
NOT_REPLAYABLE = {"api_keys.create", "webhook_endpoints.create", "webhook_endpoints.rotate_secret", "sandboxes.create", "workspaces.create"}
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0


@dataclass(frozen=True)
class RateLimit:
    """The rate-limit state the last answer reported."""

    limit: int
    remaining: int
    reset: datetime


@dataclass
class RequestOptions:
    idempotency_key: str | None = None
    if_match: int | str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    headers: Mapping[str, str] | None = None


def new_idempotency_key() -> str:
    return f"sdk-{uuid.uuid4()}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ",".join(_text(v) for v in value)
    return str(value)


def query_string(query: Mapping[str, Any] | None) -> str:
    """Lists comma-separated, booleans as true/false, {"gte": x} as field[gte]=x."""
    pairs: list[tuple[str, str]] = []
    for key, value in (query or {}).items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs.extend((f"{key}[{op}]", _text(v)) for op, v in value.items() if v is not None)
        else:
            pairs.append((key, _text(value)))
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _retriable(error: APIError, replayable: bool) -> bool:
    if isinstance(error, RateLimitError) or error.status == 503:
        return True
    if not replayable:
        return False
    if isinstance(error, ConflictError) and error.code == "conflict":
        return True  # the same key while the first request still runs: its answer comes a moment later
    return error.status >= 500


class Transport:
    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        max_retry_after: float,
        headers: Mapping[str, str] | Callable[[], Mapping[str, str]] | None,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("TRELLIS_API_KEY")
        self.base_url = (base_url or os.environ.get("TRELLIS_BASE_URL") or "http://localhost:3000").rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.headers = headers
        self.last_rate_limit: RateLimit | None = None
        self.sleep: Callable[[float], None] = time.sleep

    def call(self, operation: str, *, path: Mapping[str, str] | None = None, query: Mapping[str, Any] | None = None,
             body: Any = None, as_text: bool = False, options: RequestOptions | None = None,
             raw: tuple[bytes, str] | None = None) -> Any:
        """raw=(bytes, content type) sends a file as the body instead of JSON (an import)."""
        options = options or RequestOptions()
        method, template, _ = OPERATIONS[operation]
        url = self.base_url + _fill(template, path or {}) + query_string(query)
        headers = self._headers(body, as_text, options)
        if raw is not None:
            headers["content-type"] = raw[1]
        if method == "POST":
            headers["idempotency-key"] = options.idempotency_key or new_idempotency_key()
        replayable = method != "POST" or operation not in NOT_REPLAYABLE
        data = raw[0] if raw is not None else json.dumps(body).encode() if body is not None else None
        max_retries = self.max_retries if options.max_retries is None else options.max_retries
        timeout = options.timeout or self.timeout
        attempt = 0
        while True:
            try:
                return self._attempt(urllib.request.Request(url, data=data, headers=headers, method=method), timeout, as_text)
            except APIError as error:
                if not _retriable(error, replayable) or attempt >= max_retries:
                    raise
                asked = _retry_after(error.headers)
                if asked is not None and asked > self.max_retry_after:
                    raise
                delay = asked + random.random() * 0.25 if asked is not None else self._backoff(attempt)
            except APIConnectionError:
                if not replayable or attempt >= max_retries:
                    raise
                delay = self._backoff(attempt)
            self.sleep(delay)
            attempt += 1

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(MAX_DELAY, INITIAL_DELAY * 2**attempt) * (1 - random.random() * 0.25)

    def _headers(self, body: Any, as_text: bool, options: RequestOptions) -> dict[str, str]:
        headers = {"accept": "text/csv, application/x-ndjson;q=0.9" if as_text else "application/json", "user-agent": "trellis-sdk-python/0.1.0"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        if body is not None:
            headers["content-type"] = "application/json"
        configured = self.headers() if callable(self.headers) else (self.headers or {})
        for name, value in {**configured, **(options.headers or {})}.items():
            headers[name.lower()] = value
        if options.if_match is not None:
            headers["if-match"] = f'"{options.if_match}"' if isinstance(options.if_match, int) else options.if_match
        return headers

    def _attempt(self, request: urllib.request.Request, timeout: float, as_text: bool) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode("utf-8")
                headers = {k.lower(): v for k, v in response.headers.items()}
                self._note_rate_limit(headers)
                if as_text or not text:
                    return text if as_text else None
                try:
                    return json.loads(text)
                except ValueError:
                    # Not retried: an HTML page where the API should be (a wrong base_url) will not turn into JSON.
                    raise TrellisError(f"Expected JSON from {request.full_url} (is base_url the Trellis server's root?), got: {text[:80]}") from None
        except urllib.error.HTTPError as error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            self._note_rate_limit(headers)
            raw = error.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            raise error_from_response(error.code, headers, parsed) from None
        except (TimeoutError, socket.timeout) as error:
            raise APITimeoutError(f"No answer within {timeout} s.") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise APITimeoutError(f"No answer within {timeout} s.") from error
            raise APIConnectionError(f"Connection error: {error.reason}") from error
        except (http.client.HTTPException, ConnectionError, OSError) as error:
            raise APIConnectionError(f"Connection error: {error}") from error

    def open_stream(self, operation: str, *, query: Mapping[str, Any] | None = None, options: RequestOptions | None = None,
                    timeout: float | None = None) -> Any:
        """A streamed GET (server-sent events) as an open response to read lines from; an error answer
        raises its typed error. Not retried: the caller resumes where it stopped."""
        options = options or RequestOptions()
        method, template, _ = OPERATIONS[operation]
        url = self.base_url + _fill(template, {}) + query_string(query)
        headers = {**self._headers(None, False, options), "accept": "text/event-stream"}
        wait = timeout or options.timeout or self.timeout
        try:
            response = urllib.request.urlopen(urllib.request.Request(url, headers=headers, method=method), timeout=wait)
        except urllib.error.HTTPError as error:
            headers = {k.lower(): v for k, v in error.headers.items()}
            raw = error.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            raise error_from_response(error.code, headers, parsed) from None
        except (TimeoutError, socket.timeout) as error:
            raise APITimeoutError(f"No answer within {wait} s.") from error
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError) as error:
            raise APIConnectionError(f"Connection error: {error}") from error
        self._note_rate_limit({k.lower(): v for k, v in response.headers.items()})
        return response

    def _note_rate_limit(self, headers: Mapping[str, str]) -> None:
        try:
            self.last_rate_limit = RateLimit(
                limit=int(headers["x-ratelimit-limit"]),
                remaining=int(headers["x-ratelimit-remaining"]),
                reset=datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), tz=timezone.utc),
            )
        except (KeyError, ValueError):
            pass


def _fill(template: str, params: Mapping[str, str]) -> str:
    out = template
    for name, value in params.items():
        if not value:
            raise ValueError(f'Missing path parameter "{name}" for {template}')
        out = out.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
    if "{" in out:
        raise ValueError(f"Missing path parameter for {template}")
    return out
