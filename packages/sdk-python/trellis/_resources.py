"""The resources: one class per namespace of the client, methods named after the operationIds."""
from __future__ import annotations

import json
import time
from typing import Any, Callable, Iterator, Mapping

from ._generated import (Activity, ApiKey, Company, Contact, Deal, Event, LeadConversion, Lead, NewApiKey, Pipeline,
                         Stage, StageChange, Tag, Task, TimelineEntry, User, WebhookDelivery, WebhookEndpoint, Workspace)
from ._paging import ListResult
from ._resource import CrudResource, Resource, merged, only_options, split_options


class _Writable(CrudResource[Any]):
    """Contacts, companies, leads: upsert by their unique key, bulk, timeline."""

    def upsert(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> Any:
        """Creates the record, or updates the one with the same unique key (email, domain)."""
        fields, options = split_options(fields)
        return self._data(f"{self._name}.upsert", body=merged(body, fields), options=options)

    def bulk(self, records: list[Mapping[str, Any]], *, mode: str = "create", **options: Any) -> dict[str, Any]:
        """Up to 100 records, each created (or upserted, mode="upsert") on its own; a result per record."""
        return self._data(f"{self._name}.bulk", body={"mode": mode, "records": records}, options=only_options(options))

    def timeline(self, id: str, **params: Any) -> ListResult[TimelineEntry]:
        return self._list(f"{self._name}.timeline", params, path={"id": id})


class Contacts(_Writable, CrudResource[Contact]):
    _name = "contacts"

    def merge(self, id: str, duplicate_id: str, *, dry_run: bool = False, **options: Any) -> Contact:
        """Merges the duplicate into the contact `id`, which survives; the duplicate is deleted.
        dry_run=True answers the contact as the merge would leave it and changes nothing."""
        body: dict[str, Any] = {"duplicate_id": duplicate_id, **({"dry_run": True} if dry_run else {})}
        return self._data("contacts.merge", path={"id": id}, body=body, options=only_options(options))


class _CompanyContacts(Resource):
    def list(self, company_id: str, **params: Any) -> ListResult[Contact]:
        return self._list("companies.contacts.list", params, path={"id": company_id})


class Companies(_Writable, CrudResource[Company]):
    _name = "companies"

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.contacts = _CompanyContacts(transport)

    def merge(self, id: str, duplicate_id: str, *, dry_run: bool = False, **options: Any) -> Company:
        body: dict[str, Any] = {"duplicate_id": duplicate_id, **({"dry_run": True} if dry_run else {})}
        return self._data("companies.merge", path={"id": id}, body=body, options=only_options(options))


class Leads(_Writable, CrudResource[Lead]):
    _name = "leads"

    def convert(self, id: str, body: Mapping[str, Any] | None = None, /, **fields: Any) -> LeadConversion:
        """Makes the lead a contact, a company and (with deal={...}) a deal."""
        fields, options = split_options(fields)
        return self._data("leads.convert", path={"id": id}, body=merged(body, fields), options=options)


class Deals(CrudResource[Deal]):
    _name = "deals"

    def move(self, id: str, stage_id: str, *, lost_reason: str | None = None, **options: Any) -> Deal:
        body = {"stage_id": stage_id, **({"lost_reason": lost_reason} if lost_reason is not None else {})}
        return self._data("deals.move", path={"id": id}, body=body, options=only_options(options))

    def history(self, id: str, **params: Any) -> ListResult[StageChange]:
        return self._list("deals.history", params, path={"id": id})

    def timeline(self, id: str, **params: Any) -> ListResult[TimelineEntry]:
        return self._list("deals.timeline", params, path={"id": id})


class Activities(CrudResource[Activity]):
    _name = "activities"


class Tasks(CrudResource[Task]):
    _name = "tasks"

    def complete(self, id: str, **options: Any) -> Task:
        return self._data("tasks.complete", path={"id": id}, options=only_options(options))


class Tags(CrudResource[Tag]):
    _name = "tags"


class Users(CrudResource[User]):
    def password_link(self, id: str, **options: Any) -> dict[str, Any]:
        """A one-time link (valid 24 hours, shown only here) for the user to set a new password."""
        return self._data("users.password_link", path={"id": id}, options=only_options(options))

    _name = "users"


class _PipelineStages(Resource):
    def create(self, pipeline_id: str, body: Mapping[str, Any] | None = None, /, **fields: Any) -> Stage:
        fields, options = split_options(fields)
        return self._data("pipelines.stages.create", path={"id": pipeline_id}, body=merged(body, fields), options=options)

    def reorder(self, pipeline_id: str, stage_ids: list[str], **options: Any) -> Pipeline:
        return self._data("pipelines.stages.reorder", path={"id": pipeline_id}, body={"stage_ids": stage_ids}, options=only_options(options))


class Pipelines(CrudResource[Pipeline]):
    _name = "pipelines"

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.stages = _PipelineStages(transport)


class Stages(Resource):
    def get(self, id: str, **options: Any) -> Stage:
        return self._data("stages.get", path={"id": id}, options=only_options(options))

    def update(self, id: str, body: Mapping[str, Any] | None = None, /, **fields: Any) -> Stage:
        fields, options = split_options(fields)
        return self._data("stages.update", path={"id": id}, body=merged(body, fields), options=options)

    def delete(self, id: str, *, move_deals_to: str | None = None, **options: Any) -> dict[str, Any]:
        """A stage holding deals needs move_deals_to=<another stage of the pipeline>."""
        return self._data("stages.delete", path={"id": id}, query={"move_deals_to": move_deals_to}, options=only_options(options))


class ApiKeys(Resource):
    def list(self, **params: Any) -> ListResult[ApiKey]:
        return self._list("api_keys.list", params)

    def create(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> NewApiKey:
        """The answer's secret is shown only here. Not retried after a lost answer."""
        fields, options = split_options(fields)
        return self._data("api_keys.create", body=merged(body, fields), options=options)

    def get(self, id: str, **options: Any) -> ApiKey:
        return self._data("api_keys.get", path={"id": id}, options=only_options(options))

    def revoke(self, id: str, **options: Any) -> ApiKey:
        return self._data("api_keys.revoke", path={"id": id}, options=only_options(options))

    def rotate(self, id: str, *, overlap_seconds: int | None = None, **options: Any) -> dict[str, Any]:
        """A replacement key (secret shown only here); the old one keeps working for overlap_seconds (default 24 hours)."""
        body = {} if overlap_seconds is None else {"overlap_seconds": overlap_seconds}
        return self._data("api_keys.rotate", path={"id": id}, body=body, options=only_options(options))


class WorkspaceResource(Resource):
    def get(self, **options: Any) -> Workspace:
        return self._data("workspace.get", options=only_options(options))

    def update(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> Workspace:
        fields, options = split_options(fields)
        return self._data("workspace.update", body=merged(body, fields), options=options)

    def transfer_ownership(self, user_id: str, **options: Any) -> dict[str, Any]:
        """The owner only: the user becomes owner, the caller an admin."""
        return self._data("workspace.transfer_ownership", body={"user_id": user_id}, options=only_options(options))


class Me(Resource):
    def get(self, **options: Any) -> dict[str, Any]:
        """The key's user, workspace, key (scope, grants) and rate limit."""
        return self._data("me.get", options=only_options(options))


class _AuthSessions(Resource):
    def list(self, **options: Any) -> list[dict[str, Any]]:
        """The user's own sessions, most recently used first; current marks the one asking."""
        return self._data("auth.sessions.list", options=only_options(options))

    def revoke(self, id: str, **options: Any) -> dict[str, Any]:
        return self._data("auth.sessions.revoke", path={"id": id}, options=only_options(options))


class _AuthLinks(Resource):
    def get(self, token: str, **options: Any) -> dict[str, Any]:
        """What a one-time link (invitation, password reset, first start) is for."""
        return self._data("auth.links.get", path={"token": token}, options=only_options(options))

    def accept(self, token: str, *, password: str, name: str | None = None, **options: Any) -> dict[str, Any]:
        """Uses the link (sets the password; an invitation also the name) and answers the new session."""
        body = {"password": password, **({} if name is None else {"name": name})}
        return self._data("auth.links.accept", path={"token": token}, body=body, options=only_options(options))


class Auth(Resource):
    """Sign-in, sessions, passwords and one-time links: the web app's, available to scripts too."""

    def __init__(self, transport: Any) -> None:
        super().__init__(transport)
        self.sessions = _AuthSessions(transport)
        self.links = _AuthLinks(transport)

    def sign_in(self, email: str, password: str, *, workspace_id: str | None = None, **options: Any) -> dict[str, Any]:
        body = {"email": email, "password": password, **({} if workspace_id is None else {"workspace_id": workspace_id})}
        return self._data("auth.sign_in", body=body, options=only_options(options))

    def session(self, **options: Any) -> dict[str, Any]:
        return self._data("auth.session", options=only_options(options))

    def sign_out(self, **options: Any) -> dict[str, Any]:
        return self._data("auth.sign_out", options=only_options(options))

    def sign_out_everywhere(self, **options: Any) -> dict[str, Any]:
        return self._data("auth.sign_out_everywhere", options=only_options(options))

    def change_password(self, current_password: str, new_password: str, **options: Any) -> dict[str, Any]:
        body = {"current_password": current_password, "new_password": new_password}
        return self._data("auth.change_password", body=body, options=only_options(options))

    def update_profile(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> User:
        fields, options = split_options(fields)
        return self._data("auth.update_profile", body=merged(body, fields), options=options)


class Invitations(Resource):
    def create(self, email: str, role: str = "member", **options: Any) -> dict[str, Any]:
        """The answer's url (valid 7 days) is shown only here: hand it to the person."""
        return self._data("invitations.create", body={"email": email, "role": role}, options=only_options(options))

    def list(self, **options: Any) -> list[dict[str, Any]]:
        return self._data("invitations.list", options=only_options(options))

    def revoke(self, id: str, **options: Any) -> dict[str, Any]:
        """Withdraws the invitation: its link stops working."""
        return self._data("invitations.revoke", path={"id": id}, options=only_options(options))


class Events(Resource):
    def list(self, **params: Any) -> ListResult[Event]:
        """Oldest first; created_at={"gt": last_seen} to catch up."""
        return self._list("events.list", params)

    def get(self, id: str, **options: Any) -> Event:
        return self._data("events.get", path={"id": id}, options=only_options(options))

    def stream(self, *, after: str | None = None, on_reset: Callable[[], None] | None = None, **params: Any) -> Iterator[Event]:
        """The workspace's events as they happen (server-sent events), oldest first:
        `for event in client.events.stream(type={"starts_with": "deal."}): ...`. When the server ends a
        connection (every few minutes) it reconnects and resumes after the last event; break to stop.
        on_reset is called when the position to resume from is no longer kept."""
        query, options = split_options(params)
        # A heartbeat comes every 15 s: wait longer than that for the next line.
        timeout = max(options.timeout or self._transport.timeout, 60.0)
        while True:
            response = self._transport.open_stream("events.stream", query={**query, **({"after": after} if after else {})}, options=options, timeout=timeout)
            with response:
                for kind, event_id, data in _server_sent_events(response):
                    if kind == "reset":
                        if on_reset is not None:
                            on_reset()
                    elif kind == "message" and data:
                        after = event_id or after
                        yield json.loads(data)


def _server_sent_events(response: Any) -> Iterator[tuple[str, str | None, str]]:
    """(event, id, data) per message of a text/event-stream answer."""
    kind, event_id, data = "message", None, []
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data:
                yield kind, event_id, "\n".join(data)
            kind, event_id, data = "message", None, []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                kind = value
            elif field == "id":
                event_id = value


class WebhookEndpoints(CrudResource[WebhookEndpoint]):
    _name = "webhook_endpoints"

    def rotate_secret(self, id: str, **options: Any) -> WebhookEndpoint:
        """A new signing secret (shown once); both sign deliveries for 24 hours."""
        return self._data("webhook_endpoints.rotate_secret", path={"id": id}, options=only_options(options))

    def test(self, id: str, **options: Any) -> Event:
        """Sends a ping event to the endpoint."""
        return self._data("webhook_endpoints.test", path={"id": id}, options=only_options(options))

    def deliveries(self, id: str, **params: Any) -> ListResult[WebhookDelivery]:
        return self._list("webhook_endpoints.deliveries", params, path={"id": id})


class WebhookDeliveries(Resource):
    def retry(self, id: str, **options: Any) -> WebhookDelivery:
        return self._data("webhook_deliveries.retry", path={"id": id}, options=only_options(options))


class Sandboxes(Resource):
    def create(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> dict[str, Any]:
        """A new sandbox and a full trl_test_ key for it (its secret shown once)."""
        fields, options = split_options(fields)
        return self._data("sandboxes.create", body=merged(body, fields), options=options)

    def list(self, **params: Any) -> ListResult[Workspace]:
        return self._list("sandboxes.list", params)

    def get(self, id: str, **options: Any) -> Workspace:
        return self._data("sandboxes.get", path={"id": id}, options=only_options(options))

    def delete(self, id: str, **options: Any) -> dict[str, Any]:
        return self._data("sandboxes.delete", path={"id": id}, options=only_options(options))


class Search(Resource):
    """client.search(q=...) ranks contacts, companies, leads and deals; .by_email, .by_phone look records up."""

    def __call__(self, q: str, **params: Any) -> ListResult[dict[str, Any]]:
        return self._list("search", {"q": q, **params})

    def by_email(self, email: str, **params: Any) -> ListResult[dict[str, Any]]:
        return self._list("search.byEmail", {"email": email, **params})

    def by_phone(self, phone: str, **params: Any) -> ListResult[dict[str, Any]]:
        return self._list("search.byPhone", {"phone": phone, **params})


class Reports(Resource):
    def _report(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        query, options = split_options(params)
        return self._data(f"reports.{name}", query=query, options=options)

    def pipeline(self, **params: Any) -> dict[str, Any]:
        return self._report("pipeline", params)

    def sales(self, **params: Any) -> dict[str, Any]:
        return self._report("sales", params)

    def conversion(self, **params: Any) -> dict[str, Any]:
        return self._report("conversion", params)

    def forecast(self, **params: Any) -> dict[str, Any]:
        return self._report("forecast", params)

    def csv(self, report: str, **params: Any) -> str:
        """The report as CSV (RFC 4180, a header row)."""
        query, options = split_options(params)
        call: Callable[..., str] = self._transport.call
        return call(f"reports.{report}", query={**query, "format": "csv"}, as_text=True, options=options)


class Workspaces(Resource):
    """The instance operator's calls: a client made with the TRELLIS_OPERATOR_TOKEN as api_key."""

    def create(self, body: Mapping[str, Any] | None = None, /, **fields: Any) -> dict[str, Any]:
        """A new workspace, its owner and the owner's first full key (secret shown once). Not retried after a lost answer."""
        fields, options = split_options(fields)
        return self._data("workspaces.create", body=merged(body, fields), options=options)


class Imports(Resource):
    """A CSV or JSON Lines file, imported by the server in the background."""

    def create(self, file: bytes | str, *, resource: str, format: str | None = None, **params: Any) -> dict[str, Any]:
        """Uploads the file (bytes or text) and answers the queued job. Other query parameters:
        on_duplicate ("skip", "update", "fail"), dry_run, map (JSON of column -> field), file_name."""
        query, options = split_options(params)
        format = format or "csv"
        data = file.encode() if isinstance(file, str) else file
        content_type = "application/x-ndjson" if format == "jsonl" else "text/csv"
        return self._transport.call("imports.create", query={**query, "resource": resource, "format": format},
                                    raw=(data, content_type), options=options)["data"]

    def get(self, id: str, **options: Any) -> dict[str, Any]:
        return self._data("imports.get", path={"id": id}, options=only_options(options))

    def list(self, **options: Any) -> list[dict[str, Any]]:
        """The latest 100 imports."""
        return self._data("imports.list", options=only_options(options))

    def cancel(self, id: str, **options: Any) -> dict[str, Any]:
        """Stops the job after its current batch (rolled back); what was committed stays."""
        return self._data("imports.cancel", path={"id": id}, options=only_options(options))

    def errors(self, id: str, **options: Any) -> str:
        """The rejected rows with _row and _error, in the file's format: fix them and import this text again."""
        return self._transport.call("imports.errors", path={"id": id}, as_text=True, options=only_options(options))

    def wait(self, id: str, *, interval: float = 0.5, timeout: float | None = None, **options: Any) -> dict[str, Any]:
        """Polls until the job has ended (or `timeout` seconds passed) and answers its last state."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get(id, **options)
            if job["status"] not in ("queued", "running") or (deadline is not None and time.monotonic() >= deadline):
                return job
            time.sleep(interval)


class Exports(Resource):
    def get(self, resource: str, *, format: str = "csv", **params: Any) -> str:
        """Every record the filters select, oldest first, as CSV or JSON Lines text."""
        query, options = split_options(params)
        return self._transport.call("exports.get", path={"resource": resource}, query={**query, "format": format},
                                    as_text=True, options=options)
