"""Fixtures: the operations against the real retail commerce service; the model only as a scripted stand-in.

The operations are the unit here, not the model: a run that should need no model
gets a client that fails the test when called; the address operations get the
address as the model would extract it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.language import reply_language
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.operations.runner import OperationRunner
from assistant.agent.outcome import Outcome
from assistant.agent.prompt_library import PromptLibrary
from assistant.agent.tooling import ToolEnvironment, TurnTools
from assistant.agent.turn_llm import TurnLLM
from assistant.components.llm.client import Completion
from assistant.connectors.interfaces import Connectors
from assistant.conversations.records import TurnRecord
from assistant.shops import load_shop
from assistant.tools import AuditLog, Toolbox, build_toolbox
from tests.commerce.service import RunningCommerce
from tests.shops import operations
from tests.shops import prompts as shop_prompts
from tests.tools.conftest import (  # noqa: F401  (fixtures)
    audit,
    connectors,
    jd,
    jd_connectors,
    jd_service,
    jd_toolbox,
    make_jd_context,
    retail,
    retail_service,
    toolbox,
)

REPO = Path(__file__).resolve().parents[3]
CUSTOMER = "yusuf_rossi_9620"  # retail seed: Yusuf Rossi, zip 19122
IDENTITY = "I'm Yusuf Rossi, zip code 19122."


class ScriptedModel:
    """Answers the structured decisions it is given, in order; no answer left fails the test."""

    model = "scripted"

    def __init__(self, outputs: list[str]) -> None:
        self.outputs = outputs

    async def complete(self, messages: list[dict[str, Any]], **_: Any) -> Completion:
        if not self.outputs:
            raise AssertionError(f"no model call expected: {messages[-1]['content'][:200]}")
        return Completion(text=self.outputs.pop(0), model=self.model, tokens_in=1, tokens_out=1, seconds=0.0)


@dataclass
class Ran:
    outcome: Outcome
    record: TurnRecord
    calls: list[str] = field(default_factory=list)


Run = Callable[..., Any]


@pytest.fixture(scope="session")
def prompts() -> PromptLibrary:
    return shop_prompts("retail")


@pytest.fixture
def run(
    retail: RunningCommerce,  # noqa: F811  (reset to the seed)
    toolbox: Toolbox,  # noqa: F811
    connectors: Connectors,  # noqa: F811
    audit: AuditLog,  # noqa: F811
    prompts: PromptLibrary,
    request: pytest.FixtureRequest,
) -> Run:
    """`await run(action, text, customer=..., verified=..., model=[...])`: one operation as one turn runs it."""
    environment = ToolEnvironment(toolbox=toolbox, connectors=connectors, audit=audit, shop=load_shop("retail"))

    async def go(
        action: str,
        text: str,
        *,
        customer: str = CUSTOMER,
        verified: str | None = None,
        model: list[str] | None = None,
        offered: ShopOperations | None = None,
    ) -> Ran:
        language = reply_language(text)
        record = TurnRecord(prompt_version="v1", language=language, customer_text=text)
        tools = TurnTools(
            environment, record, customer_id=customer, verified_customer_id=verified, conversation_id=request.node.nodeid
        )
        if offered is not None and offered.identity != operations("retail").identity:
            # A shop identifying its customers another way has the identity tools of that way.
            shop = load_shop("retail")
            shop = dataclasses.replace(shop, profile=shop.profile.model_copy(update={"identity": offered.identity}))
            tools = TurnTools(
                dataclasses.replace(environment, toolbox=build_toolbox(shop=shop), shop=shop), record,
                customer_id=customer, verified_customer_id=verified, conversation_id=request.node.nodeid,
            )  # fmt: skip
        runner = OperationRunner(
            offered=offered or operations("retail"), tools=tools, prompts=prompts,
            llm=TurnLLM(ScriptedModel(model or []), record),  # type: ignore[arg-type]
            language=language, text=text, verified_customer_id=verified,
        )  # fmt: skip
        outcome = await runner.run(action)
        return Ran(outcome=outcome, record=record, calls=[call.name for call in record.tool_calls])

    return go


@pytest.fixture
def jd_run(
    jd: RunningCommerce,  # noqa: F811  (reset to the seed)
    jd_toolbox: Toolbox,  # noqa: F811
    jd_connectors: Connectors,  # noqa: F811
    audit: AuditLog,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Run:
    """`await jd_run(action, text, customer=..., verified=...)`: one operation of the Chinese shop as one turn runs it,
    over its real service, with its operations, prompts and tone; no model (a call fails the test)."""
    shop = load_shop("jd_appliances")
    environment = ToolEnvironment(toolbox=jd_toolbox, connectors=jd_connectors, audit=audit, shop=shop)
    library = shop_prompts("jd_appliances")

    async def go(action: str, text: str, *, customer: str, verified: str | None = None) -> Ran:
        language = reply_language(text)
        record = TurnRecord(prompt_version="v1", language=language, customer_text=text)
        tools = TurnTools(
            environment, record, customer_id=customer, verified_customer_id=verified, conversation_id=request.node.nodeid
        )
        runner = OperationRunner(
            offered=operations("jd_appliances"), tools=tools, prompts=library,
            llm=TurnLLM(ScriptedModel([]), record),  # type: ignore[arg-type]
            language=language, text=text, verified_customer_id=verified,
        )  # fmt: skip
        outcome = await runner.run(action)
        return Ran(outcome=outcome, record=record, calls=[call.name for call in record.tool_calls])

    return go
