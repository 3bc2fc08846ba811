"""Test helpers for the shops: the retail shop's settings, operations and prompts as the composition root builds them."""

from __future__ import annotations

from functools import cache
from typing import Any

from assistant.agent.operations.offered import ShopOperations
from assistant.agent.prompt_library import PromptLibrary
from assistant.settings import DEMO_SHOPS, PromptSettings, Settings, ShopSettings, deep_merged
from assistant.shops import Shop, load_shop
from assistant.tools.approval import ApprovalRule

RETAIL_LIMIT = 1000.0  # shops/retail/policy.toml: approval_refund_limit


def shop_settings(
    name: str = "retail",
    *,
    base_url: str,
    commerce_key: str,
    api_key: str | None = None,
    operator_key: str | None = None,
    **commerce: Any,
) -> dict[str, Any]:
    """One shop's entry of `Settings.shops` (its demo keys unless others are given) over a test commerce service."""
    entry: dict[str, Any] = {"commerce": {"base_url": base_url, "api_key": commerce_key, **commerce}}
    if api_key is not None:
        entry["api_key"] = api_key
    if operator_key is not None:
        entry["operator_key"] = operator_key
    return {name: entry}


@cache
def shop(name: str = "retail") -> Shop:
    return load_shop(name)


@cache
def operations(name: str = "retail") -> ShopOperations:
    """The shop's operations, as its turns, drafts and confirmations read them."""
    return ShopOperations.of(shop(name))


def prompts(name: str = "retail", settings: PromptSettings | None = None) -> PromptLibrary:
    """The shop's prompt library: its version, its policy documents, its phrase overlay."""
    return PromptLibrary.for_shop(settings or PromptSettings(), shop(name))


def approval(limit: float = RETAIL_LIMIT) -> ApprovalRule:
    return ApprovalRule(refund_limit=limit)


def operator_key(settings: Settings, name: str = "retail") -> str:
    """The shop's operator key (X-Operator-Key)."""
    return settings.shops[name].operator_key.get_secret_value()


def with_shop(settings: Settings, name: str, **entry: Any) -> Settings:
    """`settings` serving one more shop (`shop_settings` arguments), from that demo shop's values where it is one."""
    values = shop_settings(name, **entry)[name]
    merged = deep_merged(DEMO_SHOPS[name], values) if name in DEMO_SHOPS else values
    return settings.model_copy(update={"shops": {**settings.shops, name: ShopSettings.model_validate(merged)}})
