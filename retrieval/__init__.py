"""Trợ lý Giảm nghèo: retrieval and extractive answers over poverty-reduction policy documents.

The one import point for the bot, the web layer and the CLI::

    from retrieval import Assistant, load_settings
    assistant = Assistant.open(load_settings())
    answer = assistant.ask("hộ nghèo được hỗ trợ gì?")
    result = assistant.check_eligibility(Household("rural", 4, 5_000_000, answers))
    support = assistant.support_for(result.classification)
    voice = Voice.open(settings.voice)                  # questions asked by voice
    heard = voice.transcribe(ogg_bytes)                 # heard.text as heard, heard.question to ask
    answer = assistant.ask("hộ nghèo vay vốn ở đâu?", face="widget")  # logged, masked
    report = assistant.report(since=date(2026, 9, 1))                  # the cadres' report

The JSON shapes of what it returns are ``retrieval.contract``'s models. No web or Telegram
code lives in this package: the faces register their own config sections (``register_section``).
"""

from .domain import (
    Answer,
    AnswerStatus,
    Citation,
    Document,
    DocumentMetadata,
    Hit,
    Passage,
    PassageKind,
    Quote,
    SearchFilters,
)
from .eligibility.form import CheckForm, Choice, Reading, Step
from .eligibility.rule import Classification, ComingChange, EligibilityResult, Household
from .eligibility.standards import (
    AREA_LABELS,
    AREA_NAMES,
    AREAS,
    Indicator,
    LegalBasis,
    PovertyStandards,
    StandardPeriod,
    load_standards,
)
from .errors import (
    ConfigError,
    CorpusError,
    EligibilityInputError,
    IndexMissingError,
    ModelUnavailableError,
    NoStandardError,
    RetrievalError,
    StaleIndexError,
    StandardsError,
    UnknownDocumentError,
    VocabularyError,
)
from .ingest.catalog import AddedDocument, Catalog
from .privacy import Masked, mask
from .records import (
    FACES,
    FeedbackRecord,
    QuestionRecord,
    QuestionStatus,
    Records,
    RecordStore,
)
from .report import QuestionGroup, Report
from .service.assistant import Assistant, IndexInfo, build
from .service.rate_limit import RateLimiter
from .service.rebuild import BuildStatus, Rebuilder
from .settings import (
    Settings,
    SettingsSection,
    VoiceSettings,
    load_settings,
    register_section,
)
from .speech import Heard, Voice, VoiceError, spoken_to_digits
from .speech import Problem as VoiceProblem
from .text.amounts import AmountError, format_money, parse_count, parse_money
from .text.vocabulary import Vocabulary

__all__ = [
    "FACES", "FeedbackRecord", "Masked", "QuestionGroup", "QuestionRecord", "QuestionStatus", "RecordStore", "Records", "Report", "mask",
    "AREAS", "AREA_LABELS", "AREA_NAMES", "AddedDocument", "AmountError", "Answer", "AnswerStatus", "Assistant", "BuildStatus", "Catalog", "CheckForm",
    "Choice", "Citation", "Classification", "ComingChange", "Reading", "Step", "ConfigError", "CorpusError", "Document", "DocumentMetadata", "EligibilityInputError", "EligibilityResult",
    "Heard", "Hit", "Household", "IndexInfo", "IndexMissingError", "Indicator", "LegalBasis", "ModelUnavailableError", "NoStandardError", "Passage", "PassageKind",
    "PovertyStandards", "Quote", "RateLimiter", "Rebuilder", "RetrievalError", "SearchFilters", "Settings", "SettingsSection", "StaleIndexError", "StandardPeriod",
    "StandardsError", "UnknownDocumentError", "Vocabulary", "VocabularyError", "Voice", "VoiceError", "VoiceProblem", "VoiceSettings", "build", "format_money", "load_settings", "load_standards", "parse_count", "parse_money", "register_section", "spoken_to_digits",
]
