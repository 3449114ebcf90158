"""Standard Webhooks verification (and signing, for tests) of Trellis deliveries.

A delivery carries webhook-id, webhook-timestamp (Unix seconds) and
webhook-signature: space-separated "v1,<base64 HMAC-SHA256 of id.timestamp.body>",
one per secret while a secret is being rotated.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from typing import Any, Mapping, Sequence, cast

from ._generated import Event
from .errors import TrellisError

DEFAULT_TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(TrellisError):
    """The delivery is not signed with the secret, or its timestamp is too old or in the future."""


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return " ".join(value) if isinstance(value, (list, tuple)) else str(value)
    return None


def _key(secret: str) -> bytes:
    encoded = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise WebhookVerificationError("The webhook secret is not a whsec_ base64 secret.") from error
    if not key:
        raise WebhookVerificationError("The webhook secret is empty.")
    return key


def _signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    return hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()


def verify(
    raw_body: bytes | str,
    headers: Mapping[str, Any],
    secret: str | Sequence[str],
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Event:
    """Checks the signature against the secret (or any of the secrets, during a rotation) and the
    timestamp against the tolerance, then returns the event. Raises WebhookVerificationError.
    Pass the body exactly as received, not re-serialized JSON."""
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header.")
    if not timestamp.isdigit():
        raise WebhookVerificationError("Invalid webhook-timestamp.")
    current = int(now if now is not None else time.time())
    if int(timestamp) < current - tolerance_seconds:
        raise WebhookVerificationError("The webhook timestamp is too old.")
    if int(timestamp) > current + tolerance_seconds:
        raise WebhookVerificationError("The webhook timestamp is in the future.")

    body = raw_body.encode() if isinstance(raw_body, str) else bytes(raw_body)
    candidates = []
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version == "v1":
            try:
                candidates.append(base64.b64decode(value, validate=True))
            except (binascii.Error, ValueError):
                continue
    for each in [secret] if isinstance(secret, str) else secret:
        expected = _signature(_key(each), msg_id, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return cast(Event, json.loads(body))
    raise WebhookVerificationError("No signature matches the secret.")


def sign(raw_body: bytes | str, secret: str, *, msg_id: str | None = None, timestamp: float | None = None) -> dict[str, str]:
    """The headers Trellis would send with this body: for testing a receiver."""
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    body = raw_body.encode() if isinstance(raw_body, str) else bytes(raw_body)
    signature = base64.b64encode(_signature(_key(secret), msg_id, stamp, body)).decode()
    return {"webhook-id": msg_id, "webhook-timestamp": stamp, "webhook-signature": f"v1,{signature}"}
