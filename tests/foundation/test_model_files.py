"""A corrupted or truncated model file is refused, and nothing is served from it."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from assistant.components.llm.local_server import LocalLLMServer
from assistant.components.llm.model_files import PACKAGED_MODELS, sha256_of, verify
from assistant.errors import ModelFileError
from tests.conftest import TEST_MODEL, free_port


def _server_for(models_dir: Path, make_settings) -> LocalLLMServer:  # type: ignore[no-untyped-def]
    settings = make_settings(llm={"models_dir": models_dir, "port": free_port()})
    return LocalLLMServer(settings.llm)


def _assert_nothing_served(server: LocalLLMServer) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/models", timeout=1.0)


def test_truncated_model_is_refused_naming_both_checksums(test_model_file: Path, tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    spec = PACKAGED_MODELS[TEST_MODEL]
    truncated = tmp_path / "models" / spec.file_name
    truncated.parent.mkdir()
    with test_model_file.open("rb") as source, truncated.open("wb") as target:
        target.write(source.read(4 * 1024 * 1024))
    actual = sha256_of(truncated)

    server = _server_for(truncated.parent, make_settings)
    with pytest.raises(ModelFileError) as caught:
        server.start()
    assert spec.sha256 in caught.value.message
    assert actual in caught.value.message
    _assert_nothing_served(server)


def test_corrupted_byte_is_refused_even_after_an_earlier_verification(test_model_file: Path, tmp_path: Path) -> None:
    spec = PACKAGED_MODELS[TEST_MODEL]
    copy = tmp_path / spec.file_name
    shutil.copyfile(test_model_file, copy)
    verify(copy, spec.sha256)  # leaves a stamp: the file was good
    with copy.open("r+b") as handle:
        handle.seek(123_456)
        byte = handle.read(1)
        handle.seek(123_456)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelFileError, match=f"expected {spec.sha256}"):
        verify(copy, spec.sha256)


def test_missing_model_says_how_to_prepare_it(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    server = _server_for(tmp_path / "empty", make_settings)
    with pytest.raises(ModelFileError, match="assistant models prepare"):
        server.start()
