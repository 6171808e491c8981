"""Library exceptions. The CLI, the web layer and the bot turn them into clean messages;
their texts are Vietnamese because cadres read them."""


class RetrievalError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigError(RetrievalError):
    """config.toml is missing, unreadable or holds an invalid value."""


class CorpusError(RetrievalError):
    """The corpus folder or its metadata file cannot be used."""


class IndexMissingError(RetrievalError):
    """No index has been built yet."""


class StaleIndexError(RetrievalError):
    """The index on disk does not match the corpus or the configuration."""


class ModelUnavailableError(RetrievalError):
    """The embedding model cannot be found or prepared."""


class UnknownDocumentError(RetrievalError, KeyError):
    """No document with that id."""

    def __str__(self) -> str:  # KeyError would print the repr
        return str(self.args[0]) if self.args else "unknown document"


class StandardsError(ConfigError):
    """The poverty-standards data file is missing or holds an invalid value."""


class NoStandardError(RetrievalError):
    """No poverty standard in the data file applies on the date asked about."""


class EligibilityInputError(RetrievalError, ValueError):
    """The household described to the eligibility check is incomplete or impossible."""


class VocabularyError(ConfigError):
    """The citizen-to-document vocabulary file is missing or holds an invalid entry."""
