"""Reading one of a shop's TOML files into its model, with every problem one SettingsError naming the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.errors import SettingsError

Model = TypeVar("Model", bound=BaseModel)


def read_model(path: Path, model: type[Model], what: str, **extra: Any) -> Model:
    """`path` parsed as TOML and validated as `model` (with `extra` fields added); `what` names it in errors."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{what} {path} is not valid TOML: {exc}") from None
    try:
        return model.model_validate({**raw, **extra})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"{what} {path}: {problems}") from None
