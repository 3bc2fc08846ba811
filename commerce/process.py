"""Run the commerce service as a child process on loopback (tests, benchmarks, a local `serve`).

The child is the real service — ``python -m commerce.cli serve`` — reading its
key from the environment like any deployment; this only starts it, waits until
``/health`` answers, and stops it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

from assistant.components.child_process import ChildProcess


class CommerceProcess:
    def __init__(
        self,
        *,
        database_url: str,
        port: int,
        api_key: str = "dev-commerce-key",
        host: str = "127.0.0.1",
        seed: str = "none",
        log_path: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.host, self.port = host, port
        self.api_key = api_key
        self.seed = seed
        self.log_path = log_path
        self.cwd = cwd
        self._child: ChildProcess | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    def start(self, timeout_seconds: float = 60.0) -> CommerceProcess:
        env = {**os.environ, "COMMERCE_SERVICE_API_KEY": self.api_key}
        command = [sys.executable, "-m", "commerce.cli", "serve", "--host", self.host, "--port", str(self.port),
                   "--database-url", self.database_url, "--seed", self.seed]  # fmt: skip
        child = ChildProcess(
            "commerce service", command, f"{self.base_url}/health", env=env, cwd=self.cwd, log_path=self.log_path
        )
        child.start(timeout_seconds)
        self._child = child
        return self

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None

    def __enter__(self) -> CommerceProcess:
        return self.start()

    def __exit__(self, *_exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()
