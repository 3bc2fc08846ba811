"""The operations one shop offers: its profile's subset of the registry, read with the shop's policy and id rules.

The registry keeps every operation; a shop's profile (`operations` in shop.toml)
names those it offers, and its policy (policy.toml) says which order statuses
allow each one's action and what the action leaves the order as. The router,
the route schema and prompt, the request plan, the answer to a confirmation and
the drafts all read a shop's `ShopOperations`, passed explicitly: one turn, one
shop. Which form of an operation's write the shop proposes (`tool_for`: the
retail `cancel_pending_order` or the Chinese shop's `cancel_order`) is its
toolbox's, decided here from its policy (tools/offers.py FORMS) and nowhere
else. Built once per shop by the composition root, which refuses a profile that
names an operation the registry lacks, one whose action its policy does not
allow at all, or one with no form of its write that the policy asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from assistant.agent.decisions import Route, route_model
from assistant.agent.operations.base import Operation, status_of
from assistant.agent.operations.registry import BY_NAME, OPERATIONS
from assistant.connectors.models import Order
from assistant.errors import SettingsError
from assistant.shops import Shop
from assistant.shops.policy import ShopPolicy
from assistant.shops.profile import IdentityRules
from assistant.tools import offers


@dataclass(frozen=True)
class ShopOperations:
    """One shop's operations, in the registry's order (the route prompt's), with its policy and id rules."""

    shop: str
    operations: tuple[Operation, ...]
    policy: ShopPolicy
    identity: IdentityRules

    @classmethod
    def of(cls, shop: Shop) -> ShopOperations:
        """The operations `shop`'s profile names; SettingsError for a name the registry lacks or a policy that forbids it."""
        wanted = shop.profile.operations
        unknown = [name for name in wanted if name not in BY_NAME]
        if unknown:
            raise SettingsError(
                f"shop {shop.name}: operations {', '.join(unknown)} (shop.toml) are not in the registry "
                f"(assistant/agent/operations/registry.py: {', '.join(BY_NAME)})"
            )
        operations = tuple(operation for operation in OPERATIONS if operation.name in wanted)
        for operation in operations:
            if operation.action is not None and not shop.policy.offers(operation.action):
                raise SettingsError(
                    f"shop {shop.name}: operation {operation.name} performs `{operation.action}`, which its policy "
                    "(policy.toml [actions]) does not allow"
                )
            if operation.writes and not any(offers.offers_tool(shop.policy, tool) for tool in operation.tools):
                raise SettingsError(
                    f"shop {shop.name}: operation {operation.name} has no write its policy's form fits "
                    f"({', '.join(operation.tools)}; assistant/tools/offers.py FORMS)"
                )
        return cls(shop=shop.name, operations=operations, policy=shop.policy, identity=shop.profile.identity)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    @cached_property
    def by_name(self) -> dict[str, Operation]:
        return {operation.name: operation for operation in self.operations}

    @cached_property
    def account_actions(self) -> frozenset[str]:
        """Routes that read or change the customer's account: identity is checked first."""
        return frozenset(operation.name for operation in self.operations if operation.account)

    @cached_property
    def needing_order(self) -> frozenset[str]:
        return frozenset(operation.name for operation in self.operations if operation.needs_order)

    @cached_property
    def route_model(self) -> type[Route]:
        """The route schema over this shop's operations (the model may choose only what the shop offers)."""
        return route_model(self.operations)

    def tools_of(self, operation: Operation) -> tuple[str, ...]:
        """The operation's writes this shop's toolbox holds: the forms its policy asks for."""
        return tuple(tool for tool in operation.tools if offers.offers_tool(self.policy, tool))

    def tool_for(self, operation: Operation) -> str | None:
        """The write the operation proposes in this shop (its first form the policy asks for); None: it only reads."""
        return next(iter(self.tools_of(operation)), None)

    def statuses(self, operation: Operation) -> frozenset[str] | None:
        """The order statuses the shop's policy allows the operation's action in; None: any order (or no order)."""
        if operation.action is None:
            return None
        rule = self.policy.actions.get(operation.action)
        if rule is None:  # refused when the shop was built; an operation of another shop's set asked here
            return frozenset()
        return None if rule.statuses is None else frozenset(rule.statuses)

    def fits(self, operation: Operation, order: Order) -> bool:
        allowed = self.statuses(operation)
        return allowed is None or status_of(order) in allowed

    def keeps_status(self, tool: str) -> bool:
        """Does the order keep its status after this write (so another write may follow on it)? A write whose action
        has a result status moves the order out of every status a write needs (cancelled, return requested…)."""
        return offers.keeps_status(self.policy, tool)

    def order_ids(self, text: str) -> list[str]:
        """The order ids a message names, as the shop writes them (its profile's pattern)."""
        return self.identity.order_ids(text)

    def status_name(self, status: str, language: str) -> str:
        """An order status as the shop says it to a customer in `language` (its own word when it has no other)."""
        return self.policy.status_name(status, "zh" if language == "zh" else "en")
