"""llama-cpp-python builds that run on every x86-64 machine of our kind, chosen at run time, and the proof.

llama-cpp-python ships only as source, and its default build is `-march=native`:
it compiles for the CPU of the machine that builds it. Where that CPU reports
AMX (an Intel Xeon under KVM), ggml's AMX kernels are compiled in and the first
matrix multiply kills the model server with a general-protection fault; on
another machine a native build may hold AVX-512 forms that a third one lacks.

So the project builds with fixed instruction-set flags, never from pip's wheel
cache (a wheel cached on another machine may be native), and checks the built
libraries instruction by instruction. Two builds, like ggml's own runtime
dispatch but per process (llama-cpp-python 0.3.36 neither installs ggml's
per-CPU backend modules nor loads them):

* `avx2`  — x86-64-v3, the package's own `llama_cpp/lib`: runs everywhere here;
* `avx512` — plus AVX-512 (F/CD/BW/DQ/VL) and VNNI, in `<venv>/share/llama-cpp/avx512`:
  ~2x faster prompt reading where the CPU has them (bench/llm_bench.py, README).

The model server is started with the fastest build whose features the *running*
CPU reports (`LLAMA_CPP_LIB_PATH`); no build has AMX. From the repository,
before or after the project is installed (stdlib only, plus iced-x86 and
pyelftools for the check):

    python -m assistant.components.llm.portable_build ensure   # check; build what is missing or wrong
    python -m assistant.components.llm.portable_build check    # check only (exit 1 on a bad build)
    python -m assistant.components.llm.portable_build cmake-args [VARIANT]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"

# Every x86 option ggml's CPU backend reads is named, so none of its defaults can switch one back on.
_X86_OPTIONS = (
    "SSE42", "AVX", "AVX2", "BMI2", "FMA", "F16C", "AVX_VNNI",
    "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AMX_TILE", "AMX_INT8", "AMX_BF16",
)  # fmt: skip

# CPUID features (iced-x86's names) of x86-64-v3. Hint instructions that older CPUs run as NOPs
# (endbr64) and the probes ggml runs before choosing kernels (cpuid, xgetbv) are in too.
_V3_FEATURES = frozenset(
    {
        "INTEL8086", "INTEL186", "INTEL286", "INTEL386", "INTEL486", "X64", "CPUID", "CMOV", "CX8",
        "FPU", "FPU287", "FPU387", "FXSR", "MMX", "SSE", "SSE2", "SYSCALL", "MULTIBYTENOP", "PAUSE", "TSC",
        "CLFSH", "CET_IBT", "PREFETCHW",
        "CMPXCHG16B", "SSE3", "SSSE3", "SSE4_1", "SSE4_2", "POPCNT",
        "AVX", "AVX2", "FMA", "F16C", "BMI1", "BMI2", "LZCNT", "MOVBE", "XSAVE",
    }
)  # fmt: skip
_V3_CPU_FLAGS = frozenset({"avx", "avx2", "fma", "f16c", "bmi2", "sse4_2"})


@dataclass(frozen=True)
class Variant:
    """One build: the ggml options it turns on, the CPU flags it needs, the instructions it may hold."""

    name: str
    description: str
    options: frozenset[str]  # ggml x86 options set ON (every other one OFF)
    cpu_flags: frozenset[str]  # /proc/cpuinfo flags a CPU needs to run it
    allowed: frozenset[str]  # iced-x86 CPUID features its libraries may hold

    @property
    def cmake_args(self) -> tuple[str, ...]:
        return ("-DGGML_NATIVE=OFF", *(f"-DGGML_{o}={'ON' if o in self.options else 'OFF'}" for o in _X86_OPTIONS))


AVX2 = Variant(
    "avx2",
    "x86-64-v3 (AVX2, FMA, F16C, BMI2)",
    frozenset({"SSE42", "AVX", "AVX2", "BMI2", "FMA", "F16C"}),
    _V3_CPU_FLAGS,
    _V3_FEATURES,
)
AVX512 = Variant(
    "avx512",
    "x86-64-v3 + AVX-512 (F, CD, BW, DQ, VL) + AVX512-VNNI",
    AVX2.options | {"AVX512", "AVX512_VNNI"},
    _V3_CPU_FLAGS | {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni"},
    _V3_FEATURES | {"AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL", "AVX512_VNNI"},
)
VARIANTS = (AVX512, AVX2)  # fastest first; AVX2 is the package's own build and the fallback
BASE = AVX2
BUILD_ORDER = (BASE, *(v for v in VARIANTS if v is not BASE))  # the package itself first: the others need it
AMX_FEATURES = frozenset({"AMX_TILE", "AMX_INT8", "AMX_BF16", "AMX_FP16", "AMX_COMPLEX"})

REBUILD_LINE = (
    "llama-cpp-python must be built for this kind of machine, not for one CPU: rebuild it with "
    "`python -m assistant.components.llm.portable_build ensure --force` "
    f'(CMAKE_ARGS="{" ".join(BASE.cmake_args)}")'
)
STAMP = "build.json"


class BuildCheckError(RuntimeError):
    """A build is missing, of another version, or holds instructions outside its instruction set."""


@dataclass
class ScanReport:
    """What one shared library holds: instructions counted per CPUID feature outside the allowed set."""

    path: Path
    target: str
    instructions: int = 0
    forbidden: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.forbidden

    def summary(self) -> str:
        if self.ok:
            return f"{self.path.name}: {self.instructions} instructions, all within {self.target}"
        found = ", ".join(f"{name} ×{count} (e.g. `{self.examples[name]}`)" for name, count in self.forbidden.most_common())
        return f"{self.path.name}: outside {self.target}: {found}"


def scan_library(path: Path, variant: Variant = BASE) -> ScanReport:
    """Decode every executable section of an ELF file and report instructions outside the variant's set.

    iced-x86 names each instruction's CPUID features; pyelftools finds the code.
    A linear sweep is exact for compiler output: gcc puts no data in .text.
    """
    from elftools.elf.constants import SH_FLAGS
    from elftools.elf.elffile import ELFFile
    from iced_x86 import CpuidFeature, Decoder, Formatter, FormatterSyntax

    names = {value: name for name, value in vars(CpuidFeature).items() if not name.startswith("_") and isinstance(value, int)}
    formatter = Formatter(FormatterSyntax.GAS)
    report = ScanReport(path=path, target=variant.description)
    with path.open("rb") as handle:
        elf = ELFFile(handle)
        if elf["e_machine"] != "EM_X86_64":
            raise BuildCheckError(f"{path} is not an x86-64 library ({elf['e_machine']})")
        for section in elf.iter_sections():
            if not section["sh_flags"] & SH_FLAGS.SHF_EXECINSTR or section["sh_type"] != "SHT_PROGBITS":
                continue
            for instruction in Decoder(64, section.data(), ip=section["sh_addr"]):
                report.instructions += 1
                for feature in instruction.cpuid_features():
                    name = names.get(feature, str(feature))
                    if name not in variant.allowed or name in AMX_FEATURES:
                        report.forbidden[name] += 1
                        report.examples.setdefault(name, formatter.format(instruction))
    return report


def pinned_version() -> str:
    """The llama-cpp-python version the project's `local` extra pins (pyproject.toml is the one home)."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]["local"]
    for requirement in extras:
        match = re.fullmatch(r"llama-cpp-python(?:\[[^\]]*\])?==([\w.]+)", requirement)
        if match:
            return match.group(1)
    raise BuildCheckError(f"{PYPROJECT} pins no llama-cpp-python version in the `local` extra")


