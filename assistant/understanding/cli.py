"""`assistant understand ...`: train the understanding model, and try it on a message."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from assistant.components.embedding.embedder import Embedder

app = typer.Typer(help="Per-message language, intent and sentiment.", no_args_is_help=True)
console = Console()


@app.command("train")
def train(
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", help="Intent CSV(s) (text,intent); replaces understanding.intent_data. Repeatable."),
    ] = None,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Do nothing when the model file exists.")] = False,
) -> None:
    """Train the intent and sentiment heads on the CPU and write the model file the service loads."""
    from assistant.understanding.service import default_model_path, train_and_save

    settings = load_settings()
    path = default_model_path(settings)
    if if_missing and path.is_file():
        console.print(f"[green]ok[/] {path} exists (delete it or drop --if-missing to retrain)")
        return
    started = time.perf_counter()
    with console.status("embedding ~19,000 examples and fitting (EmbeddingGemma int8: ~13 min on 2 cores; USE ~3) …"):
        model = train_and_save(settings.understanding, _embedder(settings, training=True), path, intent_data=data)
    summary = ", ".join(
        f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in model.training_summary.items()
    )
    console.print(f"[green]ok[/] {path} in {time.perf_counter() - started:.0f}s ({summary})")


@app.command("analyse")
def analyse(text: Annotated[str, typer.Argument(help="A customer message.")]) -> None:
    """Print what the trained model understands of one message."""
    from assistant.understanding.service import MessageUnderstanding

    settings = load_settings()
    understanding = MessageUnderstanding.from_settings(settings, _embedder(settings))
    console.print_json(understanding.analyse(text).model_dump_json())


def _embedder(settings: Settings, *, training: bool = False) -> Embedder:
    """The heads' embedder (`understanding.embedding_model`), the one the service uses.

    Training embeds ~19,000 texts in one batch job before the service runs, so it takes every core: EmbeddingGemma
    int8 trained in 21 min on one thread (the serving setting, `embedding.threads`); two embed a batch 1.6x faster."""
    import os

    from assistant.components.embedding.embedder import build_embedder

    embedding = settings.understanding_embedding
    if training:
        embedding = embedding.model_copy(update={"threads": max(embedding.threads, os.cpu_count() or 1)})
    return build_embedder(embedding, settings.llm.models_dir)
