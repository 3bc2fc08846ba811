"""The embedded LLM: llama-cpp-python's OpenAI-compatible server on loopback.

Started as a child process with the flags measured to work on a small CPU
machine (OFFLINE_MODELS.md): logits kept only for the last token, one thread
when other work shares the cores, and no interruption of a running stream by
the next request. The application never talks to it except over the OpenAI
protocol, exactly as it would talk to vLLM or OpenAI.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.components.child_process import ChildProcess, ChildStartError
from assistant.components.llm.model_files import PACKAGED_MODELS, verify
from assistant.errors import LLMUnavailableError, ModelFileError
from assistant.settings import LLMSettings


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
    """Owns the model server process: start, wait until it answers, stop."""

    def __init__(self, settings: LLMSettings, log_path: Path | None = None) -> None:
        self._settings = settings
        self._log_path = log_path
        self._child: ChildProcess | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self._settings.host}:{self._settings.port}/v1"

    def start(self) -> None:
        """Verify the model file, start the server and block until it serves."""
        model_file = local_model_file(self._settings)  # refuses a bad file before anything runs
        child = ChildProcess(
            "model server", server_command(self._settings, model_file), f"{self.base_url}/models", log_path=self._log_path
        )
        if child.answers():
            raise LLMUnavailableError(f"port {self._settings.port} already answers; stop that server or set llm.port")
        try:
            child.start(self._settings.startup_timeout_seconds)
        except ChildStartError as exc:
            raise LLMUnavailableError(f"{exc} ({model_file})") from None
        self._child = child

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None

    def __enter__(self) -> LocalLLMServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
