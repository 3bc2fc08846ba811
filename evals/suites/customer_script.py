"""The scripted customer of the agent-tasks multi-turn form: what it says, built from a task, and how it answers.

Deterministic, no model plays the user (tau2-bench has an LLM user simulator; this is its scripted stand-in):

- **Identity first**: the scenario's own identity words in the first person ("I am Yusuf Rossi in zip code 19122.") —
  tasks_dev's `known_info`, or the sentences of a tasks_v1 instruction that give the email, zip code or name.
- **One request per ground-truth write**, in the ground truth's order: the scenario is cut into clauses (sentences,
  and ", and return …"-like parts) and each goes to the write(s) it scores highest for — the write's order id (+3; a
  clause naming only other orders is not its), its verbs (`cancel`, `return`/`refund`, `exchange`, `modify`/`change`…,
  +2; `address`, `payment` +3), the products of its items (+1); a clause keeps the clauses before it in its sentence
  that speak for no write ("You just got into gaming and …"). Conditions ("If …", "When …"), directions about the
  conversation (sentences naming the agent, "Make sure …") and secrets ("do not reveal …", "(do not share this …)")
  are left out; a write no plain clause speaks for takes its best conditional one, else the whole scenario. Writes
  the same clauses speak for ("cancel all pending orders") get the same message. The plain clauses left over — what
  the scenario asks besides its writes ("and you want to know the total amount") — are one last message; a task
  without writes sends its whole scenario once.
- **Answers** from what the scenario states, restating the request with the detail (the assistant may read each
  message on its own): the order id, the items (product names), the payment method (the ground truth's id, when the
  scenario names it or its kind — PayPal, gift card, credit card, "original"), the new address (the ground truth's,
  when the scenario spells it), and for a choice among options the write's own conditions ("if there is no clicky
  one, no backlight"); "I don't know." when the scenario does not say. How it plays them: scripted_customer.py.

What is lost: the scenario's changes of mind and its instructions about the conversation ("if the agent asks for
confirmation, only exchange the lamp", "mention both at the same time"), wrong-then-corrected answers, preferences
that need reasoning over the options offered ("the cheapest", "the most expensive"), anything the scenario only
implies (an address "in your other order"), and the persona. The ground truth chooses which clauses are requests
and which details are known, so a request the scenario makes without a ground-truth write is only sent as part of
the closing message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ORDER_ID = re.compile(r"#?\b(W\d{7})\b")
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])|;\s+(?=(?:Return|Cancel|For|Exchange|Modify|Change)\b)|\s*\n+\s*")
_SECRET_ASIDE = re.compile(r"\([^()]*\b(?:reveal|share|mention)\b[^()]*\)", re.IGNORECASE)
_SECRET_SENTENCE = re.compile(r"\((?:do not|don't) (?:share|tell|reveal) (?:this|it)\b", re.IGNORECASE)
_SECRET = re.compile(r"\b(?:reveal|do not share|don't share|not mention|do not tell)\b", re.IGNORECASE)
_CONDITION = re.compile(r"^(?:but\s+|and\s+|\.\s*)?(?:if|when|once|otherwise|unless|in case|after)\b", re.IGNORECASE)
_DIRECTION = re.compile(r"\bagent\b|^make sure\b|^be\b|^ask\b|^do not end\b", re.IGNORECASE)
_IDENTITY = re.compile(r"\bzip\s*code|\bzipcode\b|\bname is\b|@", re.IGNORECASE)
VERBS: dict[str, tuple[tuple[str, ...], int]] = {
    "cancel_pending_order": (("cancel",), 2),
    "return_delivered_order_items": (("return", "refund"), 2),
    "exchange_delivered_order_items": (("exchange", "swap"), 2),
    "modify_pending_order_items": (("modify", "change", "switch", "upgrade", "exchange", "adjust"), 2),
    "modify_pending_order_address": (("address",), 3),
    "modify_user_address": (("address",), 3),
    "modify_pending_order_payment": (("payment",), 3),
    "transfer_to_human_agents": (("human", "representative", "transfer"), 2),
}
_PERSON = [  # second person → first person, the longer forms first
    (r"\byou name\b", "my name"), (r"\byou are\b", "I am"), (r"\byou're\b", "I'm"), (r"\byou were\b", "I was"),
    (r"\byou've\b", "I've"),
    (r"\byou'd\b", "I'd"), (r"\byou'll\b", "I'll"), (r"\byourself\b", "myself"), (r"\byours\b", "mine"),
    (r"\byour\b", "my"), (r"\b(to|for|with|tell|give|help|send|asks?) you\b", r"\1 me"), (r"\byou\b", "I"),
]  # fmt: skip


@dataclass(frozen=True)
class Request:
    """One customer message asking for one ground-truth write, and what the scenario states for its questions."""

    text: str
    write: str | None  # the ground-truth write's name (None: a task without writes)
    order_id: str | None = None
    known: dict[str, str] = field(default_factory=dict)  # order, items, payment, address → the answer's detail

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "write": self.write, "order_id": self.order_id, "known": dict(self.known)}


@dataclass(frozen=True)
class Script:
    identity: str | None
    requests: list[Request]
    wants_human: bool  # the ground truth transfers to a human agent

    def to_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "requests": [r.to_json() for r in self.requests], "wants_human": self.wants_human}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Script:
        requests = [Request(r["text"], r["write"], r.get("order_id"), dict(r.get("known") or {})) for r in data["requests"]]
        return cls(data.get("identity"), requests, bool(data.get("wants_human")))


def first_person(text: str) -> str:
    for pattern, repl in _PERSON:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    text = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text[:1].upper() + text[1:] if text else text


@dataclass(frozen=True)
class _Unit:
    """A clause of the scenario: its sentence, its text with the words that joined it to the clause before, and what
    its whole sentence is (a secret, a condition, a direction about the conversation)."""

    sentence: int
    text: str  # with its leading joint ("and return the watch …")
    secret: bool = False
    conditional: bool = False  # "If …", "When …"
    direction: bool = False  # about the conversation, not the shop: names the agent, "Make sure …"

    @property
    def bare(self) -> str:
        return _JOINT.sub("", self.text, count=1).strip(" .;,")


_CLAUSE = re.compile(
    r"(?=(?:;|,)?\s+(?:and|but)\s+(?:I\s+|you\s+)?(?:also\s+)?"
    r"(?:want|wish|would like|need|cancel|return|exchange|modify|change|switch|upgrade|refund|swap|remove|correct)\b)"
    r"|(?=;\s)",
    re.IGNORECASE,
)
_JOINT = re.compile(r"^[;,]?\s*(?:(?:and|but)\b\s*)?", re.IGNORECASE)
_PERSONA = re.compile(r"^you are [a-z]+(?:, (?:and )?[a-z]+)*\.?$", re.IGNORECASE)


def units(text: str) -> list[_Unit]:
    """The scenario's clauses in order: sentences, cut again where a clause starts a request of its own."""
    found = []
    for number, sentence in enumerate(s for s in _SENTENCES.split(text or "") if s and s.strip(" ;.")):
        secret = bool(_SECRET_SENTENCE.search(sentence))
        sentence = re.sub(r"\s+", " ", _SECRET_ASIDE.sub("", sentence)).replace(" .", ".").strip()
        secret |= bool(_SECRET.search(sentence))
        conditional, direction = bool(_CONDITION.search(sentence)), bool(_DIRECTION.search(sentence))
        for clause in _CLAUSE.split(sentence):
            if clause.strip(" ;,."):
                found.append(_Unit(number, clause.rstrip(), secret, conditional, direction))
    return found


