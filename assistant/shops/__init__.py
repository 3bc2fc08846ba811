"""Shops as tenants: each shop's profile (shops/<name>/shop.toml) and policy (shops/<name>/policy.toml).

Data only: what a shop is and what its rules allow, read from its folder and
validated once. The composition root builds each shop's runtime from these
(assistant/bootstrap.py); the tools and the reference commerce service both
enforce the same `ShopPolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.shops.policy import ShopPolicy, load_policy
from assistant.shops.profile import ShopProfile, load_profile, shops_folder


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
