"""A list call's result: its first page (.data, .meta, as the API answers), and an iterator
over every record of every page by cursor. Nothing is requested until it is read."""
from __future__ import annotations

from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class Page(Generic[T]):
    def __init__(self, envelope: dict[str, Any]) -> None:
        self.data: list[T] = envelope["data"]
        self.meta: dict[str, Any] = envelope["meta"]

    @property
    def next_cursor(self) -> str | None:
        return self.meta.get("next_cursor") if self.meta.get("has_more") else None


class ListResult(Generic[T]):
    """`for record in client.contacts.list(...)` walks every page; `.data`/`.meta` are the first page's."""

    def __init__(self, fetch_page: Callable[[str | None], dict[str, Any]]) -> None:
        self._fetch_page = fetch_page
        self._first: Page[T] | None = None

    @property
    def first_page(self) -> Page[T]:
        if self._first is None:
            self._first = Page(self._fetch_page(None))
        return self._first

    @property
    def data(self) -> list[T]:
        return self.first_page.data

    @property
    def meta(self) -> dict[str, Any]:
        return self.first_page.meta

    def pages(self) -> Iterator[Page[T]]:
        page = self.first_page
        while True:
            yield page
            if page.next_cursor is None:
                return
            page = Page(self._fetch_page(page.next_cursor))

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data

    def to_list(self, max: int | None = None) -> list[T]:
        """Every record, or the first `max`; stops requesting pages once it has them."""
        records: list[T] = []
        if max is not None and max <= 0:
            return records
        for record in self:
            records.append(record)
            if max is not None and len(records) >= max:
                break
        return records
