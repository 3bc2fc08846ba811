"""The Chinese-shop eval set's task format (evals/datasets/jd_tasks.jsonl; described in evals/datasets/JD_TASKS.md),
as models: reading the file checks the shape of every task, and a task that does not fit is refused with its id and
what is wrong. Whether a task agrees with the shop's data and policy is the validator's job (jd_task_check.py).

A task's `expected` lists assertions about the commerce database the conversation leaves behind (`unchanged`, an
order's `status`, `address_contains`, `phone`, `expedited`, an `ecard_balance` change, a `refund`, an `invoice`, an
`appointment`, an `exchange`, a `new_order`) and `refused` requests (which change nothing, and say why in data
terms). Facts are strings a reply must contain (any one of `any`), each with where in the data it comes from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import BadInputError
from evals.suites.datasets import DATASETS

JD_TASKS = DATASETS / "jd_tasks.jsonl"
Split = Literal["dev", "test"]
Form = Literal["one_message", "multi_turn"]
Action = Literal[
    "cancel", "modify_address", "modify_phone", "return", "exchange", "place_order", "price_protection", "expedite",
    "invoice", "appointment", "lookup",
]  # fmt: skip
CATEGORIES = (
    "status", "logistics", "cancel", "cancel_refused", "address", "address_refused", "phone", "return",
    "return_refused", "exchange", "exchange_refused", "invoice_lookup", "invoice_issue", "invoice_reissue",
    "invoice_refused", "installation", "appointment_change", "repair", "expedite", "expedite_refused",
    "price_protection", "price_protection_none", "ecard_balance", "place_order", "place_order_refused", "product",
    "promotion", "other_customer", "identity", "multi_request", "handoff", "cashback", "cashback_handoff",
)  # fmt: skip
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Reason = Literal[
    "status", "target_not_on_sale", "target_not_listed", "no_price_drop", "insufficient_balance", "not_on_sale",
    "already_expedited", "not_customers_order",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Fact(_Strict):
    any: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1, description="Accepted spellings; the first is quoted.")
    source: str = Field(alias="from", description="Where the first spelling is quoted from (see JD_TASKS.md).")


# --- assertions on the final commerce database ---


class Unchanged(_Strict):
    unchanged: Literal[True]


class StatusIs(_Strict):
    order: str
    status: str


class AddressContains(_Strict):
    order: str
    address_contains: str = Field(min_length=2)


class PhoneIs(_Strict):
    order: str
    phone: str


class Expedited(_Strict):
    order: str
    expedited: Literal[True]


class _EcardChange(_Strict):
    customer: str
    change: float


class EcardBalance(_Strict):
    ecard_balance: _EcardChange


class _Refund(_Strict):
    order: str
    amount: float = Field(gt=0)
    to: str


class Refund(_Strict):
    refund: _Refund


class _Invoice(_Strict):
    order: str
    type: Literal["个人发票", "企业发票"]
    title: str = Field(min_length=1)
    tax_id: str | None = None


class Invoice(_Strict):
    invoice: _Invoice


class _Appointment(_Strict):
    order: str
    type: Literal["安装", "维修"]
    date_weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 Monday … 7 Sunday.")


class Appointment(_Strict):
    appointment: _Appointment


class _Exchange(_Strict):
    order: str
    old: str = Field(alias="from")
    new: str = Field(alias="to")


class Exchange(_Strict):
    exchange: _Exchange


class _NewOrder(_Strict):
    customer: str
    product: str
    quantity: int = Field(ge=1)
    payment: str


class NewOrder(_Strict):
    new_order: _NewOrder


class _Refused(_Strict):
    action: Action
    reason: Reason
    order: str | None = None
    product: str | None = None
    old: str | None = Field(None, alias="from")
    new: str | None = Field(None, alias="to")
    payment: str | None = None
    quantity: int | None = None


class Refused(_Strict):
    refused: _Refused


Assertion = (
    Unchanged | StatusIs | AddressContains | PhoneIs | Expedited | EcardBalance | Refund | Invoice | Appointment
    | Exchange | NewOrder | Refused
)  # fmt: skip


# --- the scripted customer of a multi-turn task ---


class Request(_Strict):
    say: str = Field(min_length=1, description="The customer's message opening this request.")
    accept: list[Action] = Field(default_factory=list, description="Kinds of write the customer confirms here.")
    must_mention: list[str] = Field(
        default_factory=list, description="Strings a proposal must contain (arguments or description) to be confirmed."
    )
    known: dict[str, str] = Field(default_factory=dict, description="Answers for this request, over `known_info`.")


class Script(_Strict):
    scenario: str = Field(min_length=1, description="What the customer wants, for people reading the task.")
    known_info: dict[str, str] = Field(description="What the customer answers when asked: phone, user_id, order, …")
    requests: list[Request] = Field(min_length=1)


class JdTask(_Strict):
    id: str
    split: Split
    category: Category
    form: Form
    language: Literal["zh", "en"]
    customer_id: str
    messages: list[str] | None = None
    script: Script | None = None
    expected: list[Assertion] = Field(min_length=1)
    required_facts: list[Fact] = Field(default_factory=list)
    forbidden_facts: list[Fact] = Field(default_factory=list)
    handoff: bool
    note: str = ""

    @model_validator(mode="after")
    def _form_fits(self) -> JdTask:
        if self.form == "one_message" and (self.script is not None or not self.messages or len(self.messages) != 1):
            raise ValueError("a one_message task has exactly one message and no script")
        if self.form == "multi_turn" and (self.script is None or self.messages is not None):
            raise ValueError("a multi_turn task has a script and no messages")
        if any(isinstance(a, Unchanged) for a in self.expected) and any(
            not isinstance(a, Unchanged | Refused) for a in self.expected
        ):
            raise ValueError("`unchanged` goes only with `refused` assertions")
        return self

    @property
    def openings(self) -> list[str]:
        """What the customer says of their own accord: the message, or each request's opening."""
        return list(self.messages or []) if self.script is None else [request.say for request in self.script.requests]

    def customer_words(self) -> str:
        """Everything the customer can say: the messages, each request's opening and every known answer."""
        words = self.openings
        if self.script is not None:
            words += list(self.script.known_info.values())
            words += [value for request in self.script.requests for value in request.known.values()]
        return "\n".join(words)

    def facts(self) -> list[list[str]]:
        """The required facts as the scorer takes them: per fact, its accepted spellings."""
        return [list(fact.any) for fact in self.required_facts]


def parse_tasks(lines: list[str], where: str = "jd_tasks.jsonl") -> list[JdTask]:
    """Every task of the JSONL lines; the first line that does not fit is a BadInputError naming it."""
    tasks = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        raw: Any = None
        try:
            raw = json.loads(line)
            tasks.append(JdTask.model_validate(raw))
        except (json.JSONDecodeError, ValidationError) as exc:
            name = raw.get("id", "?") if isinstance(raw, dict) else "?"
            raise BadInputError(f"{where} line {number} (task {name}): {exc}") from exc
    ids = [task.id for task in tasks]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise BadInputError(f"{where}: task ids used twice: {', '.join(duplicated)}")
    return tasks


def load_jd_tasks(split: Split | None = None, path: Path = JD_TASKS) -> list[JdTask]:
    """The eval set's tasks in file order, or those of one split."""
    tasks = parse_tasks(path.read_text(encoding="utf-8").splitlines(), path.name)
    return [task for task in tasks if split is None or task.split == split]
