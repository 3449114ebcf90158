"""Every resource and action of the Python SDK against a real server."""
from __future__ import annotations

import re

import pytest

from trellis import OPERATIONS, InvalidCredentialsError, LinkUsedError, NotFoundError, Trellis

from conftest import Server, Tenant, unique


def snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def test_every_rest_operation_has_a_method_named_after_its_operation_id(client: Trellis) -> None:
    missing = []
    for operation_id in OPERATIONS:
        target: object = client
        for part in operation_id.split("."):
            target = getattr(target, snake(part), None)
        if not callable(target):
            missing.append(operation_id)
    assert missing == []


def test_contacts_crud_upsert_bulk_merge_timeline(client: Trellis) -> None:
    email = f"{unique('ana-')}@example.com"
    contact = client.contacts.create(first_name="Ana", last_name="Lopez", email=email)
    assert contact["id"].startswith("con_")
    assert client.contacts.get(contact["id"])["email"] == email
    updated = client.contacts.update(contact["id"], title="CFO", if_match=contact["version"])
    assert (updated["title"], updated["version"]) == ("CFO", contact["version"] + 1)
    page = client.contacts.list(email=email)
    assert [c["id"] for c in page.data] == [contact["id"]] and page.meta["total"] == 1

    assert client.contacts.upsert(email=email, last_name="López")["id"] == contact["id"]
    bulk = client.contacts.bulk([{"first_name": "Bo", "email": f"{unique('bo-')}@example.com"}, {"first_name": "Dup", "email": email}])
    assert (bulk["created"], bulk["failed"], bulk["results"][1]["error"]["code"]) == (1, 1, "duplicate")
    merged = client.contacts.merge(contact["id"], bulk["results"][0]["id"])
    assert len(merged["emails"]) == 2
    with pytest.raises(NotFoundError):
        client.contacts.get(bulk["results"][0]["id"])

    client.activities.create(type="call", subject="Intro", contact_id=contact["id"])
    assert client.contacts.timeline(contact["id"]).data[0]["type"] == "activity"
    assert client.contacts.delete(contact["id"]) == {"id": contact["id"], "deleted": True}


def test_companies_leads_deals(client: Trellis) -> None:
    domain = f"{unique('acme-')}.com"
    company = client.companies.create({"name": "Acme", "domain": domain})
    assert client.companies.update(company["id"], industry="Tools")["industry"] == "Tools"
    assert client.companies.upsert(name="Acme Inc", domain=f"https://www.{domain}/")["id"] == company["id"]
    other = client.companies.bulk([{"name": "Other", "domain": f"{unique('o-')}.com"}])["results"][0]["id"]
    assert client.companies.merge(company["id"], other)["id"] == company["id"]
    person = client.contacts.create(first_name="Cy", company_id=company["id"])
    assert [c["id"] for c in client.companies.contacts.list(company["id"])] == [person["id"]]
    assert client.companies.get(company["id"])["name"] == "Acme Inc"
    assert client.companies.timeline(company["id"]).meta["total"] == 0
    assert [c["id"] for c in client.companies.list(domain=domain)] == [company["id"]]

    email = f"{unique('lead-')}@example.com"
    lead = client.leads.create(first_name="Lea", last_name="Stone", email=email, company_name="Stone Ltd")
    assert client.leads.update(lead["id"], status="contacted")["status"] == "contacted"
    assert client.leads.upsert(first_name="Lea", last_name="Stone", email=email)["id"] == lead["id"]
    assert client.leads.bulk([{"first_name": "B", "last_name": "C"}], mode="upsert")["failed"] == 1  # upsert needs an email
    conversion = client.leads.convert(lead["id"], deal={"name": "Stone deal"})
    assert conversion["lead"]["status"] == "converted" and conversion["deal"]["name"] == "Stone deal"
    assert client.leads.get(lead["id"])["converted_deal_id"] == conversion["deal"]["id"]
    assert client.leads.timeline(lead["id"]).meta["total"] == 0
    assert client.leads.delete(lead["id"])["deleted"] is True

    pipeline = next(p for p in client.pipelines.list() if p["is_default"])
    deal = client.deals.create(name="Big one", value={"amount": 1_250_000, "currency": "USD"})
    won = next(s for s in pipeline["stages"] if s["type"] == "won")
    assert client.deals.move(deal["id"], won["id"])["status"] == "won"
    assert [h["to_stage_id"] for h in client.deals.history(deal["id"])] == [pipeline["stages"][0]["id"], won["id"]]
    assert client.deals.timeline(deal["id"]).data[0]["type"] == "stage_change"
    assert client.deals.update(deal["id"], name="Bigger")["name"] == "Bigger"
    assert client.deals.get(deal["id"])["name"] == "Bigger"
    assert deal["id"] in [d["id"] for d in client.deals.list(status="won")]
    assert client.deals.delete(deal["id"])["deleted"] is True


