"""Versioned prompt files: `prompts/<version>/*.md.j2` templates and fixed phrases, plus the store policy.

The policy is not a prompt file: it is the shop's document (`prompts.policy`, by
default data/retail/policy.md), the one copy the knowledge base ingests too.

Templates are rendered with StrictUndefined so a missing variable is an error,
never an empty hole in a prompt. The system prompt (instructions + policy) is
static and rendered once: every prompt starts with it, byte for byte, so the
llama.cpp server reuses its prefix cache across calls and turns.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, UndefinedError

from assistant.errors import SettingsError
from assistant.settings import PromptSettings

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}


class PromptLibrary:
    """The prompt files of one version."""

    def __init__(self, settings: PromptSettings) -> None:
        self.version = settings.version
        self.folder = settings.directory / settings.version
        if not self.folder.is_dir():
            raise SettingsError(f"prompts.version {settings.version!r}: no folder {self.folder}")
        self.policy_path = settings.policy
        if not self.policy_path.is_file():
            raise SettingsError(f"prompts.policy: no file {self.policy_path}")
        self._env = Environment(
            loader=FileSystemLoader(str(self.folder)),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            autoescape=False,  # prompts are plain text for a model, not HTML
        )

    def template_names(self) -> list[str]:
        return sorted(path.name for path in self.folder.glob("*.j2"))

    def render(self, name: str, **values: Any) -> str:
        try:
            return self._env.get_template(f"{name}.md.j2").render(**values).strip()
        except TemplateNotFound:
            raise SettingsError(f"prompt {name!r} missing in {self.folder}") from None
        except UndefinedError as exc:
            raise SettingsError(f"prompt {name!r} ({self.version}): {exc.message}") from None

    @cached_property
    def system(self) -> str:
        policy = self.policy_path.read_text(encoding="utf-8").strip()
        return self.render("system", policy=policy)

    def phrase(self, language: str, key: str, **values: Any) -> str:
        """A fixed reply of a procedure, in the customer's language."""
        table = self._phrases(language)
        source: Any = table
        for part in key.split("."):
            if not isinstance(source, dict) or part not in source:
                raise SettingsError(f"phrase {key!r} missing in phrases_{language}.yaml ({self.version})")
            source = source[part]
        try:
            return self._env.from_string(str(source)).render(**values).strip()
        except UndefinedError as exc:
            raise SettingsError(f"phrase {key!r} ({language}, {self.version}): {exc.message}") from None

    def phrase_keys(self, language: str) -> list[str]:
        keys: list[str] = []
        for key, value in self._phrases(language).items():
            if isinstance(value, dict):
                keys.extend(f"{key}.{sub}" for sub in value)
            else:
                keys.append(key)
        return keys

    def messages(self, name: str, **values: Any) -> list[dict[str, str]]:
        """Chat messages: the static system prompt first, then the rendered task."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.render(name, **values)}]

    def _phrases(self, language: str) -> dict[str, Any]:
        cache = self.__dict__.setdefault("_phrase_cache", {})
        if language not in cache:
            path = self.folder / f"phrases_{language}.yaml"
            if not path.is_file():
                raise SettingsError(f"no phrases for language {language!r} in {self.folder}")
            cache[language] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cache[language]  # type: ignore[no-any-return]
