"""Per-chat state kept in PTB's ``chat_data`` and written to ``state_dir`` by PicklePersistence
(one process) or to Redis as JSON (several replicas, ``bot/shared_state.py``), so it survives a
restart: the previous questions (for follow-ups), what each answer or search showed (for its
buttons), until when it was told to wait (the per-chat limit) and a /kiemtra check in progress (deleted
as soon as its result is shown or it is cancelled)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal


HISTORY_SIZE = 5  # previous questions handed to Assistant.ask (the library uses the last one)
MAX_REFERENCES = 50  # older answers' buttons say "ask again": the whole state file is rewritten on each save


@dataclass
class Reference:
    """What one answer or search showed, so its buttons still work later."""

    kind: Literal["answer", "search", "check"]
    question: str
    answer: str
    passage_ids: tuple[str, ...]
    # a random key: feedback rows stay distinct even if the state file is lost and numbers restart
    key: str = field(default_factory=lambda: secrets.token_hex(8))
    vote: int | None = None
    offers_check: bool = False  # an eligibility_hint answer: its keyboard keeps the /kiemtra button
    related: bool = False  # a "not covered" answer: its passages are the nearest clauses, not citations
    spoken: bool = False  # an answer to a voice note: its keyboard keeps "⌨️ Gõ lại câu hỏi"


@dataclass
class CheckProgress:
    """A /kiemtra check under way: which step of the library's form, and the answers so far."""

    session: int  # numbers the checks of a chat: buttons of an earlier one are refused
    form_key: str  # the standards it was started under (bot.check.form_key)
    step: int = 0  # index into the form's steps
    message_id: int | None = None  # the message asking the current step (its buttons are removed once answered)
    values: dict[str, str | int | bool] = field(default_factory=dict)  # step id → the answer as read


class ChatState:
    """A typed view over one chat's ``chat_data`` dict."""

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        self.data = data
        # an earlier release kept its own question window here (bot.limits.QuestionWindow); the
        # budget is counted by the limiter now, so the next save leaves it out
        data.pop("window", None)

    @property
    def history(self) -> list[str]:
        return list(self.data.get("history", []))

    def remember_question(self, question: str) -> None:
        self.data["history"] = (self.history + [question])[-HISTORY_SIZE:]

    @property
    def told_until(self) -> float:
        """Until when (epoch seconds) the chat has been told to wait: refused questions before
        then get no further message."""
        return float(self.data.get("told_until", 0.0))

    @told_until.setter
    def told_until(self, moment: float) -> None:
        self.data["told_until"] = moment

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

    @property
    def check(self) -> CheckProgress | None:
        progress = self.data.get("check")
        if progress is not None and not hasattr(progress, "form_key"):  # saved by an older version: start again
            self.end_check()
            return None
        return progress

    def start_check(self, form_key: str) -> CheckProgress:
        session = self.data.get("next_check", 1)
        self.data["next_check"] = session + 1
        self.data["check"] = progress = CheckProgress(session, form_key)
        return progress

    def end_check(self) -> None:
        """Forget the household's answers: nothing of them stays in the state file."""
        self.data.pop("check", None)


# -- as JSON, for state shared through Redis -----------------------------------------------------
# JSON, never pickle: a pickle from a server others can write to would run their code here.
# Only the keys and types above are written and read back; anything else is left out.
def dump_chat_data(data: Mapping[str, Any]) -> str:
    """One chat's state as JSON."""
    out: dict[str, Any] = {}
    if "history" in data:
        out["history"] = list(data["history"])
    if "told_until" in data:
        out["told_until"] = float(data["told_until"])
    if "references" in data:
        out["references"] = [[number, {**asdict(ref), "passage_ids": list(ref.passage_ids)}] for number, ref in data["references"].items()]
    for key in ("next_reference", "next_check"):
        if key in data:
            out[key] = int(data[key])
    if isinstance(data.get("check"), CheckProgress):
        out["check"] = asdict(data["check"])
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def load_chat_data(text: str | bytes) -> dict[str, Any]:
    """What ``dump_chat_data`` wrote, with its types back."""
    raw = json.loads(text)
    data: dict[str, Any] = {}
    if "history" in raw:
        data["history"] = [str(q) for q in raw["history"]]
    if "told_until" in raw:
        data["told_until"] = float(raw["told_until"])
    if "references" in raw:
        data["references"] = {int(number): Reference(**{**ref, "passage_ids": tuple(ref["passage_ids"])}) for number, ref in raw["references"]}
    for key in ("next_reference", "next_check"):
        if key in raw:
            data[key] = int(raw[key])
    if "check" in raw:
        data["check"] = CheckProgress(**raw["check"])
    return data