def test_activities_tasks_tags_users_api_keys(server: Server, client: Trellis) -> None:
    activity = client.activities.create(type="meeting", subject="Demo")
    assert client.activities.update(activity["id"], outcome="good")["outcome"] == "good"
    assert client.activities.get(activity["id"])["subject"] == "Demo"
    assert activity["id"] in [a["id"] for a in client.activities.list(type="meeting")]
    assert client.activities.delete(activity["id"])["deleted"] is True

    task = client.tasks.create(title="Send proposal", priority="high")
    assert client.tasks.update(task["id"], description="PDF")["description"] == "PDF"
    assert client.tasks.complete(task["id"])["status"] == "completed"
    assert client.tasks.get(task["id"])["status"] == "completed"
    assert task["id"] in [t["id"] for t in client.tasks.list(status="completed")]
    assert client.tasks.delete(task["id"])["deleted"] is True

    tag = client.tags.create(name=unique("vip-"), color="#ff0000")
    assert client.tags.update(tag["id"], color="#00ff00")["color"] == "#00ff00"
    assert client.tags.get(tag["id"])["id"] == tag["id"]
    assert tag["id"] in [t["id"] for t in client.tags.list()]
    assert client.tags.delete(tag["id"])["deleted"] is True

    user = client.users.create(email=f"{unique('u-')}@example.com", name="Uma")
    assert client.users.update(user["id"], role="admin")["role"] == "admin"
    assert client.users.get(user["id"])["name"] == "Uma"
    assert user["id"] in [u["id"] for u in client.users.list()]
    key = client.api_keys.create(name="reader", scope="read_only", user_id=user["id"])
    assert Trellis(key["secret"], base_url=server.url).me.get()["api_key"]["scope"] == "read_only"
    assert client.api_keys.get(key["id"])["name"] == "reader"
    assert key["id"] in [k["id"] for k in client.api_keys.list()]
    assert client.api_keys.revoke(key["id"])["revoked"] is True
    assert client.users.delete(user["id"])["deleted"] is True


def test_invitations_links_sign_in_and_rotation(client: Trellis) -> None:
    email = f"{unique('ivy-')}@example.com"
    invitation = client.invitations.create(email, "member")
    assert any(i["id"] == invitation["id"] for i in client.invitations.list())
    assert client.auth.links.get(invitation["token"])["kind"] == "invitation"
    session = client.auth.links.accept(invitation["token"], name="Ivy", password="a long password")
    assert session["user"]["email"] == email and session["csrf_token"]
    with pytest.raises(LinkUsedError):
        client.auth.links.accept(invitation["token"], name="Ivy", password="a long password")
    assert client.auth.sign_in(email, "a long password")["user"]["id"] == session["user"]["id"]
    with pytest.raises(InvalidCredentialsError):
        client.auth.sign_in(email, "not the password")
    reset = client.users.password_link(session["user"]["id"])
    assert client.auth.links.get(reset["token"])["kind"] == "password_reset"
    withdrawn = client.invitations.create(f"{unique('gone-')}@example.com")
    assert client.invitations.revoke(withdrawn["id"])["deleted"] is True

    key = client.api_keys.create(name="to rotate", scope="read_only")
    rotated = client.api_keys.rotate(key["id"], overlap_seconds=60)
    assert rotated["replaces"]["id"] == key["id"] and rotated["secret"].startswith("trl_live_")