def _message(chosen: list[_Unit], every: list[_Unit]) -> str:
    """The chosen clauses as one message: consecutive ones as the scenario joined them, others as sentences."""
    pieces: list[str] = []
    previous = None
    for unit in chosen:
        index = every.index(unit)
        if previous is not None and index == previous + 1 and every[previous].sentence == unit.sentence:
            pieces[-1] += unit.text
        else:
            bare = unit.bare
            if re.match(r"(want|wish|would like|need)\b", bare, re.IGNORECASE):
                bare = "You " + bare  # the clause was cut from its subject
            pieces.append(bare[:1].upper() + bare[1:])
        previous = index
    return " ".join(piece if piece.rstrip()[-1:] in ".!?" else piece.rstrip(" ;,") + "." for piece in pieces)


def build_script(scenario: dict[str, Any], db: dict[str, Any]) -> Script:
    """The scripted customer of one retail task: `scenario` has `identity` (text or None), `request` (text) and `actions`
    (every ground-truth action, reads too, as `{name, arguments}`); `db` is the retail seed (product names, orders)."""
    request_text = scenario["request"] or ""
    writes = [a for a in scenario["actions"] if a["name"] in VERBS]
    identity_text = scenario.get("identity")
    parts = [u for u in units(request_text) if not _PERSONA.search(u.bare)]
    if not identity_text:  # tasks_v1: the instruction's identity sentences
        identity_text = _message([u for u in parts if _IDENTITY.search(u.bare)], parts) or None
        parts = [u for u in parts if not _IDENTITY.search(u.bare)]
    whole = " ".join([identity_text or "", request_text])
    told = [u for u in parts if not u.secret]
    anything = first_person(_message(told, parts)) if told else first_person(request_text)
    if not writes:
        return Script(_identity(identity_text), [Request(anything, None)], False)
    plain = [u for u in told if not (u.conditional or u.direction)]
    nouns = [_item_nouns(w["arguments"], db) for w in writes]
    chosen: list[list[_Unit]] = [[] for _ in writes]
    _assign(plain, writes, nouns, chosen, range(len(writes)))
    _assign([u for u in told if u not in plain], writes, nouns, chosen, [w for w in range(len(writes)) if not chosen[w]])
    requests = []
    for w, write in enumerate(writes):
        chosen[w] = _with_context(chosen[w], parts, writes, nouns)
        text = first_person(_message(chosen[w], parts)) if chosen[w] else anything
        args = write["arguments"]
        known = _known(args, nouns[w], whole, db)
        # Its conditions are what the customer prefers when offered a choice ("if there is no clicky one, no backlight").
        options = [u for u in told if u.conditional and not u.direction and u not in chosen[w]]
        options = [u for u in options if _score(u.text, write, nouns[w]) >= 1]
        if options:
            known["option"] = first_person(_message(options, parts))
        requests.append(Request(text, write["name"], args.get("order_id"), known))
    # What the scenario asks besides its writes ("and you want to know the total amount"): one last message.
    rest = [u for u in plain if not any(u in mine for mine in chosen)]
    if rest:
        requests.append(Request(first_person(_message(rest, parts)), None))
    return Script(_identity(identity_text), requests, any(w["name"] == "transfer_to_human_agents" for w in writes))


