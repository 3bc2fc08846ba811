"""An agent runs a draft's suggested action while the shop fails (5xx, 401, timeout, dropped): a 503, it stays suggested.

Its outcome is not known, so the action is not marked failed: running it again
once the shop has recovered executes it, once; a further run is refused (409).
On a timeout the shop did cancel the order, only its answer was lost: the next
run sends the same idempotency key, and the shop answers with that first
cancellation instead of refunding twice.

Over HTTP only: the draft is made by the drafts API (real 0.5B model, real
Chroma corpus), the retail service sits behind a fault proxy
(tests/fault_proxy.py). One draft serves every failure, in turn (the timeout
last: after it the order is cancelled): drafting is the slow part, and a
suggested action must survive any number of failed runs.
"""

from __future__ import annotations

import httpx
import pytest

from assistant.settings import Settings
from tests.chat.conftest import CUSTOMER, app_client, chat_settings, understanding_model_file  # noqa: F401  (fixtures)
from tests.commerce.service import RunningCommerce
from tests.fault_proxy import (  # noqa: F401  (fixture)
    DROP,
    TIMEOUT,
    FaultProxy,
    commerce_faults,
    refund_count,
    shop_order,
    through,
    write_applied,
)
from tests.shops import operator_key

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

ORDER = "#W4776164"  # pending, $2,772.44: the agent's run is the approval
TICKET = f"Hello, this is Yusuf Rossi. Please cancel my order {ORDER}, I no longer need it."
CANCEL = rf"/v1/orders/{ORDER}/cancel"


@pytest.fixture
def faulty_settings(
    chat_settings: Settings,  # noqa: F811
    commerce_faults: FaultProxy,  # noqa: F811
) -> Settings:
    settings = through(chat_settings, commerce_faults)
    # Short drafts: the wording is not what is tested, and the 0.5B model writes ~12 tokens/s here.
    return settings.model_copy(update={"agent": settings.agent.model_copy(update={"reply_max_tokens": 60})})


async def _agent(http: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    response = await http.post(
        "/v1/agents",
        json={"name": "ana", "languages": ["en"]},
        headers={"X-Operator-Key": operator_key(settings)},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_an_action_the_shop_fails_stays_suggested_and_runs_once_when_run_again(
    faulty_settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    retail_service: RunningCommerce,
) -> None:
    async with app_client(faulty_settings) as http:
        agent = await _agent(http, faulty_settings)
        created = await http.post(
            "/v1/agent/drafts", json={"ticket_text": TICKET, "customer_id": CUSTOMER, "tones": ["concise"]}, headers=agent
        )
        assert created.status_code == 201, created.text
        draft = created.json()
        [action] = draft["suggested_actions"]
        assert (action["tool"], action["arguments"]["order_id"], action["status"]) == ("cancel_pending_order", ORDER, "suggested")
        run = f"/v1/agent/drafts/{draft['id']}/actions/0/run"

        faults = (500, 401, DROP, TIMEOUT)
        for fault in faults:
            commerce_faults.fail(fault, "POST", CANCEL)
            failed = await http.post(run, headers=agent)
            assert (failed.status_code, fault) == (503, fault), failed.text
            body = failed.json()
            assert {"error", "message"} <= set(body) and str(body["error"]).startswith("commerce"), body
            assert body["message"].strip(), body
            [still] = (await http.get(f"/v1/agent/drafts/{draft['id']}", headers=agent)).json()["suggested_actions"]
            assert (still["status"], fault) == ("suggested", fault), still
            after = shop_order(retail_service, ORDER)
            if write_applied(fault):  # the shop cancelled it, only its answer was lost
                assert after["status"] == "cancelled" and refund_count(after) == 1, after
            else:
                assert after["status"] == "pending", after
            commerce_faults.heal()
        assert commerce_faults.count("POST", CANCEL, injected=True) == len(faults), commerce_faults.seen

        done = await http.post(run, headers=agent)
        assert done.status_code == 200, done.text
        assert (done.json()["status"], done.json()["result"]["status"]) == ("executed", "cancelled"), done.json()
        order = shop_order(retail_service, ORDER)
        assert order["status"] == "cancelled" and refund_count(order) == 1, order

        again = await http.post(run, headers=agent)
        assert (again.status_code, again.json().get("error")) == (409, "action_done"), again.text
    assert commerce_faults.count("POST", CANCEL, injected=False) == 1, commerce_faults.seen
