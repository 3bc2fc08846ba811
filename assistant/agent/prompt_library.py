"""One shop's prompts: `prompts/<version>/*.md.j2` templates and fixed phrases, its policy documents, its tone.

Each shop gets its own library (assistant/agent/shop.py): the prompt version its
profile names (or the `prompts.version` override), its policy documents in the
system prompt, and the phrase overlay in its folder (`shops/<name>/phrases_<lang>.yaml`,
merged over the version's phrases: the JD shop's customers are 小主). The policy
documents are the shop's own files, the one copy the knowledge base ingests too;
what of them the model does not need is left out by the profile
(`policy_omit_items`), and a paragraph holding an unfilled `{placeholder}` is
dropped (see `policy_text`).

Templates are rendered with StrictUndefined so a missing variable is an error,
never an empty hole in a prompt. The system prompt (instructions + policy) is
static and rendered once: every prompt starts with it, byte for byte, so the
llama.cpp server reuses its prefix cache across calls and turns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, UndefinedError

from assistant.errors import SettingsError
from assistant.settings import DEFAULT_PROMPT_VERSION, PromptSettings
from assistant.shops import Shop
from assistant.shops.profile import project_path

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}
# `{user_id}`, `{shop_id}`: a format field a document was written to be filled with (ECom-Bench's policy has three).
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


class PromptLibrary:
    """The prompt files of one version, with one shop's policy documents and phrase overlay."""

    def __init__(
        self,
        settings: PromptSettings,
        *,
        version: str | None = None,
        policies: Sequence[Path] = (),
        omit_items: Sequence[str] = (),
        overlay: Path | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        self.version = version or settings.version or DEFAULT_PROMPT_VERSION
        self.folder = settings.directory / self.version
        if not self.folder.is_dir():
            raise SettingsError(f"prompt version {self.version!r}: no folder {self.folder}")
        for path in policies:
            if not path.is_file():
                raise SettingsError(f"policy document {path} does not exist")
        self.policy_paths = list(policies)
        self._omit_items = tuple(omit_items)
        self._overlay = overlay
        self._values = dict(values or {})  # what every phrase may name: the shop's example order id…
        self._env = Environment(
            loader=FileSystemLoader(str(self.folder)),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            autoescape=False,  # prompts are plain text for a model, not HTML
        )

    @classmethod
    def for_shop(cls, settings: PromptSettings, shop: Shop) -> PromptLibrary:
        """The shop's prompt version (or the override), its policy documents, its phrase overlay and id example."""
        profile = shop.profile
        return cls(
            settings,
            version=settings.version_for(profile.prompt_version),
            policies=[project_path(path) for path in profile.policy_documents],
            omit_items=profile.policy_omit_items,
            overlay=profile.folder,
            values={"example_order_id": profile.identity.example_order_id},
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
    def policy(self) -> str:
        """The shop's policy documents as the model reads them (see `policy_text`)."""
        return "\n\n".join(policy_text(path.read_text(encoding="utf-8"), self._omit_items) for path in self.policy_paths)

    @cached_property
    def system(self) -> str:
        return self.render("system", policy=self.policy)

    def phrase(self, language: str, key: str, **values: Any) -> str:
        """A fixed reply of a procedure, in the customer's language (the shop's overlay first)."""
        table = self._phrases(language)
        source: Any = table
        for part in key.split("."):
            if not isinstance(source, dict) or part not in source:
                raise SettingsError(f"phrase {key!r} missing in phrases_{language}.yaml ({self.version})")
            source = source[part]
        try:
            return self._env.from_string(str(source)).render(**{**self._values, **values}).strip()
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
            phrases = yaml.safe_load(path.read_text(encoding="utf-8"))
            overlay = self._overlay / f"phrases_{language}.yaml" if self._overlay is not None else None
            if overlay is not None and overlay.is_file():
                phrases = _overlaid(phrases, yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}, overlay)
            cache[language] = phrases
        return cache[language]  # type: ignore[no-any-return]


def policy_text(document: str, omit_items: Sequence[str] = ()) -> str:
    """A policy document as the system prompt carries it.

    - A paragraph holding an unfilled `{placeholder}` is dropped, not filled: ECom-Bench's policy opens with "the
      platform is {platform}, the shop {shop_id}, the customer {user_id}". The customer differs per conversation and
      the system prompt must stay byte-identical for every turn of every customer (llama.cpp's prefix cache), and the
      model needs none of these ids: the tools act for the signed-in customer whatever the model knows.
    - A top-level list item the profile names by its first line (`policy_omit_items`) is left out with everything
      under it: the JD policy's tool procedures (`- manage_order` …) describe tools this assistant does not have;
      its operations run in code under policy.toml, and a tool name the model repeats would only be refused by the
      reply guard. What stays is how to speak to the customer and when to act.
    """
    paragraphs = [block for block in re.split(r"\n\s*\n", document) if not _PLACEHOLDER.search(block)]
    lines = "\n\n".join(paragraphs).splitlines()
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.strip() in omit_items and not line.startswith((" ", "\t")):
            skipping = True
            continue
        if skipping and line.strip() and not line.startswith((" ", "\t")):
            skipping = False
        if not skipping:
            kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def _overlaid(base: dict[str, Any], overlay: dict[str, Any], path: Path, prefix: str = "") -> dict[str, Any]:
    """The version's phrases with the shop's overlay over them; an overlay key the version lacks is an error."""
    merged = dict(base)
    for key, value in overlay.items():
        if key not in base:
            raise SettingsError(f"phrase overlay {path}: {prefix}{key} is not a phrase of the prompt version")
        if isinstance(value, dict) and isinstance(base[key], dict):
            merged[key] = _overlaid(base[key], value, path, f"{prefix}{key}.")
        else:
            merged[key] = value
    return merged
