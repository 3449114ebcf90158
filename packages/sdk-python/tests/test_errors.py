"""Error answers become typed exceptions with status, code, request id and details."""
from __future__ import annotations

import re

import pytest

from trellis import (ERROR_CLASSES, APIError, AuthenticationError, DuplicateError, InsufficientScopeError, NotFoundError,
                     PreconditionFailedError, Trellis, ValidationError)

from conftest import REPOSITORY, Server, Tenant, unique


def test_there_is_a_class_for_every_code_of_docs_errors_md() -> None:
    table = (REPOSITORY / "docs" / "errors.md").read_text()
    codes = re.findall(r"^\| `(\w+)` \| \d{3} \|", table, flags=re.MULTILINE)
    assert codes and sorted(codes) == sorted(ERROR_CLASSES)


def test_duplicate_and_stale_if_match(client: Trellis) -> None:
    email = f"{unique('dup-')}@example.com"
    first = client.contacts.create(first_name="One", email=email)
    with pytest.raises(DuplicateError) as duplicate:
        client.contacts.create(first_name="Two", email=email)
    error = duplicate.value
    assert (error.status, error.code, error.existing_id, error.field) == (409, "duplicate", first["id"], "email")
    assert error.request_id and error.request_id.startswith("req_")

    changed = client.contacts.update(first["id"], title="CEO", if_match=first["version"])
    with pytest.raises(PreconditionFailedError) as stale:
        client.contacts.update(first["id"], title="Intern", if_match=first["version"])
    assert (stale.value.status, stale.value.current_version) == (412, changed["version"])
    assert client.contacts.get(first["id"])["title"] == "CEO"


def test_validation_not_found_scope_and_key_errors(server: Server, tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as invalid:
        tenant.client.contacts.create(first_name="X", status="gone")
    assert list(invalid.value.fields) == ["status"]
    with pytest.raises(NotFoundError):
        tenant.client.deals.get("deal_missing")
    reader = tenant.client.api_keys.create(name="reader", scope="read_only")["secret"]
    with pytest.raises(InsufficientScopeError) as scoped:
        Trellis(reader, base_url=server.url).tags.create(name="no")
    assert scoped.value.required == "tags:write"
    with pytest.raises(AuthenticationError) as unknown:
        Trellis("trl_live_nope", base_url=server.url).me.get()
    assert isinstance(unknown.value, APIError) and unknown.value.status == 401


def test_headers_hook_reaches_the_server_and_last_rate_limit(server: Server, tenant: Tenant) -> None:
    hooked = Trellis(tenant.key, base_url=server.url, headers=lambda: {"X-Request-Id": "py-hook"})
    with pytest.raises(NotFoundError) as missing:
        hooked.contacts.get("con_missing")
    assert missing.value.request_id == "py-hook"
    tenant.client.me.get()
    before = tenant.client.last_rate_limit
    tenant.client.me.get()
    assert tenant.client.last_rate_limit.remaining == before.remaining - 1