def _with_context(chosen: list[_Unit], parts: list[_Unit], writes: list[dict[str, Any]], nouns: list[list[str]]) -> list[_Unit]:
    """The chosen clauses in order, each with the clauses of its sentence before it that speak for no write ("You just
    got into gaming" before "and want to return everything not associated with it"), and the parts after it that
    continue it ("; via credit_card_1")."""
    keep = set(chosen)
    for unit in chosen:
        index = parts.index(unit)
        while index > 0 and parts[index - 1].sentence == unit.sentence and parts[index - 1] not in keep:
            before = parts[index - 1]
            if before.secret or max(_score(before.text, w, n) for w, n in zip(writes, nouns, strict=True)) > 0:
                break
            keep.add(before)
            index -= 1
        index = parts.index(unit) + 1  # and the "; via credit_card_1"-like parts after it
        while index < len(parts) and parts[index].sentence == unit.sentence and parts[index].text.startswith(";"):
            after = parts[index]
            if after.secret or max(_score(after.text, w, n) for w, n in zip(writes, nouns, strict=True)) > 0:
                break
            keep.add(after)
            index += 1
    return [unit for unit in parts if unit in keep]


def _assign(
    pool: list[_Unit], writes: list[dict[str, Any]], nouns: list[list[str]], chosen: list[list[_Unit]], open_writes: Any
) -> None:
    """Each clause to the write(s) among `open_writes` it scores highest for (at least 1)."""
    targets = list(open_writes)
    for unit in pool:
        scores = {w: _score(unit.text, writes[w], nouns[w]) for w in targets}
        best = max(scores.values(), default=0)
        for w, score in scores.items():
            if best >= 1 and score == best:
                chosen[w].append(unit)


