"""A shop's profile: who it is, how its customers are identified, what it offers and where its knowledge lives.

One folder per shop (`shops/<name>/`), holding `shop.toml` (this model), `policy.toml`
(assistant/shops/policy.py) and optionally phrase overlays in the shop's own tone. The
secrets that go with a shop (its API key, operator key, commerce credentials) are
settings (`ASSISTANT_SHOPS__<NAME>__…`), never files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from assistant.errors import SettingsError
from assistant.shops.toml_file import read_model

Language = Literal["en", "zh"]
IdentityMethod = Literal["platform_login", "platform_user_id", "email", "name_zip", "phone"]
Audience = Literal["customer", "internal"]
DocumentKind = Literal["product", "policy", "ticket"]


class IdentityRules(BaseModel):
    """How a customer of this shop proves who they are, and how the shop writes its ids."""

    methods: list[IdentityMethod] = Field(
        min_length=1,
        description="Ways a customer may identify, in the order they are asked for. `platform_login`: the customer id "
        "the shop sends (X-Customer-Id) counts as verified; `platform_user_id`: the customer types that id; `email`; "
        "`name_zip`: first and last name with a zip code; `phone`: the phone number on the account.",
    )
    order_id: str = Field(
        description="Regular expression finding an order id in a message; its first group is the id as written, "
        "without decoration (retail: `W1234567`)."
    )
    order_id_format: str = Field("{}", description="How a found id is written to the shop (retail: `#{}`).")
    phone: str | None = Field(None, description="Regular expression of a phone number (its first group); None: no phones.")
    example_order_id: str = Field(description="An order id as the shop writes it, shown when the assistant asks for one.")

    @field_validator("order_id", "phone")
    @classmethod
    def _one_group(cls, pattern: str | None) -> str | None:
        if pattern is None:
            return None
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if compiled.groups < 1:
            raise ValueError("the pattern needs one group: the id itself")
        return pattern

    @model_validator(mode="after")
    def _phone_method_needs_pattern(self) -> IdentityRules:
        if "phone" in self.methods and self.phone is None:
            raise ValueError("identity method `phone` needs a `phone` pattern")
        return self

    def order_ids(self, text: str) -> list[str]:
        """The order ids a message names, in order, each once, as the shop writes them."""
        found: list[str] = []
        for match in re.finditer(self.order_id, text, re.IGNORECASE):
            order_id = self.order_id_format.format(match.group(1).upper())
            if order_id not in found:
                found.append(order_id)
        return found

    def phones(self, text: str) -> list[str]:
        if self.phone is None:
            return []
        return list(dict.fromkeys(match.group(1) for match in re.finditer(self.phone, text)))


class KnowledgeSource(BaseModel):
    """A document set of the shop's knowledge base (ingested by `assistant ingest --demo`)."""

    path: Path = Field(description="File or folder, relative to the repository root (or absolute).")
    kind: DocumentKind
    audience: Audience = Field(description="`customer`: may be quoted to customers; `internal`: steers the assistant only.")


class ShopProfile(BaseModel):
    """Everything about a shop that is not a secret and not a rule of its policy."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="The shop's id: settings key, stored with its data.")
    display_name: str
    languages: list[Language] = Field(min_length=1, description="Languages it answers in, its main one first.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code of its prices.")
    time_zone: str = Field(description="IANA time zone: its day and hour buckets, its appointment dates.")
    prompt_version: str = Field("v1", description="Folder under prompts/ its templates and fixed texts come from.")
    seed: Literal["retail", "ecom_store", "none"] = Field(
        "none", description="Seed of the reference commerce service when it serves this shop (development, demo, tests)."
    )
    collection: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,62}$", description="Its knowledge collection.")
    policy_documents: list[Path] = Field(
        default_factory=list, description="Internal documents handed to the model in every system prompt (its agent policy)."
    )
    policy_omit_items: list[str] = Field(
        default_factory=list,
        description="Top-level Markdown list items of the policy documents left out of the system prompt, named by their "
        "first line (`- manage_order`): what the model does not need, such as procedures of tools this assistant "
        "does not have (assistant/agent/prompt_library.py: policy_text).",
    )
    operations: list[str] = Field(min_length=1, description="The standard operations it offers (registry names).")
    identity: IdentityRules
    knowledge: list[KnowledgeSource] = Field(default_factory=list)
    folder: Path = Field(Path("."), exclude=True, description="Where the profile was read from (set by the loader).")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @property
    def main_language(self) -> Language:
        return self.languages[0]


def shops_folder() -> Path:
    """The project's own shops/ folder, wherever the process runs."""
    return Path(__file__).resolve().parents[2] / "shops"


def project_path(path: Path) -> Path:
    """A path a profile names: absolute as given, else relative to the repository root (where data/ lives)."""
    return path if path.is_absolute() else shops_folder().parent / path


def load_profile(folder: Path) -> ShopProfile:
    """Read and validate `<folder>/shop.toml`; any problem is one clear SettingsError naming the file."""
    path = folder / "shop.toml"
    profile = read_model(path, ShopProfile, "shop profile", folder=folder)
    if profile.name != folder.name:
        raise SettingsError(f"shop profile {path} names the shop {profile.name!r}; its folder is {folder.name!r}")
    return profile
