"""The llama-cpp-python builds: their instruction sets and flags, where each lives, and which one runs here.

llama-cpp-python ships only as source, and its default build is `-march=native`:
it compiles for the CPU of the machine that builds it. Where that CPU reports
AMX (an Intel Xeon under KVM), ggml's AMX kernels are compiled in and the first
matrix multiply kills the model server with a general-protection fault; on
another machine a native build may hold AVX-512 forms that a third one lacks.
So there are two builds with fixed instruction-set flags, like ggml's own runtime
dispatch but per process (llama-cpp-python 0.3.36 neither installs ggml's
per-CPU backend modules nor loads them):

* `avx2`  — x86-64-v3, the package's own `llama_cpp/lib`: runs everywhere here;
* `avx512` — plus AVX-512 (F/CD/BW/DQ/VL) and VNNI, in `<venv>/share/llama-cpp/avx512`:
  ~2x faster prompt reading where the CPU has them (bench/llm_bench.py, README).

The model server is started with the fastest build whose features the *running*
CPU reports (`LLAMA_CPP_LIB_PATH`); no build has AMX. Stdlib only: the model
server imports this at run time. Building and checking the builds is
`portable_build` (its command line) and `instruction_scan`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

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


def package_lib_dir() -> Path:
    """`llama_cpp/lib` of the installed package, found without loading it."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        raise BuildCheckError("llama-cpp-python is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "lib"


def lib_dir(variant: Variant) -> Path:
    """Where a variant's libraries live: the package's own folder for the base, the venv's share/ for the others."""
    return package_lib_dir() if variant is BASE else Path(sys.prefix) / "share" / "llama-cpp" / variant.name


def built_version(variant: Variant) -> str | None:
    """The llama-cpp-python version a variant was built from: the installed package's, or its stamp's."""
    if variant is BASE:
        try:
            return importlib.metadata.version("llama-cpp-python")
        except importlib.metadata.PackageNotFoundError:
            return None
    stamp = lib_dir(variant) / STAMP
    return str(json.loads(stamp.read_text())["version"]) if stamp.is_file() else None


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
