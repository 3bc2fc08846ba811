"""Who a chunk is written for: `customer` (may be quoted to a customer) or `internal` (instructions for the agent).

Customer-facing text is product facts, public policy, FAQ and published corrections;
internal text is agent procedures and tool instructions (tau2's "As a retail agent,
you can help users…", the Chinese shop's "调用manage_ecard工具"), and resolved tickets,
which tell what was done for another customer. A customer's answer quotes only the
first; the second may still steer the model through the system prompt.

Ingestion stores the audience on every chunk (the operator's choice, else the
document's own declaration, else the default of its kind). Chunks stored before the
field existed carry none and are read with the same default of their kind:
`product` is customer-facing, `policy` and `ticket` are internal — a policy nobody
marked as public is treated as agent-facing, which can only make answers shorter,
never leak an instruction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, cast

Audience = Literal["customer", "internal"]
AUDIENCES: tuple[Audience, ...] = ("customer", "internal")
FIELD = "audience"
DEFAULT_BY_KIND: dict[str, Audience] = {"product": "customer", "policy": "internal", "ticket": "internal"}


def default_audience(kind: str) -> Audience:
    """The audience of a document of `kind` that nobody declared one for (an unknown kind is internal)."""
    return DEFAULT_BY_KIND.get(kind, "internal")


def audience_of(metadata: Mapping[str, object]) -> Audience:
    """A stored chunk's audience; a chunk without one (stored before the field existed) gets its kind's default."""
    value = metadata.get(FIELD)
    if value in AUDIENCES:
        return cast(Audience, value)
    return default_audience(str(metadata.get("kind", "")))


def kinds_defaulting_to(audience: Audience, kinds: list[str] | None) -> list[str]:
    """The kinds (among `kinds`, or all known) whose unmarked chunks count as `audience`."""
    known = kinds if kinds is not None else list(DEFAULT_BY_KIND)
    return [kind for kind in known if default_audience(kind) == audience]
