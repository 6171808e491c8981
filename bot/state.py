"""Per-chat state kept in PTB's ``chat_data`` and written to ``state_dir`` by PicklePersistence,
so it survives a restart: the previous questions (for follow-ups), what each answer or search
showed (for its buttons) and the question times (for the per-chat limit)."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .limits import QuestionWindow

HISTORY_SIZE = 5  # previous questions handed to Assistant.ask (the library uses the last one)
MAX_REFERENCES = 50  # older answers' buttons say "ask again": the whole state file is rewritten on each save


@dataclass
class Reference:
    """What one answer or search showed, so its buttons still work later."""

    kind: Literal["answer", "search"]
    question: str
    answer: str
    passage_ids: tuple[str, ...]
    # a random key: feedback rows stay distinct even if the state file is lost and numbers restart
    key: str = field(default_factory=lambda: secrets.token_hex(8))
    vote: int | None = None


class ChatState:
    """A typed view over one chat's ``chat_data`` dict."""

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        self.data = data

    @property
    def history(self) -> list[str]:
        return list(self.data.get("history", []))

    def remember_question(self, question: str) -> None:
        self.data["history"] = (self.history + [question])[-HISTORY_SIZE:]

    @property
    def window(self) -> QuestionWindow:
        return self.data.setdefault("window", QuestionWindow())

    def add_reference(self, reference: Reference) -> int:
        references: dict[int, Reference] = self.data.setdefault("references", {})
        number = self.data.get("next_reference", 1)
        self.data["next_reference"] = number + 1
        references[number] = reference
        for old in sorted(references)[:-MAX_REFERENCES]:
            del references[old]
        return number

    def reference(self, number: int) -> Reference | None:
        return self.data.get("references", {}).get(number)
