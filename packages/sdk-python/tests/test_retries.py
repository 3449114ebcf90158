"""Retries with one idempotency key, lost answers, timeouts, and 429 after Retry-After."""
from __future__ import annotations

import time
from typing import Iterator

import pytest

import http.server
import threading

from trellis import APIConnectionError, APITimeoutError, RateLimitError, Trellis, TrellisError

from conftest import Server, Tenant, unique
from fault_proxy import FaultProxy, SeenRequest


@pytest.fixture
def proxy(server: Server) -> Iterator[FaultProxy]:
    proxy = FaultProxy.start(server.url)
    yield proxy
    proxy.close()


def posts_to(path: str):
    return lambda r: r.method == "POST" and r.path == path


def test_a_create_whose_answer_is_lost_is_retried_with_the_same_key_and_makes_one_record(tenant: Tenant, proxy: FaultProxy) -> None:
    email = f"{unique('lost-')}@example.com"
    proxy.drop_answers(posts_to("/v1/contacts"))
    contact = Trellis(tenant.key, base_url=proxy.url).contacts.create(first_name="Lost", email=email)
    posts = [r for r in proxy.requests if posts_to("/v1/contacts")(r)]
    assert [p.dropped for p in posts] == [True, False]
    assert posts[0].headers["idempotency-key"].startswith("sdk-")
    assert posts[1].headers["idempotency-key"] == posts[0].headers["idempotency-key"]
    assert [c["id"] for c in tenant.client.contacts.list(email=email)] == [contact["id"]]


def test_with_retries_off_a_repeat_with_the_callers_own_key_still_makes_one_record(tenant: Tenant, proxy: FaultProxy) -> None:
    email = f"{unique('own-')}@example.com"
    key = unique("import-row-")
    proxy.drop_answers(posts_to("/v1/contacts"))
    client = Trellis(tenant.key, base_url=proxy.url, max_retries=0)
    with pytest.raises(APIConnectionError):
        client.contacts.create(first_name="Own", email=email, idempotency_key=key)
    contact = client.contacts.create(first_name="Own", email=email, idempotency_key=key)
    assert [c["id"] for c in tenant.client.contacts.list(email=email)] == [contact["id"]]


def test_a_lost_read_is_retried_a_lost_key_creation_is_not(tenant: Tenant, proxy: FaultProxy) -> None:
    proxy.drop_answers(lambda r: r.path == "/v1/me")
    assert Trellis(tenant.key, base_url=proxy.url).me.get()["workspace"]["id"] == tenant.workspace_id
    assert len([r for r in proxy.requests if r.path == "/v1/me"]) == 2
    proxy.drop_answers(posts_to("/v1/api-keys"))
    with pytest.raises(APIConnectionError):
        Trellis(tenant.key, base_url=proxy.url).api_keys.create(name="once", scope="full")
    assert len([r for r in proxy.requests if posts_to("/v1/api-keys")(r)]) == 1


def test_no_answer_within_the_timeout_is_an_api_timeout_error(tenant: Tenant, proxy: FaultProxy) -> None:
    proxy.delay = 2.0
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        Trellis(tenant.key, base_url=proxy.url, timeout=0.3, max_retries=0).me.get()
    assert time.monotonic() - started < 1.9


def test_a_429_is_retried_after_retry_after_and_succeeds(server: Server, tenant: Tenant) -> None:
    """Takes about a minute: the server's rate-limit window is a minute long."""
    key = tenant.client.api_keys.create(name="tiny", scope="full", rate_limit_per_minute=1)["secret"]
    patient = Trellis(key, base_url=server.url)
    impatient = Trellis(key, base_url=server.url, max_retry_after=1)
    patient.me.get()
    assert (patient.last_rate_limit.limit, patient.last_rate_limit.remaining) == (1, 0)
    with pytest.raises(RateLimitError) as refused:
        impatient.me.get()
    assert refused.value.status == 429 and refused.value.retry_after > 1
    started = time.monotonic()
    assert patient.me.get()["workspace"]["id"] == tenant.workspace_id
    assert time.monotonic() - started >= refused.value.retry_after - 2


def test_a_base_url_that_answers_html_is_a_trellis_error_not_retried(tenant: Tenant) -> None:
    requests = []

    class Website(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>Welcome</html>")

        def log_message(self, *args: object) -> None:
            pass

    website = http.server.HTTPServer(("127.0.0.1", 0), Website)
    threading.Thread(target=website.serve_forever, daemon=True).start()
    try:
        with pytest.raises(TrellisError, match="Expected JSON") as raised:
            Trellis(tenant.key, base_url=f"http://127.0.0.1:{website.server_address[1]}").me.get()
        assert not isinstance(raised.value, APIConnectionError)
        assert len(requests) == 1
    finally:
        website.shutdown()
