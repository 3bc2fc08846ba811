"""The proof that a build is portable: every instruction of its shared libraries, read and named.

iced-x86 names each instruction's CPUID features and pyelftools finds the code;
an instruction outside the build's set (or any AMX one) is reported with an
example, so a native build or a wheel from pip's cache is caught before it
crashes another machine.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.components.llm.cpu_builds import AMX_FEATURES, BASE, BuildCheckError, Variant


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
