"""The commerce service answering 5xx or 401, timing out or dropping the connection at each step of a turn.

At every step the customer gets the apology and a human.

Not "your details don't match", not "I could not find order …", not "this could
not be done": those blame the customer for the shop's failure. The turn is
stored failed with its cause, and a confirmed write that failed stays
confirmable: after the shop recovers, the customer's next "yes" runs it once.
A write that timed out was applied by the shop unbeknown to the assistant: the
next "yes" sends it again with the same idempotency key, and the shop answers
with the first result instead of cancelling (and refunding) twice.

Real 0.5B model, real Chroma corpus, the real retail service behind a fault
proxy (tests/fault_proxy.py). Every message is routed by the keyword rules and
identified by pattern, so what fails is the step the proxy breaks.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from assistant.settings import Settings
from tests.chat.conftest import CUSTOMER, app_client, failure_causes, new_conversation, say
from tests.commerce.service import RunningCommerce
from tests.conftest import REPO
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

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

IDENTITY = "Hi, I'm Yusuf Rossi, zip code 19122."
EMAIL = "yusuf.rossi7301@example.com"
SMALL_PENDING = "#W6247578"  # pending, $53.27: cancelled on the customer's yes, no approval needed
CAUSES: dict[FaultKind, str] = {
    500: "commerce_error",
    401: "commerce_unauthorized",
    TIMEOUT: "commerce_timeout",
    DROP: "commerce_unavailable",
}
# What the customer must never be told when it is the shop that failed.
BLAMING = ("could not match", "could not find order", "could not be done")
FAULTS = pytest.mark.parametrize("fault", [500, 401, DROP, TIMEOUT], ids=["5xx", "401", "drop", "timeout"])


def failure_phrase() -> str:
    phrases = yaml.safe_load((REPO / "prompts" / "v1" / "phrases_en.yaml").read_text(encoding="utf-8"))
    return str(phrases["failure"]).strip()


@pytest.fixture
def settings(
    chat_settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
) -> Settings:
    return through(chat_settings, commerce_faults)


async def assert_unavailable_apology(
    http: httpx.AsyncClient, conversation: str, reply: dict[str, Any], settings: Settings, fault: FaultKind
) -> None:
    """The reply is the failure phrase offering a person, and the turn is stored failed, naming the cause."""
    text = reply["reply"]
    assert not any(words in text for words in BLAMING), f"the shop's failure was told as the customer's: {text!r}"
    assert (reply["status"], reply["handoff_offered"], reply["handoff"]) == ("failed", True, False), reply
    assert text == failure_phrase(), text
    causes = failure_causes(settings)
    assert len(causes) == 1 and CAUSES[fault] in causes[0], causes
    history = (await http.get(f"/v1/conversations/{conversation}")).json()["messages"]
    assert (history[-1]["role"], history[-1]["content"]) == ("assistant", text)


@FAULTS
async def test_identification_with_the_shop_failing(
    settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    fault: FaultKind,
) -> None:
    commerce_faults.fail(fault, "GET", r"/v1/customers/lookup")
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        message = f"My email is {EMAIL}. Where is my order #W2378156?"
        reply = await say(http, conversation, message)
        assert commerce_faults.count("GET", r"/v1/customers/lookup", injected=True) >= 1, commerce_faults.seen
        await assert_unavailable_apology(http, conversation, reply, settings, fault)

        commerce_faults.heal()
        answered = await say(http, conversation, message)
    assert answered["status"] == "ok" and "#W2378156" in answered["reply"] and "delivered" in answered["reply"], answered


@FAULTS
async def test_order_lookup_with_the_shop_failing(
    settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    fault: FaultKind,
) -> None:
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        verified = await say(http, conversation, f"{IDENTITY} Where is my order #W2378156?")
        assert verified["status"] == "ok" and "delivered" in verified["reply"], verified

        commerce_faults.fail(fault, "GET", r"/v1/orders/#W\d{7}")
        reply = await say(http, conversation, "And where is my order #W6679257?")
        assert commerce_faults.count("GET", r"/v1/orders/#W6679257", injected=True) >= 1, commerce_faults.seen
        await assert_unavailable_apology(http, conversation, reply, settings, fault)


@FAULTS
async def test_proposal_with_the_shop_failing_its_check(
    settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    retail_service: RunningCommerce,
    fault: FaultKind,
) -> None:
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        verified = await say(http, conversation, f"{IDENTITY} Where is my order #W2378156?")
        assert verified["status"] == "ok", verified

        # The order reads still work; the customer's profile, which the cancellation's check reads, does not.
        commerce_faults.fail(fault, "GET", rf"/v1/customers/{CUSTOMER}")
        reply = await say(http, conversation, f"Please cancel order {SMALL_PENDING}, I no longer need it.")
        assert commerce_faults.count("GET", rf"/v1/customers/{CUSTOMER}", injected=True) >= 1, commerce_faults.seen
        await assert_unavailable_apology(http, conversation, reply, settings, fault)
        assert reply["pending_confirmation"] is None, "nothing is proposed on a check that could not run"
    assert shop_order(retail_service, SMALL_PENDING)["status"] == "pending"


@FAULTS
async def test_confirmed_write_with_the_shop_failing_runs_once_after_it_recovers(
    settings: Settings,
    commerce_faults: FaultProxy,  # noqa: F811
    retail_service: RunningCommerce,
    fault: FaultKind,
) -> None:
    cancel = rf"/v1/orders/{SMALL_PENDING}/cancel"
    async with app_client(settings) as http:
        conversation = await new_conversation(http)
        proposed = await say(http, conversation, f"{IDENTITY} Please cancel order {SMALL_PENDING}, I no longer need it.")
        assert proposed["pending_confirmation"] and proposed["pending_confirmation"]["name"] == "cancel_pending_order", proposed

        commerce_faults.fail(fault, "POST", cancel)
        failed = await say(http, conversation, "yes")
        assert commerce_faults.count("POST", cancel, injected=True) == 1, "a write is sent once"
        await assert_unavailable_apology(http, conversation, failed, settings, fault)
        after = shop_order(retail_service, SMALL_PENDING)
        if write_applied(fault):  # the shop cancelled it, only its answer was lost
            assert after["status"] == "cancelled" and refund_count(after) == 1, after
        else:
            assert after["status"] == "pending", after

        commerce_faults.heal()
        done = await say(http, conversation, "yes")
    assert (done["status"], done["route"]) == ("ok", "confirm"), f"the proposal did not survive: {done['reply']!r}"
    assert done["reply"].startswith("Done:") and SMALL_PENDING in done["reply"], done["reply"]
    order = shop_order(retail_service, SMALL_PENDING)
    assert order["status"] == "cancelled" and refund_count(order) == 1, order
    assert commerce_faults.count("POST", cancel, injected=False) == 1, commerce_faults.seen
    assert len(failure_causes(settings)) == 1
