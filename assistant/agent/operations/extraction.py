"""What the operations ask the model to read from a message: a name, a new address (small structured outputs).

Everything with a fixed shape (ids, emails, zip codes) is read by pattern in
`agent.slots`; only the free-form parts come from the model.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.agent.operations.base import OperationTurn


class NameSlots(BaseModel):
    first_name: str | None = Field(None, max_length=40)
    last_name: str | None = Field(None, max_length=40)


class AddressSlots(BaseModel):
    address1: str | None = Field(None, max_length=120)
    address2: str | None = Field(None, max_length=120)
    city: str | None = Field(None, max_length=80)
    state: str | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=60)
    zip: str | None = Field(None, max_length=12)


async def extract_name(turn: OperationTurn) -> tuple[str, str] | None:
    value = await turn.llm.decide("extract_name", turn.prompts.messages("extract_name", message=turn.text), NameSlots)
    if value and value.first_name and value.last_name:
        return value.first_name.strip().capitalize(), value.last_name.strip().capitalize()
    return None


async def extract_address(turn: OperationTurn) -> dict[str, str] | None:
    """The new address as the address tools take it, or None when street, city or zip is missing."""
    value = await turn.llm.decide("extract_address", turn.prompts.messages("extract_address", message=turn.text), AddressSlots)
    if value is None or not (value.address1 and value.city and value.zip):
        return None
    address = {key: (part or "").strip() for key, part in value.model_dump().items()}
    address["country"] = address["country"] or "USA"
    return address
