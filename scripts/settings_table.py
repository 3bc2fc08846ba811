"""Print the README's configuration table from the settings tree itself.

    python scripts/settings_table.py > /tmp/table.md

tests/foundation/test_readme.py checks that every setting appears in README.md. A setting that is a
map of sections (`shops`: one per shop) is listed once as a whole and once per field, with `<NAME>`
for the shop's name and the default of each demo shop.
"""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel, SecretStr
from pydantic_core import PydanticUndefined

from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def rows(
    model: type[BaseModel], prefix: str = "ASSISTANT_", instances: dict[str, BaseModel] | None = None
) -> list[tuple[str, str, str]]:
    """(variable, default, meaning) of every field; `instances`: the default sections by name, for a map's fields."""
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            inner = {key: getattr(value, name) for key, value in instances.items()} if instances is not None else None
            found += rows(annotation, f"{prefix}{name.upper()}__", inner)
            continue
        section = _map_of_sections(annotation)
        if section is not None:
            defaults = field.default_factory() if field.default_factory is not None else {}  # type: ignore[call-arg]
            found.append((f"{prefix}{name.upper()}", ", ".join(defaults), field.description or ""))
            found += rows(section, f"{prefix}{name.upper()}__<NAME>__", dict(defaults))
            continue
        if instances is not None:
            each = {key: _shown(name, getattr(value, name)) for key, value in instances.items()}
            shown = "; ".join(f"{key}: {text}" for key, text in each.items()) if any(each.values()) else ""
        else:
            shown = _shown(name, _default(field))
        found.append((f"{prefix}{name.upper()}", shown, field.description or ""))
    return found


def _map_of_sections(annotation: object) -> type[BaseModel] | None:
    """The section type of a `dict[str, Section]` setting, else None."""
    if typing.get_origin(annotation) is not dict:
        return None
    value = typing.get_args(annotation)[1]
    return value if isinstance(value, type) and issubclass(value, BaseModel) else None


def _default(field: typing.Any) -> object:
    if field.default_factory is not None:
        return field.default_factory()
    return None if field.default is PydanticUndefined else field.default


def _shown(name: str, default: object) -> str:
    if isinstance(default, Path) and default.is_absolute():
        default = default.relative_to(REPO)  # a project folder, shown as the repo names it
    if isinstance(default, SecretStr) or (name.endswith(("key", "keys")) and default):
        return "(development key)"
    return "" if default is None else str(default)


def env_names() -> list[str]:
    return [name for name, _default, _description in rows(Settings)]


if __name__ == "__main__":
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for name, default, description in rows(Settings):
        print(f"| `{name}` | `{default}` | {description} |" if default else f"| `{name}` | | {description} |")
