"""The embedded LLM: llama-cpp-python's OpenAI-compatible server on loopback.

Started as a child process with the flags measured to work on a small CPU
machine (OFFLINE_MODELS.md): logits kept only for the last token, one thread
when other work shares the cores, and no interruption of a running stream by
the next request. The application never talks to it except over the OpenAI
protocol, exactly as it would talk to vLLM or OpenAI.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import httpx

from assistant.components.child_process import ChildProcess, ChildStartError, describe_exit
from assistant.components.llm.cpu_builds import REBUILD_LINE, BuildCheckError, server_environment
from assistant.components.llm.model_files import PACKAGED_MODELS, verify
from assistant.components.llm.server_state import ServerStateFile
from assistant.errors import LLMUnavailableError, ModelFileError
from assistant.settings import LLMSettings

logger = logging.getLogger(__name__)

CRASH_SIGNALS = (-4, -7, -11)  # SIGILL, SIGBUS, SIGSEGV: what an instruction this CPU lacks ends in


def local_model_file(settings: LLMSettings) -> Path:
    """The verified GGUF file the local provider serves.

    A packaged model is checked against its pinned sha256; a user's own GGUF
    file is served as given (there is no checksum to hold it to).
    """
    if settings.gguf_path is not None:
        if not settings.gguf_path.is_file():
            raise ModelFileError(f"llm.gguf_path {settings.gguf_path} does not exist")
        return settings.gguf_path
    model = PACKAGED_MODELS[settings.local_model]
    path = settings.models_dir / model.file_name
    verify(path, model.sha256)
    return path


def server_command(settings: LLMSettings, model_file: Path) -> list[str]:
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model_file),
        "--model_alias", settings.served_model_name,
        "--host", settings.host,
        "--port", str(settings.port),
        "--n_ctx", str(settings.n_ctx),
        "--n_threads", str(settings.n_threads),
        "--n_threads_batch", str(settings.n_threads_batch),
        "--logits_all", "false",
        "--interrupt_requests", "false",
    ]  # fmt: skip


class LocalLLMServer:
    """Owns the model server process: start, wait until it answers, record how it ended, stop.

    With a `state_path`, the pid and an exit the server was not asked for are recorded
    there (server_state.py), so every reader can name a crash as one.
    """

    def __init__(self, settings: LLMSettings, log_path: Path | None = None, state_path: Path | None = None) -> None:
        self._settings = settings
        self._log_path = log_path
        self._state = ServerStateFile(state_path) if state_path else None
        self._child: ChildProcess | None = None
        self._exit_text: str | None = None
        self.build: str | None = None  # the llama.cpp build variant the running server loaded

    @property
    def base_url(self) -> str:
        return f"http://{self._settings.host}:{self._settings.port}/v1"

    def start(self) -> None:
        """Verify the model file, start the server and block until it serves."""
        model_file = local_model_file(self._settings)  # refuses a bad file before anything runs
        try:
            # Chosen by the CPU this runs on, never the one that built it: the fastest build it can run.
            variant, build_env = server_environment(self._settings.cpu_build)
        except BuildCheckError as exc:
            raise LLMUnavailableError(str(exc)) from None
        child = ChildProcess(
            "model server",
            server_command(self._settings, model_file),
            f"{self.base_url}/models",
            env={**os.environ, **build_env} if build_env else None,
            log_path=self._log_path,
            on_exit=self._exited,
        )
        if child.answers():
            raise LLMUnavailableError(f"port {self._settings.port} already answers; stop that server or set llm.port")
        self._exit_text = None
        try:
            child.start(self._settings.startup_timeout_seconds)
        except ChildStartError as exc:
            raise LLMUnavailableError(f"{exc} ({model_file})") from None
        self._child = child
        self.build = variant.name
        logger.info("model server on port %d: %s llama.cpp build (%s)", self._settings.port, variant.name, variant.description)
        if self._state is not None and child.pid is not None:
            self._state.started(pid=child.pid, port=self._settings.port, log=self._log_path, build=variant.name)

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    def failure(self) -> str | None:
        """How the server ended when it exited by itself (None while it runs, or after stop())."""
        if self._exit_text is None and self._child is not None and not self._child.running:
            return "the model server exited"  # the watcher is about to record how
        return self._exit_text

    def smoke_test(self) -> None:
        """One tiny completion: a build that faults on this CPU passes start-up (listing models
        needs no matrix multiply) and dies here, named, instead of on a customer's first turn."""
        try:
            response = httpx.post(
                f"{self.base_url}/chat/completions",
                json={"model": self._settings.served_model_name, "max_tokens": 2, "temperature": 0,
                      "messages": [{"role": "user", "content": "Say OK."}]},
                timeout=self._settings.timeout_seconds,
            )  # fmt: skip
            response.raise_for_status()
        except httpx.HTTPError as exc:
            failure = self._wait_for_failure()
            if failure is not None:
                raise LLMUnavailableError(f"{failure}. {REBUILD_LINE}" if self._crashed() else failure) from None
            raise LLMUnavailableError(f"the model server failed its first completion: {exc}") from None

    def _wait_for_failure(self, seconds: float = 2.0) -> str | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._exit_text is not None:
                return self._exit_text
            time.sleep(0.05)
        return self.failure()

    def _crashed(self) -> bool:
        return self._child is not None and self._child.returncode in CRASH_SIGNALS

    def _exited(self, returncode: int) -> None:
        """The server exited without being asked to: record it where every reader looks, and log it."""
        text = f"the model server exited ({describe_exit(returncode)})"
        if self._state is not None:
            text = self._state.exited(returncode)
        self._exit_text = text
        logger.error("%s", text)

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None
        if self._state is not None and self._exit_text is None:
            self._state.stopped()  # a crash stays on record for doctor; a stop on purpose leaves nothing

    def __enter__(self) -> LocalLLMServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
