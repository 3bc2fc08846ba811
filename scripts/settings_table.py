"""Print the README's configuration table from the settings tree itself.

    python scripts/settings_table.py > /tmp/table.md

tests/foundation/test_readme.py checks that every setting appears in README.md.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def rows(model: type[BaseModel], prefix: str = "ASSISTANT_") -> list[tuple[str, str, str]]:
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += rows(annotation, f"{prefix}{name.upper()}__")
            continue
        if field.default_factory is not None:
            default = field.default_factory()  # type: ignore[call-arg]
        else:
            default = None if field.default is PydanticUndefined else field.default
        if isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(REPO)  # a project folder, shown as the repo names it
        shown = "" if default is None else str(default)
        if name.endswith(("key", "keys")) and shown:
            shown = "(development key)"
        found.append((f"{prefix}{name.upper()}", shown, field.description or ""))
    return found


def env_names() -> list[str]:
    return [name for name, _default, _description in rows(Settings)]


if __name__ == "__main__":
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for name, default, description in rows(Settings):
        print(f"| `{name}` | `{default}` | {description} |" if default else f"| `{name}` | | {description} |")
