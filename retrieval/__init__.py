"""Trợ lý Giảm nghèo: retrieval and extractive answers over poverty-reduction policy documents.

The one import point for the bot, the web layer and the CLI::

    from retrieval import Assistant, load_settings
    assistant = Assistant.open(load_settings())
    answer = assistant.ask("hộ nghèo được hỗ trợ gì?")

No web or Telegram code lives in this package.
"""

from .assistant import Assistant, IndexInfo, build
from .catalog import AddedDocument, Catalog
from .domain import Answer, AnswerStatus, Citation, Document, DocumentMetadata, Hit, Passage, PassageKind, Quote, SearchFilters
from .errors import (
    ConfigError,
    CorpusError,
    IndexMissingError,
    ModelUnavailableError,
    RetrievalError,
    StaleIndexError,
    UnknownDocumentError,
)
from .rebuild import BuildStatus, Rebuilder
from .settings import ServerSettings, Settings, TelegramSettings, load_settings

__all__ = [
    "AddedDocument", "Answer", "AnswerStatus", "Assistant", "BuildStatus", "Catalog", "Citation", "ConfigError", "CorpusError", "Document", "DocumentMetadata",
    "Hit", "IndexInfo", "IndexMissingError", "ModelUnavailableError", "Passage", "PassageKind", "Quote",
    "Rebuilder", "RetrievalError", "SearchFilters", "ServerSettings", "Settings", "StaleIndexError", "TelegramSettings", "UnknownDocumentError", "build", "load_settings",
]
