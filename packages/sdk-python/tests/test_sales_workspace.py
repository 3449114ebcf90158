"""What the web app's sales workspace asks of the API, from Python: following events, conditional
deal moves, merge previews, `me` in lists."""
from __future__ import annotations

import pytest

from trellis import Trellis
from trellis.errors import PreconditionFailedError

from conftest import unique


def _stages(client: Trellis) -> list[dict]:
    pipeline = next(p for p in client.pipelines.list().data if p["is_default"])
    return pipeline["stages"]


def test_events_stream_resumes_after_an_event_and_yields_the_moves_since(client: Trellis) -> None:
    first, second = _stages(client)[:2]
    deal = client.deals.create(name=unique("Streamed "), stage_id=first["id"])
    created = client.events.list(record_id=deal["id"]).data[-1]
    client.deals.move(deal["id"], second["id"], if_match=deal["version"])
    for event in client.events.stream(after=created["id"], record_id=deal["id"]):
        assert event["type"] == "deal.stage_changed"
        assert event["data"]["object"]["stage_id"] == second["id"]
        break


def test_deals_move_with_a_stale_if_match_raises_and_changes_nothing(client: Trellis) -> None:
    first, second, third = _stages(client)[:3]
    deal = client.deals.create(name=unique("Conflict "), stage_id=first["id"])
    client.deals.move(deal["id"], second["id"])
    with pytest.raises(PreconditionFailedError):
        client.deals.move(deal["id"], third["id"], if_match=deal["version"])
    assert client.deals.get(deal["id"])["stage_id"] == second["id"]


def test_merge_dry_run_previews_and_writes_nothing(client: Trellis) -> None:
    survivor = client.contacts.create(first_name="Ivy", email=f"{unique('ivy-')}@example.com")
    duplicate = client.contacts.create(first_name="Ivy", title="COO", email=f"{unique('ivy-')}@example.com")
    preview = client.contacts.merge(survivor["id"], duplicate["id"], dry_run=True)
    assert preview["title"] == "COO"
    assert client.contacts.get(duplicate["id"])["id"] == duplicate["id"]
    assert client.contacts.get(survivor["id"])["title"] is None


def test_owner_me_lists_the_deals_of_the_keys_user(client: Trellis) -> None:
    me = client.me.get()
    mine = client.deals.create(name=unique("Mine "), owner_id=me["user"]["id"])
    page = client.deals.list(owner_id="me", id={"in": [mine["id"]]})
    assert [d["id"] for d in page.data] == [mine["id"]]
