"""The served shop's policy, applied by the services: which status allows what, and the refusal in the caller's words.

One service process serves one shop (``commerce serve --shop NAME``); its
``ShopPolicy`` (shops/<name>/policy.toml) is the same the agent's tools pre-check,
so the two can never disagree about what is allowed. A status refusal is a 409
whose reason is the policy's (``order_not_pending`` for the retail shop,
``order_status_not_allowed`` for the Chinese one) and whose message names the
rule, in the caller's language (``Accept-Language``, else the shop's main one).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.connectors.models import Refusal
from assistant.shops import Shop
from assistant.shops.policy import Action, ShopPolicy
from assistant.shops.profile import Language
from commerce.errors import CommerceError
from commerce.models import OrderRow

MESSAGES = Path(__file__).resolve().parents[1] / "messages.toml"


@dataclass(frozen=True)
class ShopRules:
    """The served shop and the caller's language: what every write checks and how it words a refusal."""

    shop: Shop
    language: Language

    @classmethod
    def of(cls, shop: str, language: Language | None = None) -> ShopRules:
        """The rules of the shop named `shop` (read once per process), in `language` (default: its main one)."""
        loaded = _shop(shop)
        return cls(shop=loaded, language=language or loaded.profile.main_language)

    @property
    def policy(self) -> ShopPolicy:
        return self.shop.policy

    def require(self, action: Action, order: OrderRow) -> None:
        """Refuse `action` on `order` unless the shop offers it and the order's status allows it."""
        self.require_offered(action)
        breach = self.policy.breach(action, order.status)
        if breach is not None:
            status = self.policy.status_name(order.status, self.language)
            message = self.say("order_status", rule=breach.rule_in(self.language), order_id=order.id, status=status)
            raise CommerceError(409, breach.refusal, message)

    def require_offered(self, action: Action) -> None:
        if not self.policy.offers(action):
            rule = self.policy.breach(action, None)
            raise CommerceError(
                422, Refusal.ACTION_NOT_OFFERED, self.say("not_offered", rule=rule.rule_in(self.language) if rule else "")
            )

    def require_form(self, holds: bool, how: str) -> None:
        """Refuse an endpoint whose form of an action is not the one this shop's policy uses (`how`: the message key)."""
        if not holds:
            raise CommerceError(422, Refusal.ACTION_NOT_OFFERED, self.say("not_offered_form", how=self.say(how)))

    def apply(self, action: Action, order: OrderRow) -> None:
        """Move the order to the status the policy gives it after `action` (unchanged when it names none)."""
        order.status = self.policy.result_status(action, order.status)

    def say(self, key: str, **values: Any) -> str:
        return messages(self.language)[key].format(**values)

    def refuse(self, status_code: int, reason: Refusal, key: str, **values: Any) -> CommerceError:
        return CommerceError(status_code, reason, self.say(key, **values))


def caller_language(accept_language: str | None, shop: Shop) -> Language:
    """The first language of `Accept-Language` the shop speaks (zh-CN → zh), else the shop's main language."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in shop.profile.languages:
            return tag  # type: ignore[return-value]
    return shop.profile.main_language


@lru_cache(maxsize=8)
def _shop(name: str) -> Shop:
    from assistant.shops import load_shop

    return load_shop(name)


def messages(language: str) -> dict[str, str]:
    return _table()[language]


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    return tomllib.loads(MESSAGES.read_text(encoding="utf-8"))
