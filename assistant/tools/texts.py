"""The customer-facing texts of one prompt version: `prompts/<version>/texts/<table>_<language>.toml`.

Each table is TOML of Jinja templates (strict about missing values), by section
and key. They live beside the version's prompts and phrases, so a new prompt
version can reword them without changing what any other version says.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, StrictUndefined, Template

from assistant.errors import SettingsError
from assistant.settings import DEFAULT_PROMPT_VERSION, PromptSettings

FALLBACK_LANGUAGE = "en"

Table = dict[str, dict[str, Template]]


@dataclass(frozen=True)
class PromptTexts:
    """The text tables of one prompt version (its `texts/` folder)."""

    folder: Path

    @classmethod
    def of(cls, settings: PromptSettings) -> PromptTexts:
        """The texts of the configured version (the override of every shop's; else the project's default)."""
        return cls(settings.directory / (settings.version or DEFAULT_PROMPT_VERSION) / "texts")

    @classmethod
    def default(cls) -> PromptTexts:
        """The project's default prompt version (the defaults of `PromptSettings`), for code not handed the configured one."""
        return cls.of(PromptSettings.model_validate({}))

    def table(self, name: str, language: str) -> Table:
        """`name`'s templates in `language`, or in English where that language has no file."""
        return _load(self.folder, name, language)


@lru_cache(maxsize=32)
def _load(folder: Path, name: str, language: str) -> Table:
    path = folder / f"{name}_{language}.toml"
    if not path.is_file():
        path = folder / f"{name}_{FALLBACK_LANGUAGE}.toml"
    if not path.is_file():
        raise SettingsError(f"no texts {name!r} in {folder}")
    environment = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    tree = tomllib.loads(path.read_text(encoding="utf-8"))
    return {section: {key: environment.from_string(text) for key, text in entries.items()} for section, entries in tree.items()}