def test_pipelines_stages_workspace_sandboxes(server: Server, client: Trellis) -> None:
    pipeline = client.pipelines.create(name="Renewals", stages=[{"name": "Open", "probability": 20}, {"name": "Signed", "probability": 100, "type": "won"}])
    assert client.pipelines.update(pipeline["id"], name="Renewals 2027")["name"] == "Renewals 2027"
    review = client.pipelines.stages.create(pipeline["id"], name="Review", probability=50, position=1)
    ids = [s["id"] for s in client.pipelines.get(pipeline["id"])["stages"]]
    assert ids[1] == review["id"]
    assert [s["id"] for s in client.pipelines.stages.reorder(pipeline["id"], ids[::-1])["stages"]] == ids[::-1]
    assert client.stages.update(review["id"], probability=60)["probability"] == 60
    assert client.stages.get(review["id"])["name"] == "Review"
    client.stages.delete(review["id"])
    with pytest.raises(NotFoundError):
        client.stages.get(review["id"])
    assert pipeline["id"] in [p["id"] for p in client.pipelines.list()]
    assert client.pipelines.delete(pipeline["id"])["deleted"] is True

    name = unique("Renamed ")
    assert client.workspace.update(name=name)["name"] == name
    assert client.workspace.get()["name"] == name == client.me.get()["workspace"]["name"]
    created = client.sandboxes.create(name="Try-out", sample_data=True)
    assert Trellis(created["api_key"]["secret"], base_url=server.url).contacts.list().meta["total"] == 5
    assert client.sandboxes.get(created["sandbox"]["id"])["name"] == "Try-out"
    assert [s["id"] for s in client.sandboxes.list()] == [created["sandbox"]["id"]]
    client.sandboxes.delete(created["sandbox"]["id"])


def test_events_webhook_endpoints_search_reports(client: Trellis) -> None:
    email = f"{unique('zed-')}@example.com"
    contact = client.contacts.create(first_name="Zedekiah", last_name="Quill", email=email, phone="+1 555 010 2030")
    events = client.events.list(record_id=contact["id"]).to_list()
    assert [e["type"] for e in events] == ["contact.created"]
    assert client.events.get(events[0]["id"])["data"]["object"]["id"] == contact["id"]

    endpoint = client.webhook_endpoints.create(url="http://127.0.0.1:9/hooks", events=["contact.created"], enabled=False)
    assert client.webhook_endpoints.update(endpoint["id"], description="sync")["description"] == "sync"
    assert client.webhook_endpoints.get(endpoint["id"])["url"] == "http://127.0.0.1:9/hooks"
    assert client.webhook_endpoints.rotate_secret(endpoint["id"])["secret"] != endpoint["secret"]
    assert client.webhook_endpoints.test(endpoint["id"])["type"] == "ping"
    deliveries = client.webhook_endpoints.deliveries(endpoint["id"]).to_list()
    assert [d["event_type"] for d in deliveries] == ["ping"]
    assert client.webhook_deliveries.retry(deliveries[0]["id"])["id"] == deliveries[0]["id"]
    assert endpoint["id"] in [e["id"] for e in client.webhook_endpoints.list()]
    assert client.webhook_endpoints.delete(endpoint["id"])["deleted"] is True

    assert [r["id"] for r in client.search("zedek qui")] == [contact["id"]]
    assert [r["id"] for r in client.search.by_email(email.upper())] == [contact["id"]]
    assert contact["id"] in [r["id"] for r in client.search.by_phone("5550102030")]

    client.deals.create(name="Report me", value={"amount": 500, "currency": "EUR"})
    assert client.reports.pipeline(group_by="stage")["totals"]["total_value"]["EUR"] >= 500
    assert "rows" in client.reports.sales(period="this_month")
    assert client.reports.conversion()["rows"]
    assert "rows" in client.reports.forecast(interval="month")
    assert client.reports.csv("pipeline", group_by="stage").startswith("row_type,stage_id,stage_name")


def test_imports_and_exports(client: Trellis) -> None:
    domain = unique("imp-")
    rows = "first_name,last_name,email\nIrma,Stone,irma@" + domain + ".com\nBad,Row,not-an-email\n"
    job = client.imports.create(rows, resource="contacts", file_name="people.csv")
    assert job["status"] in ("queued", "running", "completed")
    done = client.imports.wait(job["id"], interval=0.2, timeout=120)
    assert (done["status"], done["created"], done["failed"]) == ("completed", 1, 1)
    assert "not-an-email" in client.imports.errors(job["id"])
    assert job["id"] in [j["id"] for j in client.imports.list()]
    exported = client.exports.get("contacts", email=f"irma@{domain}.com")
    assert exported.splitlines()[0].startswith("id,") and f"irma@{domain}.com" in exported
    lines = client.exports.get("contacts", format="jsonl", email=f"irma@{domain}.com").splitlines()
    assert len(lines) == 1 and '"Irma"' in lines[0]