def _score(sentence: str, write: dict[str, Any], nouns: list[str]) -> int:
    named = {"#" + m.upper() for m in ORDER_ID.findall(sentence)}
    order_id = write["arguments"].get("order_id")
    if named and order_id and order_id not in named:
        return -1  # about another order
    lowered = sentence.lower()
    words, weight = VERBS[write["name"]]
    score = 3 if order_id and order_id in named else 0
    if any(re.search(rf"\b{w}\w*", lowered) for w in words):
        score += weight
    if "address" in lowered and write["name"] == "modify_user_address" and re.search(r"\b(user|default|profile)\b", lowered):
        score += 1
    if "address" in lowered and write["name"] == "modify_pending_order_address" and re.search(r"\border", lowered):
        score += 1
    if any(_mentions(sentence, noun) for noun in nouns):
        score += 1
    return score


def _mentions(text: str, phrase: str) -> bool:
    """The phrase as whole words, plural too; 't-shirt', 'tshirt' and 't shirt' are one name."""
    squash = re.sub(r"[^a-z0-9 ]", "", text.lower())
    phrase = re.sub(r"[^a-z0-9 ]", "", phrase.lower())
    forms = {phrase, phrase.replace(" ", "")}
    forms |= {f + "s" for f in forms} | {f + "es" for f in forms}
    forms |= {f[:-1] + "ves" for f in forms if f.endswith("f")} | {f[:-1] + "ies" for f in forms if f.endswith("y")}
    return any(re.search(rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])", squash) for f in forms)


def _item_nouns(args: dict[str, Any], db: dict[str, Any]) -> list[str]:
    """The product names of the write's items (the order's lines), with their head nouns ('Smart Watch', 'watch')."""
    order = db["orders"].get(args.get("order_id") or "", {})
    names = [line["name"] for line in order.get("items", []) if line["item_id"] in (args.get("item_ids") or [])]
    nouns: list[str] = []
    for name in names:
        for noun in (name, name.split()[-1]):
            if noun not in nouns and len(noun) >= 3:
                nouns.append(noun)
    return nouns


def _stated_order(order_id: str, text: str) -> bool:
    digits = order_id.lstrip("#W")
    return re.search(rf"(?<!\d){digits}(?!\d)", text) is not None


def _known(args: dict[str, Any], nouns: list[str], text: str, db: dict[str, Any]) -> dict[str, str]:
    """The details of the write the scenario states (the ground truth's values, where the scenario names them)."""
    known: dict[str, str] = {}
    order_id = args.get("order_id")
    if order_id and _stated_order(order_id, text):
        known["order"] = f"the order id is {order_id}"
    order = db["orders"].get(order_id or "", {})
    names = [line["name"] for line in order.get("items", []) if line["item_id"] in (args.get("item_ids") or [])]
    said = list(dict.fromkeys(n for n in names if _mentions(text, n) or _mentions(text, n.split()[-1])))
    if said:
        known["items"] = "the items are the " + " and the ".join(said)
    method = args.get("payment_method_id")
    if method and _stated_payment(method, text, order):
        known["payment"] = f"please use {method}"
    address = [args.get(k) for k in ("address1", "address2", "city", "state", "zip", "country")]
    if args.get("address1") and (args["address1"].lower() in text.lower() or (args.get("zip") or "-") in text):
        known["address"] = "the new address is " + ", ".join(str(part) for part in address if part)
    return known


_KINDS = {
    "paypal": ("paypal",),
    "gift_card": ("gift card", "giftcard", "gc"),
    "credit_card": ("credit card", "visa", "mastercard", "amex", "card"),
}


def _stated_payment(method: str, text: str, order: dict[str, Any]) -> bool:
    lowered = text.lower()
    if method in text:
        return True
    kind = next((k for k in _KINDS if method.startswith(k)), None)
    if kind and any(re.search(rf"\b{word}\b", lowered) for word in _KINDS[kind]):
        return True
    history = order.get("payment_history") or []
    original = history[0]["payment_method_id"] if history else None
    return method == original and re.search(r"\boriginal\b", lowered) is not None


def _identity(text: str | None) -> str | None:
    return first_person(text.strip()) if text and text.strip(" .") else None
