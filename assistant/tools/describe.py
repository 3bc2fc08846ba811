"""Human-readable descriptions of proposed writes, in the customer's language.

The wording lives in the prompt version's ``texts/tools_<language>.toml``
(``PromptTexts``: Jinja templates, strict about missing values); this module only
formats amounts, items, payment methods and addresses and fills the templates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.connectors.models import GIFT_CARD, Address, OrderItem, PaymentMethod, Variant
from assistant.tools.texts import PromptTexts

CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}


class Describer:
    def __init__(self, language: str, texts: PromptTexts) -> None:
        self.templates = texts.table("tools", language)

    def render(self, action: str, **values: Any) -> str:
        return " ".join(self.templates["actions"][action].render(**values).split())

    def text(self, section: str, key: str, **values: Any) -> str:
        return self.templates[section][key].render(**values).strip()

    def money(self, amount: float, currency: str | None) -> str:
        symbol = CURRENCY_SYMBOLS.get(currency or "USD", f"{currency} ")
        return f"{symbol}{abs(amount):,.2f}"

    def method(self, method: PaymentMethod) -> str:
        key = method.source if method.source in self.templates["payment_method"] else "other"
        return self.text("payment_method", key, id=method.id, brand=method.brand or "", last_four=method.last_four or "")

    def timing(self, method: PaymentMethod) -> str:
        return self.text("timing", "immediate" if method.source == GIFT_CARD else "later")

    def item(self, item: OrderItem | Variant, currency: str | None, name: str | None = None) -> str:
        """`Water Bottle (capacity 1000ml, color blue, $47.84)`: enough to tell two variants apart."""
        label = name or getattr(item, "name", "")
        options = ", ".join(f"{key} {value}" for key, value in item.options.items())
        return self.text("misc", "item", name=label, options=options, price=self.money(item.price, currency))

    def address(self, address: Address, address_format: str = "western") -> str:
        """One line; a Chinese address from the province down to the street, as it is written (广东省揭阳市饶平县…)."""
        if address_format == "chinese":
            return f"{address.state}{address.city}{address.address2}{address.address1}"
        return address.one_line()

    def weekday(self, day: date) -> str:
        return self.text("weekday", str(day.weekday()))
