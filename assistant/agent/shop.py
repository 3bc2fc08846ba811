"""One shop's part of the object graph, and the directory of them: a turn picks its shop once and passes it down.

Built once per shop by the composition root (assistant/bootstrap.py): the
shop's tool environment (its commerce backend, its policy, its approval limit),
its prompts (version, policy documents, tone), its retriever (its own knowledge
collection), its operations, and the escalation step reading its CRM. Nothing
here is a context variable or a global: the chat, the handoff desk, the drafts,
feedback and analytics look the shop of the caller or the conversation up in
the directory and hand it on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.agent.escalation_step import TurnEscalation
from assistant.agent.operations.offered import ShopOperations
from assistant.agent.prompt_library import PromptLibrary
from assistant.errors import NotFoundError
from assistant.shops import Shop
from assistant.tools.environment import ToolEnvironment

if TYPE_CHECKING:
    from assistant.retrieval.retriever import Retriever


@dataclass(frozen=True)
class ShopRuntime:
    """Everything one shop's turns, drafts and handoffs use that is the shop's own."""

    shop: Shop
    tools: ToolEnvironment
    prompts: PromptLibrary
    retriever: Callable[[], Retriever]  # made on first use: it opens the collection and builds its keyword index
    operations: ShopOperations
    escalation: TurnEscalation

    @property
    def name(self) -> str:
        return self.shop.name

    @property
    def collection(self) -> str:
        return self.shop.profile.collection


class ShopDirectory(Mapping[str, ShopRuntime]):
    """The served shops by name. An unknown name is "not found": a stored row of a shop no longer served says so."""

    def __init__(self, shops: Mapping[str, ShopRuntime]) -> None:
        self._shops = dict(shops)

    def __getitem__(self, name: str) -> ShopRuntime:
        try:
            return self._shops[name]
        except KeyError:
            raise NotFoundError(f"shop {name!r} is not served here") from None

    def __contains__(self, name: object) -> bool:
        return name in self._shops

    def get(self, name: str, default: ShopRuntime | None = None) -> ShopRuntime | None:  # type: ignore[override]
        return self._shops.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._shops)

    def __len__(self) -> int:
        return len(self._shops)

    def tools(self) -> dict[str, ToolEnvironment]:
        """Each shop's tool environment (what the handoff desk runs approved writes with)."""
        return {name: runtime.tools for name, runtime in self._shops.items()}
