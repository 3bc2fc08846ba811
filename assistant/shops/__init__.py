"""Shops as tenants: each shop's profile (shops/<name>/shop.toml) and policy (shops/<name>/policy.toml).

Data only: what a shop is and what its rules allow, read from its folder and
validated once. The composition root builds each shop's runtime from these
(assistant/bootstrap.py); the tools and the reference commerce service both
enforce the same `ShopPolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import SettingsError
from assistant.settings import Settings
from assistant.shops.policy import ShopPolicy, load_policy
from assistant.shops.profile import ShopProfile, load_profile, shops_folder

# The shop the single-shop versions of this project served: rows of an older database that carry no shop (agents,
# drafts, audit entries) belong to it (assistant/components/database/columns.py adds their column with this value).
LEGACY_SHOP = "retail"


@dataclass(frozen=True)
class Shop:
    """One shop's profile and policy, read from its folder."""

    profile: ShopProfile
    policy: ShopPolicy

    @property
    def name(self) -> str:
        return self.profile.name


def load_shop(name: str, folder: Path | None = None) -> Shop:
    """The shop `name`, from `folder` (default: the project's shops/<name>/)."""
    where = folder if folder is not None else shops_folder() / name
    return Shop(profile=load_profile(where), policy=load_policy(where))


def load_shops(settings: Settings) -> dict[str, Shop]:
    """Every configured shop's profile and policy, read once; a missing or invalid one is one clear SettingsError."""
    shops: dict[str, Shop] = {}
    for name, configured in settings.shops.items():
        folder = configured.profile_folder(name)
        try:
            shop = load_shop(name, folder)
        except SettingsError as exc:
            raise SettingsError(f"shops.{name}.profile: {exc.message}") from None
        if shop.name != name:
            raise SettingsError(f"shops.{name}.profile: {folder} holds the shop {shop.name!r}, not {name!r}")
        shops[name] = shop
    return shops
