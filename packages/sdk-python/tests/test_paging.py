"""Paging iterators over a real list: 1,001 contacts in pages of 7, none skipped or repeated."""
from __future__ import annotations

import pytest

from trellis import Trellis

from conftest import Server, unique

TOTAL = 1_001


@pytest.fixture(scope="module")
def filled(server: Server) -> tuple[Trellis, list[str]]:
    client = server.new_tenant().client
    created: list[str] = []
    for start in range(0, TOTAL, 100):
        records = [{"first_name": f"P{start + i}", "email": f"{unique('page-')}@example.com"} for i in range(min(100, TOTAL - start))]
        result = client.contacts.bulk(records)
        assert result["failed"] == 0
        created += [r["id"] for r in result["results"]]
    return client, created


def test_the_first_page_has_data_and_meta_as_the_api_answers(filled: tuple[Trellis, list[str]]) -> None:
    client, created = filled
    page = client.contacts.list(limit=7)
    assert [c["id"] for c in page.data] == created[:7]
    assert (page.meta["total"], page.meta["limit"], page.meta["has_more"]) == (TOTAL, 7, True)


def test_iterating_walks_every_page_by_cursor_each_record_once_even_with_writes_during_the_walk(filled: tuple[Trellis, list[str]]) -> None:
    client, created = filled
    result = client.contacts.list(limit=7)
    seen: list[str] = []
    late: list[str] = []
    for contact in result:
        seen.append(contact["id"])
        if len(seen) in (500, 900):
            late.append(client.contacts.create(first_name="Late", email=f"{unique('late-')}@example.com")["id"])
    assert len(set(seen)) == len(seen)
    assert seen == created + late
    assert sum(1 for _ in result.pages()) == -(-(TOTAL + 2) // 7)


def test_to_list_with_max_stops_early_and_filters_apply(filled: tuple[Trellis, list[str]]) -> None:
    client, created = filled
    assert [c["id"] for c in client.contacts.list(limit=7).to_list(max=10)] == created[:10]
    names = sorted(c["first_name"] for c in client.contacts.list(limit=7, first_name={"starts_with": "P99"}))
    assert names == ["P99"] + [f"P99{i}" for i in range(10)]
