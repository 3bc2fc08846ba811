"""An agent approves a refund over the limit while the shop fails (5xx, 401, timeout, dropped): a 503, the approval waits.

The outcome is not known, so nothing is decided: the action keeps waiting for
approval (the handoff cannot be resolved past it), and approving again once the
shop has recovered runs it, once; a third approval has nothing left to approve.
On a timeout the shop did cancel the order, only its answer was lost: the second
approval sends the same idempotency key, and the shop answers with that first
cancellation instead of refunding twice.

The waiting approval is made the way customers make it, through the chat API
(real 0.5B model, real Chroma corpus, the understanding model); the retail
service sits behind a fault proxy (tests/fault_proxy.py).
"""

from __future__ import annotations

import httpx
import pytest

from assistant.settings import Settings
from tests.chat.conftest import (  # noqa: F401  (fixtures)
    app_client,
    chat_settings,
    knowledge_dir,
    new_conversation,
    retail_service,
    say,
    understanding_model_file,
)
from tests.commerce.service import RunningCommerce
from tests.fault_proxy import (  # noqa: F401  (fixture)
    DROP,
    TIMEOUT,
    FaultKind,
    FaultProxy,
    commerce_faults,
    refund_count,
    shop_order,
    through,
    write_applied,
)
from tests.shops import operator_key

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

IDENTITY = "Hi, I'm Yusuf Rossi, zip code 19122."
BIG_PENDING = "#W4776164"  # pending, $2,772.44: over tools.approval_refund_limit
CANCEL = rf"/v1/orders/{BIG_PENDING}/cancel"


@pytest.fixture
def faulty_settings(
    chat_settings: Settings,  # noqa: F811
    commerce_faults: FaultProxy,  # noqa: F811
) -> Settings:
    return through(chat_settings, commerce_faults)


async def _agent(http: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    """Register an agent (operator key); the headers it calls the agent API with."""
    response = await http.post(
        "/v1/agents",
        json={"name": "ann", "languages": ["en"], "skills": ["refunds"]},
        headers={"X-Operator-Key": operator_key(settings)},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _waiting_handoff(http: httpx.AsyncClient, agent: dict[str, str]) -> str:
    """The customer confirms a cancellation over the limit; the handoff that waits for approval, claimed by `agent`."""
    conversation = await new_conversation(http)
    proposed = await say(http, conversation, f"{IDENTITY} Please cancel order {BIG_PENDING}, I ordered it by mistake.")
    assert proposed["pending_confirmation"] and proposed["pending_confirmation"]["name"] == "cancel_pending_order", proposed
    waiting = await say(http, conversation, "yes")
    assert waiting["handoff"] is True and waiting["escalation_reason"] == "risky_write", waiting
    queue = (await http.get("/v1/agent/handoffs", headers=agent)).json()
    [handoff] = [item for item in queue if item["conversation_id"] == conversation]
    assert handoff["pending_action_id"], handoff
    claimed = await http.post(f"/v1/agent/handoffs/{handoff['id']}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    return str(handoff["id"])


@pytest.mark.parametrize("fault", [500, 401, DROP, TIMEOUT], ids=["5xx", "401", "drop", "timeout"])
async def test_an_approval_the_shop_fails_still_waits_and_runs_once_when_approved_again(
    faulty_settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    retail_service: RunningCommerce,  # noqa: F811
    fault: FaultKind,
) -> None:
    async with app_client(faulty_settings) as http:
        agent = await _agent(http, faulty_settings)
        base = f"/v1/agent/handoffs/{await _waiting_handoff(http, agent)}"

        commerce_faults.fail(fault, "POST", CANCEL)
        failed = await http.post(f"{base}/approve", headers=agent)
        assert commerce_faults.count("POST", CANCEL, injected=True) == 1, commerce_faults.seen
        assert failed.status_code == 503, failed.text
        body = failed.json()
        assert {"error", "message"} <= set(body) and str(body["error"]).startswith("commerce"), body
        assert body["message"].strip(), body
        after = shop_order(retail_service, BIG_PENDING)
        if write_applied(fault):  # the shop cancelled it, only its answer was lost
            assert after["status"] == "cancelled" and refund_count(after) == 1, after
        else:
            assert after["status"] == "pending", after
        # Still waiting for a decision: the handoff cannot be closed past it.
        blocked = await http.post(f"{base}/resolve", headers=agent)
        assert (blocked.status_code, blocked.json().get("error")) == (409, "approval_pending"), blocked.text

        commerce_faults.heal()
        approved = await http.post(f"{base}/approve", headers=agent)
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["result"]["status"]) == ("executed", "cancelled"), approved.json()
        order = shop_order(retail_service, BIG_PENDING)
        assert order["status"] == "cancelled" and refund_count(order) == 1, order

        again = await http.post(f"{base}/approve", headers=agent)
        assert again.status_code == 409, again.text
    assert commerce_faults.count("POST", CANCEL, injected=False) == 1, commerce_faults.seen
