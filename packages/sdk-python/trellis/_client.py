"""The Trellis client: one namespace per resource, named as the API's operationIds."""
from __future__ import annotations

from typing import Callable, Mapping

from . import webhooks as _webhooks
from ._resources import (Activities, ApiKeys, Auth, Companies, Contacts, Deals, Events, Exports, Imports, Leads, Me, Pipelines, Reports,
                         Sandboxes, Search, Stages, Tags, Tasks, Users, WebhookDeliveries, WebhookEndpoints,
                         Invitations, WorkspaceResource, Workspaces)
from ._transport import RateLimit, Transport


class Trellis:
    """`Trellis(api_key=..., base_url=...)`; api_key and base_url default to TRELLIS_API_KEY and
    TRELLIS_BASE_URL (else http://localhost:3000). base_url is the server's root, without /v1."""

    webhooks = _webhooks

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        max_retry_after: float = 60.0,
        headers: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self._transport = Transport(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries,
                                    max_retry_after=max_retry_after, headers=headers)
        t = self._transport
        self.contacts = Contacts(t)
        self.companies = Companies(t)
        self.leads = Leads(t)
        self.deals = Deals(t)
        self.pipelines = Pipelines(t)
        self.stages = Stages(t)
        self.activities = Activities(t)
        self.tasks = Tasks(t)
        self.tags = Tags(t)
        self.users = Users(t)
        self.api_keys = ApiKeys(t)
        self.workspace = WorkspaceResource(t)
        self.me = Me(t)
        self.events = Events(t)
        self.webhook_endpoints = WebhookEndpoints(t)
        self.webhook_deliveries = WebhookDeliveries(t)
        self.sandboxes = Sandboxes(t)
        self.search = Search(t)
        self.reports = Reports(t)
        self.imports = Imports(t)
        self.exports = Exports(t)
        self.auth = Auth(t)
        self.invitations = Invitations(t)
        self.workspaces = Workspaces(t)  # the operator's

    @property
    def last_rate_limit(self) -> RateLimit | None:
        """The rate-limit state (X-RateLimit-*) of the last answer that carried it."""
        return self._transport.last_rate_limit

    @property
    def base_url(self) -> str:
        return self._transport.base_url
