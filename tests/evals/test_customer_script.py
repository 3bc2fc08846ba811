"""The multi-turn form's scripted customer on real retail tasks (pure code): what it says first, how a scenario is cut
into one request per ground-truth write, what it answers to the assistant's questions (the agent's own phrases), and
the two counts read from a transcript (invented ids, requests dropped silently). Only dev tasks and tasks_v1 tasks
outside the bench's test slice are used."""

from __future__ import annotations

from typing import Any

import pytest

from evals.suites.agent_checks import dropped_requests, invented_ids
from evals.suites.agent_data import retail_db, retail_scenarios
from evals.suites.customer_script import Script, build_script
from evals.suites.scripted_customer import DONT_KNOW, MAX_FOLLOW_UPS, NO, ScriptedCustomer, question_kind

IDENTIFIED = "Thank you, your identity is confirmed. How can I help you with your orders?"
ASK_ORDER = "Which order is it about? Please give me the order id (it looks like #W1234567)."
ASK_PAYMENT = "Which payment method should be used? Your payment methods: paypal_1, credit_card_2."
PROPOSAL = {"name": "cancel_pending_order", "arguments": {"order_id": "#W5199551"}}
CONFIRM = 'Here is exactly what I will do: cancel order #W5199551. Please reply "yes" to confirm, or tell me what to change.'


def script(case_id: str) -> Script:
    return build_script(retail_scenarios()[case_id], retail_db())


def test_identity_first_then_the_request_without_its_conditions() -> None:
    played = script("retail-dev-0")
    assert played.identity == "I am Yusuf Rossi in zip code 19122."
    (request,) = played.requests
    assert request.write == "exchange_delivered_order_items" and request.order_id == "#W2378156"
    assert request.text.startswith("I received my order #W2378156 and wish to exchange the mechanical keyboard")
    assert "If there is no keyboard" not in request.text  # a condition is the simulator's, not a request
    assert request.known == {
        "order": "the order id is #W2378156",
        "items": "the items are the Mechanical Keyboard and the Smart Thermostat",
        # a condition is how the customer chooses among the options offered
        "option": "If there is no keyboard that is clicky, RGB backlight, full size, I'd go for no backlight.",
    }


def test_one_request_per_write_cut_from_one_sentence() -> None:
    played = script("retail-dev-16")  # "cancel all pending orders (…) and return the watch you have received (…), and …"
    assert [(r.write, r.order_id) for r in played.requests] == [
        ("cancel_pending_order", "#W5199551"),
        ("cancel_pending_order", "#W8665881"),
        ("return_delivered_order_items", "#W9389413"),
        (None, None),  # what the scenario asks besides its writes, last
    ]
    assert (
        played.requests[0].text
        == played.requests[1].text
        == "I want to cancel all pending orders (since they are no longer needed)."
    )
    assert played.requests[2].text == "Return the watch I have received (but nothing else)."
    assert played.requests[3].text == "I want to know the total amount I can get back."
    # The scenario names neither order: nothing to answer when asked which one.
    assert "order" not in played.requests[0].known


def test_secrets_and_directions_are_never_said() -> None:
    played = script("retail-dev-29")
    said = " ".join(r.text for r in played.requests)
    assert "5206946487" not in said  # "(do not share this with the agent)"
    assert "agent" not in said.lower()
    assert [(r.write, r.text) for r in played.requests] == [
        ("exchange_delivered_order_items", "I want to exchange my skateboard for a shorter bamboo material one."),
        (
            "exchange_delivered_order_items",
            "Also, I want to exchange the garden hose I received for the type that is in my pending order.",
        ),
        (None, "I do not want to cancel any orders."),  # said last, with what else the scenario says
    ]


def test_a_v1_instruction_gives_identity_and_requests_without_the_persona() -> None:
    played = script("retail-v1-187")
    assert played.identity == "My name is Lucas Brown and my zip code is 60612."
    assert [r.write for r in played.requests] == [
        "return_delivered_order_items", "return_delivered_order_items",
        "modify_pending_order_address", "modify_pending_order_items",
    ]  # fmt: skip
    assert played.requests[0].text == "Return #W8660475 via credit_card_2112420: Office Chair."
    assert played.requests[3].text.endswith(
        "to {'piece count': '4-piece', 'color': 'blue', 'material': 'softshell'}; via credit_card_2112420."
    )
    assert not any("rigid, polite" in r.text for r in played.requests)
    assert played.requests[0].known["payment"] == "please use credit_card_2112420"
    assert played.requests[2].known["address"] == "the new address is 921 Park Avenue, Suite 892, Chicago, IL, 60612, USA"
    assert Script.from_json(played.to_json()) == played


