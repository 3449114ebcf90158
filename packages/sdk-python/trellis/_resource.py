"""What every resource shares: calling an operation by its operationId, and the five record calls."""
from __future__ import annotations

from typing import Any, Generic, Mapping, TypeVar

from ._paging import ListResult
from ._transport import RequestOptions, Transport

R = TypeVar("R")
OPTION_NAMES = ("idempotency_key", "if_match", "timeout", "max_retries", "extra_headers")


def split_options(fields: dict[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """Separates the per-call options (idempotency_key, if_match, timeout, max_retries, extra_headers) from the fields."""
    options = RequestOptions(
        idempotency_key=fields.pop("idempotency_key", None),
        if_match=fields.pop("if_match", None),
        timeout=fields.pop("timeout", None),
        max_retries=fields.pop("max_retries", None),
        headers=fields.pop("extra_headers", None),
    )
    return fields, options


def only_options(kwargs: dict[str, Any]) -> RequestOptions:
    """The per-call options of a call that takes nothing else; anything more is a mistake."""
    rest, options = split_options(dict(kwargs))
    if rest:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(rest))}")
    return options


def merged(body: Mapping[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
    return {**(body or {}), **fields}


class Resource:
    _name = ""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _data(self, operation: str, *, path: Mapping[str, str] | None = None, query: Mapping[str, Any] | None = None,
              body: Any = None, options: RequestOptions | None = None) -> Any:
        return self._transport.call(operation, path=path, query=query, body=body, options=options)["data"]

    def _list(self, operation: str, params: dict[str, Any], path: Mapping[str, str] | None = None) -> ListResult[Any]:
        query, options = split_options(params)
        return ListResult(lambda cursor: self._transport.call(
            operation, path=path, query={**query, "cursor": cursor} if cursor else query, options=options))


class CrudResource(Resource, Generic[R]):
    """list, create, get, update, delete, named `<resource>.<action>` as the API's operationIds."""

    def list(self, **params: Any) -> ListResult[R]:
        """A list: `.data`/`.meta` of the first page, or iterate for every record. Filters as
        keyword arguments; operators as `created_at={"gte": "2026-01-01"}`."""
        return self._list(f"{self._name}.list", params)

    def create(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> R:
        fields, options = split_options(fields)
        return self._data(f"{self._name}.create", body=merged(body, fields), options=options)

    def get(self, id: str, **options: Any) -> R:
        return self._data(f"{self._name}.get", path={"id": id}, options=only_options(options))

    def update(self, id: str, body: Mapping[str, Any] | None = None, /, **fields: Any) -> R:
        """Changes the fields given; with if_match=version, only if the record is still at that version."""
        fields, options = split_options(fields)
        return self._data(f"{self._name}.update", path={"id": id}, body=merged(body, fields), options=options)

    def delete(self, id: str, **options: Any) -> dict[str, Any]:
        return self._data(f"{self._name}.delete", path={"id": id}, options=only_options(options))
