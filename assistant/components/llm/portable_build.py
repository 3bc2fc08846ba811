"""Builds llama-cpp-python for every x86-64 machine of our kind, and checks the builds: the command line.

The project builds with fixed instruction-set flags (`cpu_builds`), never from
pip's wheel cache (a wheel cached on another machine may be native), and checks
the built libraries instruction by instruction (`instruction_scan`). From the
repository, before or after the project is installed (stdlib only, plus iced-x86
and pyelftools for the check):

    python -m assistant.components.llm.portable_build ensure   # check; build what is missing or wrong
    python -m assistant.components.llm.portable_build check    # check only (exit 1 on a bad build)
    python -m assistant.components.llm.portable_build cmake-args [VARIANT]
    python -m assistant.components.llm.portable_build which    # the build this CPU runs
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from assistant.components.llm.cpu_builds import (
    BASE,
    BUILD_ORDER,
    STAMP,
    VARIANTS,
    BuildCheckError,
    Variant,
    built_version,
    choose_variant,
    cpu_flags,
    lib_dir,
    server_environment,
)
from assistant.components.llm.instruction_scan import ScanReport, libraries, scan_library

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def pinned_version() -> str:
    """The llama-cpp-python version the project's `local` extra pins (pyproject.toml is the one home)."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["local"]
    for requirement in extras:
        match = re.fullmatch(r"llama-cpp-python(?:\[[^\]]*\])?==([\w.]+)", requirement)
        if match:
            return match.group(1)
    raise BuildCheckError(f"{PYPROJECT} pins no llama-cpp-python version in the `local` extra")


def check_variant(variant: Variant) -> list[ScanReport]:
    """Raise BuildCheckError unless the variant is built, of the pinned version, and within its set."""
    version = built_version(variant)
    if version is None:
        raise BuildCheckError("llama-cpp-python is not installed" if variant is BASE else f"the {variant.name} build is missing")
    folder = lib_dir(variant)
    if version != pinned_version():
        raise BuildCheckError(f"the {variant.name} build is llama-cpp-python {version}; the project pins {pinned_version()}")
    reports = [scan_library(path, variant) for path in libraries(folder)]
    bad = [report for report in reports if not report.ok]
    if bad:
        raise BuildCheckError(
            f"the {variant.name} build of llama-cpp-python holds instructions outside {variant.description} "
            "(a native build, or a wheel from pip's cache): " + "; ".join(report.summary() for report in bad)
        )
    return reports


def check_installed() -> list[ScanReport]:
    """Every variant: built, pinned, within its instruction set (the base first)."""
    return [report for variant in BUILD_ORDER for report in check_variant(variant)]


def describe_installed() -> str:
    """One line for people: the builds are sound, and which one this CPU runs (raises BuildCheckError)."""
    check_installed()
    chosen = choose_variant(cpu_flags())
    names = ", ".join(variant.name for variant in VARIANTS)
    return f"{names} built, each within its instruction set, no AMX; this CPU runs {chosen.name} ({chosen.description})"


def _pip_build_env(variant: Variant) -> dict[str, str]:
    env = {**os.environ, "CMAKE_ARGS": " ".join(variant.cmake_args), "FORCE_CMAKE": "1"}
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    return env


def build_base() -> None:
    """Install the pinned version built from source with the base flags, bypassing pip's wheel cache."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet",
        "--no-cache-dir",  # a wheel pip cached on this or another machine may be a native build
        "--no-binary", "llama-cpp-python", "--force-reinstall", "--no-deps",
        f"llama-cpp-python=={pinned_version()}",
    ]  # fmt: skip
    subprocess.run(command, env=_pip_build_env(BASE), check=True)


def build_variant(variant: Variant) -> None:
    """Build a wheel with the variant's flags and keep only its native libraries, stamped, in lib_dir(variant)."""
    with tempfile.TemporaryDirectory() as work:
        command = [
            sys.executable, "-m", "pip", "wheel", "--quiet", "--no-cache-dir", "--no-binary", "llama-cpp-python",
            "--no-deps", "-w", work, f"llama-cpp-python=={pinned_version()}",
        ]  # fmt: skip
        subprocess.run(command, env=_pip_build_env(variant), check=True)
        wheel = next(Path(work).glob("llama_cpp_python-*.whl"))
        target = lib_dir(variant)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith("llama_cpp/lib/") and not member.endswith("/"):
                    (target / Path(member).name).write_bytes(archive.read(member))
        (target / STAMP).write_text(json.dumps({"version": pinned_version(), "cmake_args": list(variant.cmake_args)}, indent=1))


def ensure(force: bool = False) -> list[ScanReport]:
    """Check each build; build what is missing, stale or foreign, and check it again (raises if it still fails)."""
    reports = []
    for variant in BUILD_ORDER:
        try:
            if force:
                raise BuildCheckError("a rebuild was asked for")
            reports += check_variant(variant)
            print(f"llama-cpp-python {pinned_version()} {variant.name}: built, within {variant.description}")
        except BuildCheckError as exc:
            print(f"building llama-cpp-python {pinned_version()} for {variant.description} ({exc}); ~5 minutes", flush=True)
            if variant is BASE:
                build_base()
            else:
                build_variant(variant)
            reports += check_variant(variant)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The portable llama-cpp-python builds: flags, check, install.")
    parser.add_argument("action", choices=("ensure", "check", "cmake-args", "which"))
    parser.add_argument("variant", nargs="?", default=BASE.name, choices=[v.name for v in VARIANTS])
    parser.add_argument("--force", action="store_true", help="ensure: rebuild even when the installed builds pass")
    args = parser.parse_args(argv)
    if args.action == "cmake-args":
        print(" ".join(next(v for v in VARIANTS if v.name == args.variant).cmake_args))
        return 0
    try:
        if args.action == "which":
            chosen, env = server_environment()
            print(f"{chosen.name}: {chosen.description} {env or ''}".strip())
            return 0
        reports = ensure(args.force) if args.action == "ensure" else check_installed()
    except BuildCheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for report in reports:
        print(report.summary())
    for variant in VARIANTS:
        print(f"{variant.name} flags: {' '.join(variant.cmake_args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