def test_the_customer_answers_from_the_scenario_or_says_it_does_not_know() -> None:
    customer = ScriptedCustomer(script("retail-dev-16"))
    assert customer.opening() == ("I am Fatima Johnson in zipcode 78712.", None)
    step = customer.answer(IDENTIFIED, proposed=None, handoff=False, handoff_offered=False)
    assert step == ("I want to cancel all pending orders (since they are no longer needed).", 0)
    assert customer.answer(ASK_ORDER, proposed=None, handoff=False, handoff_offered=False) == (DONT_KNOW, 0)
    # A return proposed for a cancel was not asked for: "no", then the next request once the assistant answers.
    wrong = {"name": "return_delivered_order_items", "arguments": {"order_id": "#W5199551"}}
    assert customer.answer(CONFIRM, proposed=wrong, handoff=False, handoff_offered=False) == (NO, 0)
    declined = "All right, I have not changed anything. What else can I do for you?"
    assert customer.answer(declined, proposed=None, handoff=False, handoff_offered=False) == (
        "I want to cancel all pending orders (since they are no longer needed).", 1,
    )  # fmt: skip
    assert customer.answer(CONFIRM, proposed=PROPOSAL, handoff=False, handoff_offered=False) == ("yes", 1)
    # An offer of a person the ground truth does not take: on to the next request.
    offer = "I'm sorry, this could not be done: no. Would you like me to connect you with a human agent?"
    step = customer.answer(offer, proposed=None, handoff=False, handoff_offered=True)
    assert step == ("Return the watch I have received (but nothing else).", 2)
    step = customer.answer("Done: return.", proposed=None, handoff=False, handoff_offered=False)
    assert step == ("I want to know the total amount I can get back.", 3)
    # Nothing was asked for with the closing questions: a write proposed then is declined.
    assert customer.answer(CONFIRM, proposed=PROPOSAL, handoff=False, handoff_offered=False) == (NO, 3)
    assert customer.answer("You would get $100 back.", proposed=None, handoff=False, handoff_offered=False) is None


def test_answers_restate_the_request_with_the_detail_and_stop_after_a_few() -> None:
    customer = ScriptedCustomer(script("retail-v1-0"))
    customer.opening()
    text, _ = customer.answer(IDENTIFIED, proposed=None, handoff=False, handoff_offered=False) or ("", None)
    assert text == "Return #W6067464 via credit_card_4190576: Electric Kettle; Wall Clock."
    answer = customer.answer(ASK_PAYMENT, proposed=None, handoff=False, handoff_offered=False)
    assert answer == ("Return #W6067464 via credit_card_4190576: Electric Kettle; Wall Clock, please use credit_card_4190576.", 0)
    for _ in range(MAX_FOLLOW_UPS - 1):
        assert customer.answer(ASK_ORDER, proposed=None, handoff=False, handoff_offered=False) is not None
    assert customer.answer(ASK_ORDER, proposed=None, handoff=False, handoff_offered=False) is None  # the last request


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("Before I look at your account, I need to confirm your identity: please give me the email address…", "identity"),
        ("Which items of order #W1 do you mean? It contains: Desk Lamp (color: black).", "items"),
        ("Please give me the full new address: street, city, state, zip code and country.", "address"),
        (ASK_PAYMENT, "payment"),
        (ASK_ORDER, "order"),
        ("Which Mechanical Keyboard would you like? These in stock fit what you asked for: …", "option"),
        ("Is there anything else?", "other"),
        ("Done: cancel order #W5199551.", None),
    ],
)
def test_question_kinds(reply: str, kind: str | None) -> None:
    assert question_kind(reply) == kind


def turn(request: int | None, reply: str, **extra: Any) -> dict[str, Any]:
    return {"request": request, "customer": "", "reply": reply, "proposed": None, "actions": [], "handoff": False,
            "handoff_offered": False, **extra}  # fmt: skip


def test_a_request_no_reply_spoke_to_is_dropped() -> None:
    actions = [
        {"name": "cancel_pending_order", "arguments": {"order_id": "#W5199551"}},
        {"name": "cancel_pending_order", "arguments": {"order_id": "#W8665881"}},
        {"name": "return_delivered_order_items", "arguments": {"order_id": "#W9389413"}},
    ]
    proposal = {"name": "cancel_pending_order", "arguments": {"order_id": "#W5199551"}}
    transcript = [
        turn(0, CONFIRM, proposed=proposal),
        turn(1, "Order #W5199551 is cancelled, so I cannot cancel it."),  # speaks to request 1: it cannot be done
        turn(2, "Our return policy allows returns within 30 days."),  # neither proposed, refused nor asked
    ]
    assert dropped_requests(actions, transcript) == [2]
    # One message carrying every request: only a reply naming an order, or proposing its write, speaks to it.
    assert dropped_requests(actions, [turn(None, ASK_ORDER)]) == [0, 1, 2]
    assert dropped_requests(actions[:1], [turn(0, ASK_ORDER)]) == []


def test_an_id_in_neither_the_seed_nor_the_conversation_is_invented() -> None:
    turns = [
        {"customer": "Where is #W2378156?", "reply": "", "calls": [
            {"name": "get_order_details", "arguments": {"order_id": "#W2378156"}, "result": {"items": ["x_999"]}},
            {"name": "get_product_details", "arguments": {"product_id": "x_999"}, "result": None},  # from a result
            {"name": "get_order_details", "arguments": {"order_id": "#W0000001"}, "result": None},
            {"name": "get_user_details", "arguments": {"user_id": "yusuf_rossi_9620"}, "result": None},  # in the seed
        ]},
    ]  # fmt: skip
    assert invented_ids(turns) == [{"tool": "get_order_details", "ids": ["#W0000001"]}]
