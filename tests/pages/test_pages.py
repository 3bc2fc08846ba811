"""The three web pages in a real headless Chromium against the running service.

A customer chats in the widget (the real 0.5B model answers a policy question with citations) and rates the
answer and the conversation; a customer asks for a person and an agent claims, answers and resolves the
handoff in the console; the dashboard shows the figures the API computes from what was stored. The tests run
in file order and share one service and database, so the dashboard test checks the totals of all three.
Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.chat.conftest import CUSTOMER, SHOP_KEY
from tests.commerce.service import RunningCommerce
from tests.pages.conftest import OPERATOR_KEY, Service, screenshot
from tests.shops import shop

pytestmark = pytest.mark.slow

POLICY_QUESTION = "How long does a refund to a credit card take after I cancel an order?"
IDENTITY = "Hi, I'm Yusuf Rossi, zip code 19122."
AGENT_REPLY = "Hi, this is Mei from the support team. I can help with that."
ANSWER_SECONDS = 300_000  # ms: a cold prompt on a busy 2-core machine


@pytest.fixture(scope="module")
def ledger() -> dict[str, int]:
    """What the tests of this module drove through the service, for the dashboard test to compare against."""
    return {"conversations": 0, "transferred": 0, "csat": 0, "thumbs_up": 0}


@pytest.fixture(scope="module")
def agent(service: Service) -> dict[str, Any]:
    with service.operator() as operator:
        response = operator.post("/v1/agents", json={"name": "mei", "languages": ["zh", "en"], "skills": []})
    assert response.status_code == 201, response.text
    return dict(response.json())


def open_widget(page: Any, service: Service) -> str:
    page.goto(f"{service.base_url}/chat")
    page.fill("#shop-key", SHOP_KEY)
    page.fill("#customer-id", CUSTOMER)
    page.click("#credentials button[type=submit]")
    page.wait_for_selector("#chat:not([hidden])")
    page.wait_for_function("document.getElementById('conversation-id').textContent.length > 0")
    return str(page.text_content("#conversation-id"))


def say(page: Any, text: str) -> Any:
    """Types a message, sends it, and waits for the final (stored) reply."""
    before = page.locator(".message.assistant[data-final]").count()
    page.fill("#message", text)
    page.click("#send")
    page.wait_for_function(
        f"document.querySelectorAll('.message.assistant[data-final]').length > {before}", timeout=ANSWER_SECONDS
    )
    return page.locator(".message.assistant[data-final]").nth(before)


def test_the_customer_chats_gets_cited_sources_and_rates(
    page: Any, service: Service, agent: dict[str, Any], ledger: dict[str, int]
) -> None:
    conversation = open_widget(page, service)
    ledger["conversations"] += 1
    reply = say(page, POLICY_QUESTION)
    shown = reply.locator(".text").inner_text()
    assert reply.locator(".citations li").count() >= 1, "an answer from the knowledge base shows its sources"
    reply.locator("button[data-thumb=up]").click()
    page.wait_for_selector(".message.assistant[data-final] button[data-thumb=up].chosen")
    ledger["thumbs_up"] += 1
    page.click("#csat button[data-score='4']")
    page.wait_for_selector("#csat button[data-score='4'].chosen")
    ledger["csat"] += 1
    assert page.text_content("#error") == ""
    screenshot(page, "chat")

    with service.customer(CUSTOMER) as customer:
        history = customer.get(f"/v1/conversations/{conversation}").json()["messages"]
    assert [m["role"] for m in history] == ["customer", "assistant"]
    assert history[0]["content"] == POLICY_QUESTION
    # What the widget shows is the stored reply, and its sources are the stored (customer-facing) citations.
    assert history[1]["content"].strip() == shown.strip()
    assert history[1]["citations"] and history[1]["citations"][0]["document_id"].endswith("retail/help_centre.md")
    assert reply.get_attribute("data-message-id") == str(history[1]["id"])
    with service.agent(agent["token"]) as desk:
        feedback = desk.get(f"/v1/agent/conversations/{conversation}/feedback").json()
    assert [(r["message_id"], r["thumb"]) for r in feedback["ratings"]] == [(history[1]["id"], "up")]
    assert feedback["csat"]["score"] == 4


def test_a_confirmation_is_answered_with_its_buttons(
    page: Any, service: Service, retail_service: RunningCommerce, ledger: dict[str, int]
) -> None:
    order_id = "#W6247578"  # pending, one T-shirt: a refund under the approval limit
    open_widget(page, service)
    ledger["conversations"] += 1
    proposed = say(page, f"{IDENTITY} Please cancel order {order_id}, I no longer need it.")
    buttons = proposed.locator(".confirmation button")
    assert buttons.all_inner_texts() == ["Yes", "No"], "the proposed write waits for the customer's yes"
    assert _order_status(retail_service, order_id) == "pending"
    proposed.locator("button[data-confirm=yes]").click()
    page.wait_for_function("document.querySelectorAll('.message.assistant[data-final]').length > 1", timeout=ANSWER_SECONDS)
    assert page.locator(".message.customer").last.inner_text().endswith("yes")
    screenshot(page, "chat-confirmation")
    assert _order_status(retail_service, order_id) == "cancelled"


def _order_status(service: RunningCommerce, order_id: str) -> str:
    response = service.client().get(f"/orders/{order_id.replace('#', '%23')}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


def test_an_agent_claims_answers_and_resolves_a_handoff(
    browser: Any, page: Any, service: Service, agent: dict[str, Any], ledger: dict[str, int]
) -> None:
    widget = browser.new_context(viewport={"width": 900, "height": 800}).new_page()
    widget.set_default_timeout(30_000)
    conversation = open_widget(widget, service)
    ledger["conversations"] += 1
    say(widget, "我要转人工")
    widget.wait_for_selector("#handoff-banner:not([hidden])")
    ledger["transferred"] += 1

    page.goto(f"{service.base_url}/console")
    page.fill("#agent-token", agent["token"])
    page.click("#credentials button[type=submit]")
    row = page.locator(f"#queue tr[data-conversation-id='{conversation}']")
    row.click()
    page.wait_for_selector("#conversation:not([hidden])")
    handoff_id = row.get_attribute("data-handoff-id")
    page.click("#claim")
    page.wait_for_selector("#handoff-status[data-status=claimed]")
    page.wait_for_selector("#profile-body table")  # the customer's profile beside the conversation
    assert "yusuf_rossi_9620" in page.inner_text("#profile-body")
    page.fill("#reply", AGENT_REPLY)
    page.click("#send")
    page.wait_for_selector(f"#messages .message.agent:has-text('{AGENT_REPLY}')")
    screenshot(page, "console")
    # The customer sees the agent's message in the widget (it polls the conversation).
    widget.wait_for_selector(f".message.agent:has-text('{AGENT_REPLY}')", timeout=15_000)
    screenshot(widget, "chat-handoff")
    page.fill("#note", "answered the customer")
    page.click("#resolve")
    page.wait_for_selector("#handoff-status[data-status=resolved]")
    assert page.text_content("#error") == ""
    widget.context.close()

    with service.agent(agent["token"]) as desk:
        handoff = desk.get(f"/v1/agent/handoffs/{handoff_id}").json()
    assert handoff["handoff"]["status"] == "resolved" and handoff["handoff"]["claimed_by"] == agent["agent"]["id"]
    assert handoff["handoff"]["note"] == "answered the customer"
    with service.customer(CUSTOMER) as customer:
        stored = customer.get(f"/v1/conversations/{conversation}").json()
    assert stored["conversation"]["status"] == "ended"
    assert [(m["role"], m["content"]) for m in stored["messages"]][-1] == ("agent", AGENT_REPLY)


def test_the_dashboard_shows_the_stored_figures(page: Any, service: Service, ledger: dict[str, int]) -> None:
    # One more conversation of its own, so the test means something when run alone too.
    with service.customer("dashboard_customer") as customer:
        conversation = customer.post("/v1/conversations").json()["id"]
        reply = customer.post(f"/v1/conversations/{conversation}/messages", json={"content": "let me talk to a person"}).json()
        assert reply["handoff"] is True, reply
        assert customer.post(f"/v1/conversations/{conversation}/csat", json={"score": 2}).status_code == 201
    ledger.update(conversations=ledger["conversations"] + 1, transferred=ledger["transferred"] + 1, csat=ledger["csat"] + 1)

    today = datetime.now(ZoneInfo(shop("retail").profile.time_zone)).date()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    page.goto(f"{service.base_url}/dashboard")
    page.fill("#operator-key", OPERATOR_KEY)
    page.fill("#from", start)
    page.fill("#to", end)
    page.click("#credentials button[type=submit]")
    page.wait_for_selector("body[data-loaded]", timeout=120_000)
    assert page.text_content("#error") == ""
    screenshot(page, "dashboard")

    def shown(metric: str) -> str:
        return page.inner_text(f".tile[data-metric={metric}] .value").strip()

    with service.operator() as operator:
        metrics = operator.get("/v1/analytics/metrics", params={"from": start, "to": end}).json()["report"]["total"]
    # The page shows the API's figures for the same period, and they are what the tests drove.
    assert shown("conversations") == str(metrics["conversations"]) == str(ledger["conversations"])
    assert shown("transferred") == str(metrics["transfer"]["transferred"]) == str(ledger["transferred"])
    assert shown("csat-count") == str(metrics["csat"]["count"]) == str(ledger["csat"])
    assert shown("csat-mean") == f"{metrics['csat']['mean']:.2f}"
    assert shown("thumbs") == f"{metrics['thumbs']['up']} / {metrics['thumbs']['down']}" == f"{ledger['thumbs_up']} / 0"
    bars = page.locator("[data-chart=per-day] rect")
    assert sum(int(bars.nth(i).get_attribute("data-value")) for i in range(bars.count())) == metrics["conversations"]
    assert page.locator("[data-chart=forecast]").count() == 1
