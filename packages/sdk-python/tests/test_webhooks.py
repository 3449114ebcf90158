"""trellis.webhooks.verify against real deliveries signed by the server, and its refusals."""
from __future__ import annotations

import http.server
import threading
import time
from typing import Iterator

import pytest

from trellis import Trellis, WebhookVerificationError, webhooks

from conftest import Tenant, unique


class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def wait_for(self, contact_id: str) -> tuple[bytes, dict[str, str]]:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for body, headers in list(self.deliveries):
                if contact_id.encode() in body:
                    return body, headers
            time.sleep(0.05)
        raise AssertionError("no delivery")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.deliveries.append((body, {k.lower(): v for k, v in self.headers.items()}))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def new_contact_delivery(client: Trellis, receiver: Receiver) -> tuple[bytes, dict[str, str], str]:
    contact = client.contacts.create(first_name="Hook", email=f"{unique('hook-')}@example.com")
    body, headers = receiver.wait_for(contact["id"])
    return body, headers, contact["id"]


def test_real_deliveries_verify_and_forgeries_are_refused(tenant: Tenant, receiver: Receiver) -> None:
    client = tenant.client
    endpoint = client.webhook_endpoints.create(url=receiver.url, events=["contact.created"])
    secret = endpoint["secret"]
    body, headers, contact_id = new_contact_delivery(client, receiver)

    event = Trellis.webhooks.verify(body, headers, secret)
    assert event["type"] == "contact.created" and event["data"]["object"]["id"] == contact_id
    assert webhooks.verify(body.decode(), headers, secret)["id"] == headers["webhook-id"]

    with pytest.raises(WebhookVerificationError, match="No signature"):
        webhooks.verify(body.replace(b'"Hook"', b'"Hack"'), headers, secret)
    other = client.webhook_endpoints.create(url=receiver.url + "/other", events=["deal.won"])["secret"]
    with pytest.raises(WebhookVerificationError, match="No signature"):
        webhooks.verify(body, headers, other)
    with pytest.raises(WebhookVerificationError, match="too old"):
        webhooks.verify(body, headers, secret, now=time.time() + 600)
    with pytest.raises(WebhookVerificationError, match="future"):
        webhooks.verify(body, headers, secret, now=time.time() - 600)
    old = webhooks.sign(body, secret, msg_id="msg_old", timestamp=time.time() - 600)
    with pytest.raises(WebhookVerificationError, match="too old"):
        webhooks.verify(body, old, secret)
    with pytest.raises(WebhookVerificationError, match="Missing"):
        webhooks.verify(body, {k: v for k, v in headers.items() if k != "webhook-signature"}, secret)

    # During a rotation both secrets sign; either, or both given, verify.
    new_secret = client.webhook_endpoints.rotate_secret(endpoint["id"])["secret"]
    body, headers, _ = new_contact_delivery(client, receiver)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secrets in (secret, new_secret, [secret, new_secret], [other, new_secret]):
        assert webhooks.verify(body, headers, secrets)["type"] == "contact.created"
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(body, headers, [other])


def test_sign_makes_what_the_server_sends() -> None:
    secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
    headers = webhooks.sign(b'{"id":"evt_1"}', secret, msg_id="msg_1", timestamp=1_700_000_000)
    assert webhooks.verify(b'{"id":"evt_1"}', headers, secret, now=1_700_000_010) == {"id": "evt_1"}
