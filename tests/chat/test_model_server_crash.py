"""A model server that crashes mid-conversation is named as crashed — not "cannot be reached" — everywhere.

The embedded server is killed with SIGSEGV, as the AMX fault killed it on a
machine whose CPU the build did not suit. /health, `assistant doctor` (another
process) and the next recorded turn all say how it ended, with its log's last lines.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.components.llm import server_state
from assistant.components.llm.local_server import LocalLLMServer
from assistant.components.llm.server_state import ServerStateFile
from assistant.errors import LLMUnavailableError
from assistant.settings import Settings
from tests.chat.conftest import app_client, chat_overrides, failure_causes, new_conversation, say
from tests.commerce.service import RunningCommerce
from tests.conftest import free_port

CRASH = "the model server exited (signal 11, SIGSEGV: Segmentation fault)"


@pytest.fixture
def own_settings(
    make_settings: Callable[..., Settings],
    test_model_file: Path,
    knowledge_dir: Path,
    retail_service: RunningCommerce,
    understanding_model_file: Path,
) -> Settings:
    """The chat settings, with a model server of the test's own (the session's one must survive)."""
    retail_service.reset()
    return make_settings(**chat_overrides(knowledge_dir, retail_service, understanding_model_file, free_port()))


@pytest.fixture
def own_server(own_settings: Settings) -> Iterator[LocalLLMServer]:
    """Started as `assistant serve` starts it: log and state in the data folder."""
    data = own_settings.data_dir
    server = LocalLLMServer(own_settings.llm, log_path=server_state.log_path(data), state_path=server_state.state_path(data))
    server.start()
    yield server
    server.stop()


def _crash(server: LocalLLMServer) -> None:
    assert server.pid is not None
    os.kill(server.pid, signal.SIGSEGV)
    deadline = time.monotonic() + 10
    while server.failure() is None or not server.failure().startswith(CRASH):  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the crash was not recorded"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.asyncio(loop_scope="session")
async def test_health_doctor_and_the_turn_name_the_crash(own_settings: Settings, own_server: LocalLLMServer) -> None:
    async with app_client(own_settings) as http:
        conversation = await new_conversation(http)
        before = await say(http, conversation, "What is your return policy?")
        assert before["status"] == "ok", before  # the model answered while it ran
        assert (await http.get("/health")).json()["parts"][0]["status"] == "ok"

        _crash(own_server)

        health = await http.get("/health")
        llm = next(part for part in health.json()["parts"] if part["name"] == "llm")
        assert health.status_code == 503 and llm["status"] == "error"
        assert llm["detail"].startswith(CRASH) and "last lines of" in llm["detail"], llm
        assert "cannot be reached" not in llm["detail"]

        after = await say(http, conversation, "I would like the shirt in blue instead")  # the model must route it
        assert after["status"] == "failed" and after["handoff_offered"] is True
    causes = failure_causes(own_settings)
    assert len(causes) == 1 and causes[0].startswith(f"llm_unavailable: {CRASH}"), causes

    doctor = _doctor(own_settings)
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "SIGSEGV" in doctor.stdout and "exited" in doctor.stdout and "Traceback" not in doctor.stdout + doctor.stderr
    assert "llama.cpp build: portable" in doctor.stdout


def _doctor(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COLUMNS": "400",  # rich wraps table cells at 80 columns when not on a terminal
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_LLM__PORT": str(settings.llm.port),
        "ASSISTANT_LLM__LOCAL_MODEL": settings.llm.local_model,
        "ASSISTANT_LLM__MODELS_DIR": str(settings.llm.models_dir),
        "ASSISTANT_VECTOR_STORE__PATH": str(settings.vector_store.path),
        "ASSISTANT_DATABASE__URL": settings.database.url,
        "ASSISTANT_SHOPS__RETAIL__COMMERCE__BASE_URL": settings.shops["retail"].commerce.base_url,
    }
    command = [sys.executable, "-m", "assistant.cli", "doctor"]
    return subprocess.run(command, cwd=settings.data_dir, env=env, capture_output=True, text=True, timeout=300)


def test_a_server_that_dies_before_its_first_completion_names_the_fix(own_settings: Settings, own_server: LocalLLMServer) -> None:
    """What `assistant serve` and `models prepare` print when the build faults on this CPU (SIGILL here)."""
    assert own_server.pid is not None
    os.kill(own_server.pid, signal.SIGILL)
    with pytest.raises(LLMUnavailableError) as failed:
        own_server.smoke_test()
    message = failed.value.message
    assert message.startswith("the model server exited (signal 4, SIGILL: Illegal instruction)"), message
    assert "portable_build ensure --force" in message and "-DGGML_NATIVE=OFF" in message


def test_a_stop_on_purpose_leaves_no_crash_on_record(own_settings: Settings, own_server: LocalLLMServer) -> None:
    state = ServerStateFile(server_state.state_path(own_settings.data_dir))
    assert state.failure() is None  # running
    own_server.stop()
    assert state.failure() is None and not state.path.exists()


def test_an_owner_that_died_with_its_server_is_reported_as_not_running(tmp_path: Path) -> None:
    """`assistant serve` killed with SIGKILL leaves a record of a pid that no longer exists."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    state = ServerStateFile(tmp_path / "llm-server.json")
    log = tmp_path / "llm-server.log"
    log.write_text("llama_model_loader: loaded meta data\nINFO:     Uvicorn running on http://127.0.0.1:8765\n")
    state.started(pid=gone.pid, port=8765, log=log)
    failure = state.failure(settle_seconds=0.1)
    assert failure is not None and failure.startswith(f"the model server is not running (pid {gone.pid})")
    assert "Uvicorn running" in failure
