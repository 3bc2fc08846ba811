"""EmbeddingGemma-300M through sentence-transformers, from the folder `assistant models prepare` assembled.

The model was trained with task prompts: stored texts go through its `document` prompt ("title: none |
text: "), search queries through its `query` prompt ("task: search result | query: "); a search that
embedded both alike would compare two documents. The folder is verified before it is loaded (the pinned
hashes, or the stamp prepare wrote), and only from the local path: a hub name would try the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.components.embedding.model_folder import verify_folder
from assistant.components.embedding.packaged_folders import EMBEDDINGGEMMA_300M

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from assistant.components.embedding.embedder import EncodeFn


def embeddinggemma_encoders(
    models_dir: Path,
    threads: int,
    *,
    int8: bool = False,
    document_prompt: str = "document",
    query_prompt: str = "query",
) -> tuple[EncodeFn, EncodeFn]:
    """(document encoder, query encoder) of the verified folder `<models_dir>/embeddinggemma-300m`.

    `int8`: its linear layers quantized to int8 as it loads (torch's dynamic quantization: weights int8,
    activations quantized per call). Measured on one thread (bench/embedding_quantization_bench.py): 60 ms CPU per
    short message instead of 128 (p95 73 against 151), vectors at cosine >= 0.955 of fp32's; held-back shop intents
    0.964 / 0.929 (en / zh; README Performance). A collection filled by one variant is read with the same one.
    """
    folder = models_dir / EMBEDDINGGEMMA_300M.name
    verify_folder(EMBEDDINGGEMMA_300M, folder)
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ImportError("EmbeddingGemma needs torch, sentence-transformers>=5.1 and transformers>=4.56") from exc

    # torch's intra-op threads are per process; more than the cores left free crawl on a shared machine.
    torch.set_num_threads(threads)
    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    if int8:
        model = _quantized(model)
    for prompt in (document_prompt, query_prompt):
        if prompt not in model.prompts:
            raise ValueError(f"EmbeddingGemma has no prompt {prompt!r}; it has {sorted(model.prompts)}")

    def encoder(prompt: str) -> EncodeFn:
        def encode(texts: list[str]) -> np.ndarray:
            with torch.inference_mode():
                # sentence-transformers sorts the texts by length before batching: small batches pad less.
                vectors = model.encode(texts, prompt_name=prompt, batch_size=16, convert_to_numpy=True)
            return np.asarray(vectors, dtype=np.float32)

        return encode

    return encoder(document_prompt), encoder(query_prompt)


def _quantized(model: SentenceTransformer) -> SentenceTransformer:
    """The model with every torch.nn.Linear replaced by its dynamically quantized int8 form (CPU only)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch 2.13 points eager-mode quantization at torchao (not installed here); the API still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        # In place: a copy would keep both weight sets resident (3.5 GB measured after loading, against ~1.2 GB).
        quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return quantized  # type: ignore[no-any-return]
