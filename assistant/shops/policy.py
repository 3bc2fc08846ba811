"""A shop's policy as data: which order statuses allow which change, where refunds go, what needs approval.

`shops/<name>/policy.toml` is read into `ShopPolicy`. Both sides enforce it: the
agent's tools pre-check a write against it before proposing it (so the customer
is never asked to confirm what would be refused), and the reference commerce
service checks it again when the write runs. A refusal names the rule, in the
customer's language (`ActionRule.rule`).

The statuses are the shop's own words (`pending`, `delivered` for the retail shop;
`已付款`, `已签收` for the Chinese shop): an order is shown and checked in the
status its shop gives it, never in a translation of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from assistant.shops.profile import Language
from assistant.shops.toml_file import read_model

# The changes a policy can govern. A shop offers an action only when its policy lists it.
Action = Literal[
    "cancel",
    "modify_address",
    "modify_phone",
    "modify_payment",
    "modify_items",
    "return",
    "exchange",
    "place_order",
    "price_protection",
    "expedite",
    "invoice",
    "appointment",
    "update_default_address",
    "review_cashback",
]


class ActionRule(BaseModel):
    """When one action is allowed, what it leaves the order as, and the rule in words."""

    statuses: list[str] | None = Field(
        None, description="Order statuses that allow it (the shop's own words); None: any order, or no order."
    )
    result_status: str | None = Field(None, description="The order's status after it; None: unchanged.")
    refusal: str = Field("order_status_not_allowed", description="Machine-readable reason when the status forbids it.")
    rule: dict[Language, str] = Field(description="The rule in words, per language: named when a request is refused.")


class InvoiceType(BaseModel):
    """One kind of invoice a shop issues: whether it needs the buyer's tax id, and its name per language."""

    tax_id: bool = Field(False, description="A company invoice names the company's tax id (税号); a personal one does not.")
    name: dict[Language, str] = Field(default_factory=dict, description="How the type is said, per language.")


class ShopPolicy(BaseModel):
    """The rules the tools and the commerce service enforce for one shop."""

    actions: dict[Action, ActionRule] = Field(description="What the shop allows; an action not listed is not offered.")
    cancel_reasons: list[str] = Field(
        default_factory=list, description="Reasons a cancellation must give, word for word; empty: any reason."
    )
    refund_destination: Literal["original_or_gift_card", "original"] = Field(
        description="`original_or_gift_card` (retail): the original payment method or a gift card; `original`: the original "
        "payment method only (an order paid by e-card is refunded to the e-card)."
    )
    exchange_targets: Literal["same_product", "listed"] = Field(
        "same_product",
        description="`same_product` (retail): another variant of the item's product, requested after delivery; `listed`: "
        "a product the ordered product lists as exchangeable (可换货商品) and that is on sale; the order's line changes "
        "to it at once, at the price paid (policy_zh.md names no price difference).",
    )
    return_scope: Literal["items", "order"] = Field(
        "items", description="`items`: named items of an order are returned; `order`: the whole order is."
    )
    approval_refund_limit: float = Field(
        ge=0, description="A write that refunds more than this (in the shop's currency) waits for a human agent's approval."
    )
    status_names: dict[str, dict[Language, str]] = Field(
        default_factory=dict, description="How each order status is said to a customer, per language (default: as is)."
    )
    return_refund: Literal["requested", "gift_card_at_once"] = Field(
        "requested",
        description="`requested` (retail): a return records where the refund goes; it is paid once the goods are back. "
        "`gift_card_at_once`: an order paid by gift card (京东E卡) is refunded to it when the return is submitted "
        "(policy_zh.md, manage_ecard); any other payment once the goods are back.",
    )
    address_format: Literal["western", "chinese"] = Field(
        "western",
        description="How an address is asked for and written: `western` (street lines, city, state, country, zip code) "
        "or `chinese` (province, city, district, detailed address; no postal code).",
    )
    invoice_types: dict[str, InvoiceType] = Field(
        default_factory=dict, description="The invoice types the shop issues (its own words); empty: no invoices."
    )
    product_on_sale: str | None = Field(
        None,
        description="The word a product's (or an exchange listing's) status says when it can be bought (已上架); None: the "
        "shop keeps no such status and a product's availability alone decides.",
    )
    appointment_window_days: int = Field(90, ge=1, description="How many days ahead a home-service visit can be booked.")
    service_types: dict[str, dict[Language, str]] = Field(
        default_factory=dict,
        description="The home-service visits that can be booked (its own words, e.g. 安装, 维修), with their name per "
        "language; empty: none.",
    )

    @model_validator(mode="after")
    def _rules_in_every_language(self) -> ShopPolicy:
        for action, rule in self.actions.items():
            if not rule.rule:
                raise ValueError(f"action {action!r} needs its rule in words (rule.en / rule.zh)")
        placing = self.actions.get("place_order")
        if placing is not None and placing.result_status is None:
            raise ValueError("action 'place_order' needs result_status: the status a new order starts in")
        return self

    def offers(self, action: Action) -> bool:
        return action in self.actions

    def breach(self, action: Action, status: str | None) -> Breach | None:
        """Why `action` is not allowed on an order in `status` (None: it is allowed)."""
        rule = self.actions.get(action)
        if rule is None:
            return Breach(action=action, refusal="action_not_offered", rule={})
        if rule.statuses is None or status in rule.statuses:
            return None
        return Breach(action=action, refusal=rule.refusal, rule=rule.rule)

    def status_name(self, status: str, language: Language) -> str:
        return self.status_names.get(status, {}).get(language, status)

    def result_status(self, action: Action, current: str) -> str:
        """The order's status after `action` (its current one when the policy leaves it unchanged)."""
        rule = self.actions.get(action)
        return rule.result_status if rule is not None and rule.result_status is not None else current


@dataclass(frozen=True)
class Breach:
    """A refused action: the machine-readable reason and the rule, in each language the policy words it."""

    action: str
    refusal: str
    rule: dict[Language, str]

    def rule_in(self, language: Language) -> str:
        return self.rule.get(language) or next(iter(self.rule.values()), f"{self.action} is not offered by this shop")


def load_policy(folder: Path) -> ShopPolicy:
    """Read and validate `<folder>/policy.toml`; any problem is one clear SettingsError naming the file."""
    return read_model(folder / "policy.toml", ShopPolicy, "shop policy")
