"""The embedded LLM: llama-cpp-python's OpenAI-compatible server on loopback.

Started as a child process with the flags measured to work on a small CPU
machine (OFFLINE_MODELS.md): logits kept only for the last token, one thread
when other work shares the cores, and no interruption of a running stream by
the next request. The application never talks to it except over the OpenAI
protocol, exactly as it would talk to vLLM or OpenAI.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

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
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self._settings.host}:{self._settings.port}/v1"

    def start(self) -> None:
        """Verify the model file, start the server and block until it serves."""
        model_file = local_model_file(self._settings)  # refuses a bad file before anything runs
        if self._answers():
            raise LLMUnavailableError(
                f"port {self._settings.port} already answers; stop that server or set llm.port"
            )
        log = self._log_path.open("ab") if self._log_path else subprocess.DEVNULL
        self._process = subprocess.Popen(
            server_command(self._settings, model_file), stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + self._settings.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LLMUnavailableError(
                    f"the model server exited with code {self._process.returncode} while loading {model_file}"
                    + (f"; see {self._log_path}" if self._log_path else "")
                )
            if self._answers():
                return
            time.sleep(0.25)
        self.stop()
        raise LLMUnavailableError(
            f"the model server did not answer within {self._settings.startup_timeout_seconds:.0f} s"
        )

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/models", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def __enter__(self) -> LocalLLMServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
