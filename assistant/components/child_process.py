"""A local server run as a child process: start it, wait until it answers, stop it.

Used for the embedded model server and the reference commerce service, which
the CLI and the tests start on loopback.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import httpx


def _die_with_parent() -> None:
    """Ask Linux to send the child SIGTERM when its parent dies, even by SIGKILL: no orphaned servers."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def describe_exit(returncode: int) -> str:
    """`signal 11, SIGSEGV: Segmentation fault` for a killed process, `exit code 1` otherwise."""
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            return f"signal {number}"
        return f"signal {number}, {name}: {signal.strsignal(number)}"
    return f"exit code {returncode}"


class ChildStartError(RuntimeError):
    """The child exited, or did not answer its health URL in time; the message says which."""


class ChildProcess:
    def __init__(
        self,
        name: str,
        command: list[str],
        health_url: str,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        log_path: Path | None = None,
        on_exit: Callable[[int], None] | None = None,
    ) -> None:
        """`on_exit(returncode)` runs (in a watcher thread) when the child exits without being asked to."""
        self.name = name
        self._command = command
        self._health_url = health_url
        self._env = env
        self._cwd = cwd
        self._log_path = log_path
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._on_exit = on_exit
        self._stopping = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def answers(self) -> bool:
        try:
            return httpx.get(self._health_url, timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    def start(self, timeout_seconds: float) -> None:
        """Start the child and block until its health URL answers 200."""
        self._log = self._log_path.open("ab") if self._log_path else None
        self._process = subprocess.Popen(
            self._command,
            env=self._env,
            cwd=self._cwd,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads are started between fork and exec here
        )
        self._stopping = False
        if self._on_exit is not None:
            threading.Thread(target=self._watch, args=(self._process,), name=f"{self.name} watcher", daemon=True).start()
        where = f" (log: {self._log_path})" if self._log_path else ""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self.stop()
                raise ChildStartError(f"the {self.name} exited ({describe_exit(code)}) while starting{where}")
            if self.answers():
                return
            time.sleep(0.2)
        self.stop()
        raise ChildStartError(f"the {self.name} did not answer within {timeout_seconds:.0f} s{where}")

    def _watch(self, process: subprocess.Popen[bytes]) -> None:
        returncode = process.wait()
        if not self._stopping and self._on_exit is not None:
            self._on_exit(returncode)

    def stop(self) -> None:
        self._stopping = True
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
