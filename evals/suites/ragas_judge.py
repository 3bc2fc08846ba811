"""RAGAS scores of one answer, with the judge model reached over the OpenAI protocol (default: the configured model)
and our packaged embedder for answer relevancy. Nothing is downloaded and nothing is reported home.

A small judge often writes JSON that RAGAS cannot parse: the metric is then NaN, recorded as "not computable" and
counted as missing in the run's results, never replaced by a guess.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from assistant.components.container import llm_endpoint
from assistant.components.embedding.embedder import Embedder
from assistant.settings import Settings

RAGAS_METRICS = ("faithfulness", "answer_relevancy", "context_precision", "context_recall")


class JudgeOptions(BaseModel):
    """Which model judges; every field unset means the configured chat model."""

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    max_tokens: int = Field(default=768, description="Longest judge output (RAGAS statement lists and verdicts).")
    metrics: list[str] = Field(default_factory=lambda: list(RAGAS_METRICS))
    relevancy_questions: int = Field(default=1, description="RAGAS answer-relevancy strictness (questions generated per answer).")

    def is_embedded(self, settings: Settings) -> bool:
        """The judge is the embedded llama.cpp server (which reads `max_tokens`, not `max_completion_tokens`)."""
        return settings.llm.provider == "local" and self.base_url is None

    def endpoint(self, settings: Settings) -> tuple[str, str, str]:
        base_url, api_key = llm_endpoint(settings.llm)
        return self.base_url or base_url, self.api_key or api_key or "none", self.model or settings.llm.served_model_name


@dataclass
class _Usage:
    tokens_in: int = 0
    tokens_out: int = 0
    calls: int = 0
    handler: Any = field(default=None, repr=False)


def _usage_handler(usage: _Usage) -> Any:
    from langchain_core.callbacks import BaseCallbackHandler

    class Counter(BaseCallbackHandler):
        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            token_usage = (response.llm_output or {}).get("token_usage") or {}
            usage.tokens_in += int(token_usage.get("prompt_tokens") or 0)
            usage.tokens_out += int(token_usage.get("completion_tokens") or 0)
            usage.calls += 1

    return Counter()


def _langchain_embeddings(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class PackagedEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, vector)) for vector in embedder.embed(texts)]

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    return PackagedEmbeddings()


class RagasJudge:
    def __init__(self, settings: Settings, embedder: Embedder, options: JudgeOptions) -> None:
        # ragas reports usage to its authors unless told not to; this process must stay offline.
        os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
        unknown = set(options.metrics) - set(RAGAS_METRICS)
        if unknown:
            raise ValueError(f"unknown RAGAS metrics {sorted(unknown)}; known: {', '.join(RAGAS_METRICS)}")
        self._settings = settings
        self._embedder = embedder
        self._options = options

    @property
    def model(self) -> str:
        return self._options.endpoint(self._settings)[2]

    async def score(
        self, *, question: str, answer: str, contexts: list[str], reference: str
    ) -> tuple[dict[str, float | None], dict[str, str], _Usage]:
        """(scores, why a metric is missing, judge usage)."""
        from langchain_openai import ChatOpenAI
        from ragas import SingleTurnSample
        from ragas.embeddings import LangchainEmbeddingsWrapper
        from ragas.llms import LangchainLLMWrapper
        from ragas.metrics import Faithfulness, LLMContextPrecisionWithReference, LLMContextRecall, ResponseRelevancy

        base_url, api_key, model = self._options.endpoint(self._settings)
        usage = _Usage()
        # langchain sends the limit as `max_completion_tokens`, which llama.cpp's server ignores: give it `max_tokens`.
        limit: dict[str, Any] = (
            {"extra_body": {"max_tokens": self._options.max_tokens}}
            if self._options.is_embedded(self._settings)
            else {"max_completion_tokens": self._options.max_tokens}
        )
        chat = ChatOpenAI(
            base_url=base_url, api_key=api_key, model=model, temperature=0,  # type: ignore[arg-type]
            timeout=self._settings.llm.timeout_seconds, max_retries=0, callbacks=[_usage_handler(usage)], **limit,
        )  # fmt: skip
        llm = LangchainLLMWrapper(chat)
        embeddings = LangchainEmbeddingsWrapper(_langchain_embeddings(self._embedder))
        metrics = {
            "faithfulness": lambda: Faithfulness(llm=llm),
            "answer_relevancy": lambda: ResponseRelevancy(
                llm=llm, embeddings=embeddings, strictness=self._options.relevancy_questions
            ),
            "context_precision": lambda: LLMContextPrecisionWithReference(llm=llm),
            "context_recall": lambda: LLMContextRecall(llm=llm),
        }
        sample = SingleTurnSample(user_input=question, response=answer, retrieved_contexts=contexts or [""], reference=reference)
        scores: dict[str, float | None] = {}
        errors: dict[str, str] = {}
        for name in self._options.metrics:
            try:
                value = float(await metrics[name]().single_turn_ascore(sample))
            except Exception as exc:  # a judge that cannot answer in RAGAS's form: recorded, the metric is not computable
                value, errors[name] = math.nan, f"{type(exc).__name__}: {str(exc)[:300]}"
            if math.isnan(value):
                errors.setdefault(name, "NaN")
            scores[name] = None if math.isnan(value) else value
        return scores, errors, usage
