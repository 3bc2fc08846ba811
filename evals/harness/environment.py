"""The effective settings of a run and the services it needs: the model server, when the local provider is not up."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from assistant.components.container import llm_endpoint
from assistant.errors import SettingsError
from assistant.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def effective_settings(settings: Settings, *, prompt_version: str | None, model: str | None) -> Settings:
    """The settings with the run's prompt version and model applied (the model name means the provider's own kind).

    The run's version is pinned for every shop: the configured override, else the evaluated shop's own, so the run
    and its records name the version that actually ran.
    """
    version = prompt_version or settings.prompts.version or shop_prompt_version(settings)
    prompts = settings.prompts.model_copy(update={"version": version})
    llm = settings.llm
    if model:
        llm = llm.model_copy(update={"local_model": model} if llm.provider == "local" else {"model": model})
    from assistant.agent.prompt_library import PromptLibrary

    PromptLibrary(prompts)  # a version without its folder fails here, before anything runs (SettingsError)
    return settings.model_copy(update={"prompts": prompts, "llm": llm})


def shop_prompt_version(settings: Settings) -> str:
    """The prompt version of the shop the chat-driven suites play (evals/suites/chat_env.py)."""
    from assistant.shops import load_shops
    from evals.suites.chat_env import SHOP

    shops = load_shops(settings)
    return shops[SHOP].profile.prompt_version if SHOP in shops else next(iter(shops.values())).profile.prompt_version


def model_name(settings: Settings) -> str:
    return settings.llm.local_model if settings.llm.provider == "local" else str(settings.llm.model or "")


def settings_digest(settings: Settings) -> str:
    dumped = settings.model_dump(mode="json")  # secrets dump masked
    return hashlib.sha256(json.dumps(dumped, sort_keys=True, default=str).encode()).hexdigest()


def git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True)
        return commit + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> str:
    import os

    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


BUSY = ["<busy>"]


def served_models(settings: Settings) -> list[str] | None:
    """The models the configured endpoint serves; None when nothing listens there; BUSY when a server is there but
    does not answer in time (llama.cpp's server answers nothing, not even its model list, while it generates)."""
    base_url, api_key = llm_endpoint(settings.llm)
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/models", headers={"Authorization": f"Bearer {api_key}"}, timeout=5)
    except httpx.TimeoutException:
        return BUSY
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    return [str(entry.get("id")) for entry in response.json().get("data", [])]


@contextmanager
def model_server(settings: Settings, needed: bool) -> Iterator[None]:
    """Start the embedded model server for the run when the suite needs a model and none answers on the configured port."""
    if not needed or settings.llm.provider != "local":
        yield
        return
    served = served_models(settings)
    if served is not None:
        # A server left running with another model would silently mislabel the whole run.
        if served is not BUSY and settings.llm.served_model_name not in served:
            raise SettingsError(
                f"the model server on port {settings.llm.port} serves {served}, not {settings.llm.served_model_name!r}: "
                "stop it or set ASSISTANT_LLM__PORT to a free port"
            )
        yield
        return
    from assistant.components.llm.local_server import LocalLLMServer
    from assistant.components.llm.server_state import state_path

    # The state file where the agent's client looks: a crash mid-run is recorded on each case as a crash.
    server = LocalLLMServer(
        settings.llm, log_path=settings.data_dir / "evals" / "llm-server.log", state_path=state_path(settings.data_dir)
    )
    (settings.data_dir / "evals").mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        yield
    finally:
        server.stop()
