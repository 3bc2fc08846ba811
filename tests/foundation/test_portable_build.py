"""The installed llama.cpp build runs on every machine of our kind, whatever CPU built it.

The machine that runs these tests may not report AMX, so a native build would
pass every model test here and still crash elsewhere. Instead the built
libraries are read instruction by instruction (iced-x86): none may need a CPUID
feature outside the chosen set. The checker itself is proved on a library
compiled here with AMX and AVX-512 instructions in it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.components.llm import cpu_builds, instruction_scan, portable_build
from assistant.components.llm.local_server import LocalLLMServer
from tests.conftest import REPO


def test_every_installed_build_holds_no_instruction_outside_its_set_and_no_amx() -> None:
    reports = portable_build.check_installed()  # raises, naming every foreign feature, on a native build
    by_target: dict[str, list[instruction_scan.ScanReport]] = {}
    for report in reports:
        by_target.setdefault(report.target, []).append(report)
    assert set(by_target) == {variant.description for variant in cpu_builds.VARIANTS}
    for target, found in by_target.items():
        cpu = [report for report in found if report.path.name.startswith("libggml-cpu")]
        assert cpu and cpu[0].instructions > 100_000, target  # the real kernels were read, not an empty section
    assert all(report.ok for report in reports), [report.summary() for report in reports]


def test_the_model_server_loads_the_build_this_cpu_runs_best(local_llm: LocalLLMServer) -> None:
    """Read from the running process itself: which libggml-cpu it mapped, and from where."""
    expected = cpu_builds.choose_variant(cpu_builds.cpu_flags())
    assert local_llm.pid is not None and local_llm.build == expected.name
    maps = Path(f"/proc/{local_llm.pid}/maps").read_text()
    loaded = {line.split()[-1] for line in maps.splitlines() if "libggml-cpu" in line}
    assert loaded and all(Path(path).parent == cpu_builds.lib_dir(expected) for path in loaded), loaded


@pytest.mark.parametrize(
    ("flags", "chosen"),
    [
        ("avx avx2 fma f16c bmi2 sse4_2 avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni amx_tile amx_int8", "avx512"),
        ("avx avx2 fma f16c bmi2 sse4_2 avx512f avx512cd avx512bw avx512dq avx512vl", "avx2"),  # no VNNI: Skylake-SP
        ("avx avx2 fma f16c bmi2 sse4_2", "avx2"),  # AMD Zen 3
    ],
)
def test_the_build_is_chosen_by_the_running_cpu(flags: str, chosen: str) -> None:
    assert cpu_builds.choose_variant(frozenset(flags.split())).name == chosen


def test_a_cpu_without_avx2_or_a_build_it_lacks_is_refused_with_what_is_missing() -> None:
    with pytest.raises(cpu_builds.BuildCheckError, match="lacks avx2"):
        cpu_builds.choose_variant(frozenset(["avx", "fma", "f16c", "bmi2", "sse4_2"]))
    with pytest.raises(cpu_builds.BuildCheckError, match="cannot run the avx512 build: it lacks avx512_vnni"):
        no_vnni = "avx avx2 fma f16c bmi2 sse4_2 avx512f avx512cd avx512bw avx512dq avx512vl"
        cpu_builds.choose_variant(frozenset(no_vnni.split()), "avx512")


AMX_AND_AVX512 = """
#include <immintrin.h>
void load_tiles(const void *config) { _tile_loadconfig(config); _tile_release(); }
__m512 add16(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
__m256 add8(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
"""


def test_the_check_finds_amx_and_avx512_instructions(tmp_path: Path) -> None:
    compiler = shutil.which("gcc") or shutil.which("cc")
    assert compiler, "gcc builds llama-cpp-python here, so it is installed"
    source = tmp_path / "foreign.c"
    source.write_text(AMX_AND_AVX512)
    library = tmp_path / "libforeign.so"
    flags = ["-O2", "-shared", "-fPIC", "-mamx-tile", "-mavx512f", "-mavx2"]
    subprocess.run([compiler, *flags, str(source), "-o", str(library)], check=True)
    report = instruction_scan.scan_library(library, cpu_builds.AVX2)
    assert not report.ok
    assert report.forbidden["AMX_TILE"] >= 1 and "ldtilecfg" in report.examples["AMX_TILE"]
    assert report.forbidden["AVX512F"] >= 1 and "zmm" in report.examples["AVX512F"]
    assert "AVX2" not in report.forbidden  # within x86-64-v3: allowed
    assert "ldtilecfg" in report.summary() and cpu_builds.AVX2.description in report.summary()
    # AVX-512 is the avx512 build's own; AMX is no build's.
    assert set(instruction_scan.scan_library(library, cpu_builds.AVX512).forbidden) == {"AMX_TILE"}


@pytest.mark.parametrize("variant", cpu_builds.VARIANTS, ids=lambda v: v.name)
def test_the_flags_name_every_instruction_set_option_and_exclude_native_and_amx(variant: cpu_builds.Variant) -> None:
    flags = dict(re.fullmatch(r"-D(\w+)=(ON|OFF)", flag).groups() for flag in variant.cmake_args)  # type: ignore[union-attr]
    assert flags["GGML_NATIVE"] == "OFF"
    assert all(flags[name] == "OFF" for name in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"))
    # Every option ggml's x86 CPU backend reads is set explicitly, so no default can switch one back on.
    ggml_x86 = {"SSE42", "AVX", "AVX2", "BMI2", "AVX_VNNI", "FMA", "F16C", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"}
    assert {f"GGML_{name}" for name in ggml_x86} <= set(flags)


def test_every_install_path_builds_through_the_portable_build() -> None:
    """The quickstart and the Dockerfile install llama-cpp-python only after `portable_build ensure`."""
    for path in (REPO / "scripts" / "quickstart.sh", REPO / "Dockerfile"):
        text = path.read_text()
        ensure = text.find("assistant.components.llm.portable_build ensure")
        assert ensure != -1, f"{path.name} does not build llama-cpp-python through portable_build"
        assert ensure < text.find("local,"), f"{path.name} installs the `local` extra before the portable build"
    assert "portable_build ensure" in (REPO / "README.md").read_text()


@pytest.mark.parametrize("action", ["check", "cmake-args"])
def test_the_command_line(action: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant.components.llm.portable_build", action], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "-DGGML_NATIVE=OFF" in done.stdout