def package_lib_dir() -> Path:
    """`llama_cpp/lib` of the installed package, found without loading it."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise BuildCheckError("llama-cpp-python is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def lib_dir(variant: Variant) -> Path:
    """Where a variant's libraries live: the package's own folder for the base, the venv's share/ for the others."""
    return package_lib_dir() if variant is BASE else Path(sys.prefix) / "share" / "llama-cpp" / variant.name


def libraries(folder: Path) -> list[Path]:
    """The folder's shared libraries; a wheel holds .so, .so.0 and .so.0.25.3 as copies of one file: each once."""
    unique: dict[str, Path] = {}
    for path in sorted(folder.glob("*.so*")):
        if path.is_file() and not path.is_symlink():
            unique.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    found = sorted(unique.values())
    if not any(p.name.startswith("libggml-cpu") for p in found):
        raise BuildCheckError(f"no ggml CPU library in {folder}")
    return found


def built_version(variant: Variant) -> str | None:
    """The llama-cpp-python version a variant was built from: the installed package's, or its stamp's."""
    if variant is BASE:
        try:
            return importlib.metadata.version("llama-cpp-python")
        except importlib.metadata.PackageNotFoundError:
            return None
    stamp = lib_dir(variant) / STAMP
    return str(json.loads(stamp.read_text())["version"]) if stamp.is_file() else None


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


def cpu_flags() -> frozenset[str]:
    """The running CPU's feature flags, as Linux reports them."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    line = next((line for line in info.splitlines() if line.startswith("flags")), "flags:")
    return frozenset(line.split(":", 1)[1].split())


def choose_variant(flags: frozenset[str], requested: str = "auto") -> Variant:
    """The fastest variant this CPU runs (or the one asked for, if it runs here)."""
    for variant in VARIANTS:
        if requested not in ("auto", variant.name):
            continue
        missing = variant.cpu_flags - flags
        if not missing:
            return variant
        if requested == variant.name:
            raise BuildCheckError(f"this CPU cannot run the {variant.name} build: it lacks {', '.join(sorted(missing))}")
    raise BuildCheckError(f"this CPU lacks {', '.join(sorted(BASE.cpu_flags - flags))}: no llama.cpp build here runs on it")


def server_environment(requested: str = "auto") -> tuple[Variant, dict[str, str]]:
    """The variant the model server should load here, and the environment that makes it load that one.

    A variant whose build is missing or stale is passed over for the next (the base always exists
    where llama_cpp imports); the check in `ensure` is what proves each build's instructions.
    """
    flags = cpu_flags()
    chosen = choose_variant(flags, requested)
    if chosen is not BASE and built_version(chosen) != built_version(BASE):
        if requested != "auto":
            raise BuildCheckError(
                f"the {chosen.name} build is missing or stale in {lib_dir(chosen)}: "
                "run `python -m assistant.components.llm.portable_build ensure`"
            )
        chosen = choose_variant(flags, BASE.name)
    if chosen is BASE:
        return chosen, {}
    folder = str(lib_dir(chosen))
    return chosen, {"LLAMA_CPP_LIB_PATH": folder, "MTMD_CPP_LIB": folder}


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
