"""Run the commerce service as a child process on loopback (tests, benchmarks, a local `serve`).

The child is the real service — ``python -m commerce.cli serve`` — reading its
key from the environment like any deployment; this only starts it, waits until
``/health`` answers, and stops it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx


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
        self._process: subprocess.Popen[bytes] | None = None
        self._log: object = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout_seconds: float = 60.0) -> CommerceProcess:
        env = {
            **os.environ,
            "ASSISTANT_COMMERCE__API_KEY": self.api_key,
            "ASSISTANT_COMMERCE__DATABASE_URL": self.database_url,
            "ASSISTANT_COMMERCE__BASE_URL": self.base_url,
        }
        command = [
            sys.executable,
            "-m",
            "commerce.cli",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            "--seed",
            self.seed,
        ]
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - closed in stop()
        self._log = log
        self._process = subprocess.Popen(command, env=env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the commerce service exited with {self._process.returncode} (log: {self.log_path})")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the commerce service did not start within {timeout_seconds:g} s (log: {self.log_path})")

    def stop(self) -> None:
        if hasattr(self._log, "close"):
            self._log.close()  # type: ignore[attr-defined]
        self._log = None
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> CommerceProcess:
        return self.start()

    def __exit__(self, *_exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.stop()
