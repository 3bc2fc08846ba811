"""The real EmbeddingGemma-300M, from the folder `assistant models prepare` assembled: its prompts, its languages, its collection.

The test command prepares the model (scripts/quickstart.sh test); a machine that cannot (no PyPI) skips these
tests with the reason. Only this module loads the model (1.2 GB): the rest of the suite uses the light USE model.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.components.container import Components, build_components
from assistant.components.embedding.embedder import Embedder, build_embedder
from assistant.components.embedding.model_folder import assemble_folder, verify_folder
from assistant.components.embedding.packaged_folders import EMBEDDINGGEMMA_300M
from assistant.errors import EmbeddingModelMismatchError, ModelFileError
from assistant.retrieval.retriever import Retriever
from assistant.settings import EmbeddingSettings, Settings
from ingest.pipeline import IngestPipeline
from tests.conftest import MODELS_DIR, REPO
from tests.foundation.test_offline import _network_namespace_prefix

GEMMA = {"packaged_model": "embeddinggemma-300m"}


@pytest.fixture(scope="module")
def gemma_folder() -> Path:
    """The verified model folder; prepared here when the test command has not (skipped only if that fails)."""
    folder = MODELS_DIR / EMBEDDINGGEMMA_300M.name
    try:
        verify_folder(EMBEDDINGGEMMA_300M, folder)
    except ModelFileError:
        try:  # what `assistant models prepare --model embeddinggemma-300m` does (the test command runs it first)
            assemble_folder(EMBEDDINGGEMMA_300M, MODELS_DIR, MODELS_DIR / "parts" / EMBEDDINGGEMMA_300M.name)
        except ModelFileError as exc:
            pytest.skip(f"EmbeddingGemma-300M cannot be prepared on this machine: {exc.message}")
    return folder


@pytest.fixture(scope="module")
def gemma(gemma_folder: Path) -> Embedder:
    return build_embedder(EmbeddingSettings(**GEMMA), gemma_folder.parent)  # type: ignore[arg-type]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)  # rows are unit length


def test_queries_and_documents_go_through_their_own_prompts(gemma: Embedder) -> None:
    text = "How long does a refund take?"
    document, query = gemma.embed([text])[0], gemma.embed_queries([text])[0]
    assert gemma.model_id == "packaged:embeddinggemma-300m"
    assert document.shape == query.shape == (768,)
    assert np.isclose(np.linalg.norm(document), 1.0) and np.isclose(np.linalg.norm(query), 1.0)
    assert _cosine(document, query) < 0.98  # the same words under the query and the document prompt


def test_a_chinese_and_an_english_paraphrase_are_closer_than_an_unrelated_pair(gemma: Embedder) -> None:
    zh, en, unrelated = gemma.embed(["我的订单什么时候能到？", "When will my order arrive?", "How do I reset my password?"])
    assert _cosine(zh, en) > _cosine(en, unrelated) + 0.15
    assert _cosine(zh, en) > _cosine(zh, unrelated) + 0.15


def test_an_english_question_finds_the_chinese_document_that_answers_it(gemma: Embedder) -> None:
    returns, payment = "退货政策：收到商品后30天内可以无理由退货，运费由买家承担。", "我们支持支付宝、微信支付和银联卡付款。"
    documents = gemma.embed([returns, payment])
    query = gemma.embed_queries(["Can I send an item back after two weeks?"])[0]
    assert _cosine(query, documents[0]) > _cosine(query, documents[1])


@pytest.fixture
def gemma_components(gemma: Embedder, make_settings: Callable[..., Settings]) -> Components:
    """Components configured for EmbeddingGemma, sharing the module's loaded model (loading it again costs 1.2 GB)."""
    components = build_components(make_settings(embedding=GEMMA))
    return dataclasses.replace(components, _embedder=gemma)


def test_a_collection_filled_by_gemma_is_searched_by_gemma_and_refused_to_another_model(
    gemma_components: Components, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    source = tmp_path / "faq.jsonl"
    source.write_text(
        '{"id": "returns-zh", "title": "退货", "content": "收到商品后30天内可以无理由退货，运费由买家承担。"}\n'
        '{"id": "payment-zh", "title": "付款方式", "content": "我们支持支付宝、微信支付和银联卡付款。"}\n'
        '{"id": "shipping-en", "title": "Shipping", "content": "Orders ship within two business days by courier."}\n',
        encoding="utf-8",
    )
    report = IngestPipeline(gemma_components).run([source], "policy")
    assert report.added == 3

    hits = Retriever(gemma_components).search("Which payment methods do you accept?", k=3, mode="dense")
    assert hits[0].document_id.endswith("payment-zh")

    with_use = build_components(make_settings())  # the default USE model, same store
    with pytest.raises(EmbeddingModelMismatchError, match="embeddinggemma-300m"):
        Retriever(with_use).search("Which payment methods do you accept?")


OFFLINE_EMBED = """
import sys
sys.path.insert(0, "tests/foundation")
import offline_main_paths as guard
sys.addaudithook(guard._guard)
from pathlib import Path
from assistant.components.embedding.embedder import build_embedder
from assistant.settings import EmbeddingSettings
embedder = build_embedder(EmbeddingSettings(packaged_model="embeddinggemma-300m"), Path(sys.argv[1]))
print("dimensions", embedder.embed_queries(["退货政策是什么？"]).shape[1], embedder.embed(["return policy"]).shape[1])
if guard.ATTEMPTS:
    raise SystemExit(f"tried to reach the network: {guard.ATTEMPTS}")
print("offline ok")
"""


@pytest.mark.slow
def test_gemma_loads_and_embeds_with_the_network_blocked(gemma_folder: Path) -> None:
    """sentence-transformers and transformers like to ask the hub: from the assembled folder they must not."""
    command = [*_network_namespace_prefix(), sys.executable, "-c", OFFLINE_EMBED, str(gemma_folder.parent)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "dimensions 768 768" in result.stdout and "offline ok" in result.stdout


def test_the_int8_variant_is_the_same_model_quantized_as_it_loads(gemma: Embedder, gemma_folder: Path) -> None:
    """Same folder, linear layers int8: its vectors stay close to fp32's and keep the same meaning across languages,
    under a model id of its own (a collection filled by one variant is never read with the other)."""
    quantized = build_embedder(EmbeddingSettings(packaged_model="embeddinggemma-300m-int8"), gemma_folder.parent)
    assert quantized.model_id == "packaged:embeddinggemma-300m-int8" != gemma.model_id
    texts = ["我要退货，东西坏了", "Where is my parcel?", "这台热水器怎么预约安装？"]
    full, small = gemma.embed(texts), quantized.embed(texts)
    assert small.shape == full.shape == (3, 768)
    closeness = [_cosine(a, b) for a, b in zip(full, small, strict=True)]
    assert min(closeness) > 0.9, closeness
    # a paraphrase in the other language is nearer than an unrelated question, as with fp32
    query = quantized.embed_queries(["How do I book the installation of my water heater?"])[0]
    assert _cosine(query, small[2]) > _cosine(query, small[1])


def test_prepare_assembles_the_gemma_folder_for_the_int8_variant_too(make_settings: Callable[..., Settings]) -> None:
    from assistant.components.models_cli import _configured_models

    settings = make_settings(understanding={"embedding_model": "embeddinggemma-300m-int8"})
    assert _configured_models(settings)[1:] == ["embeddinggemma-300m"]
