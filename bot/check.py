"""/kiemtra, the eligibility self-check on Telegram: what each step asks and which buttons it
has, and how the result is shown. The rule itself is the library's (``Assistant.check_eligibility``);
the questions come from the standard in force, so nothing about the standard is written here.

Steps: 0 area (buttons), 1 members and 2 income (typed, read by ``retrieval.parse_count`` /
``parse_money``), then one per indicator question (Có / Không). Every step has "⬅️ Quay lại" and
"✖️ Hủy"; "Quay lại" at the first step leaves the check, like "Hủy".
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from retrieval import AREA_LABELS, Citation, EligibilityResult, StandardPeriod, format_money

from . import texts
from .keyboards import check_step_keyboard
from .render import MAX_MESSAGE, Block, bold, block, citation_block, italic, pack, snippet
from .state import CheckProgress

AREA, MEMBERS, INCOME = 0, 1, 2
FIRST_QUESTION = 3
SUPPORT_SNIPPET_CHARS = 300


def step_count(period: StandardPeriod) -> int:
    return FIRST_QUESTION + len(period.indicators)


def typed_step(step: int) -> bool:
    """The steps answered by typing, not by a button."""
    return step in (MEMBERS, INCOME)


def intro_messages(period: StandardPeriod) -> list[str]:
    return pack([
        block("📋 ", bold("Kiểm tra hộ nghèo, cận nghèo")),
        block(f"Theo {period.name} ({period.legal_basis.short}). Tôi hỏi {step_count(period)} câu, mỗi lần một câu; "
              f"bấm {texts.CHECK_BACK_BUTTON} để sửa câu trước, {texts.CHECK_CANCEL_BUTTON} để dừng.", gap="\n\n"),
        block(italic("Kết quả chỉ để tham khảo: việc công nhận hộ nghèo, hộ cận nghèo do xã, phường rà soát hằng năm."), gap="\n\n"),
    ])


def _step_blocks(period: StandardPeriod, step: int) -> list[Block]:
    head = block(italic(f"Bước {step + 1}/{step_count(period)}"))
    if step == AREA:
        return [head, block(bold(texts.CHECK_AREA))]
    if step == MEMBERS:
        return [head, block(bold(texts.CHECK_MEMBERS)), block(texts.CHECK_MEMBERS_HOW)]
    if step == INCOME:
        return [head, block(bold(texts.CHECK_INCOME)), block(texts.CHECK_INCOME_HOW)]
    indicator = period.indicators[step - FIRST_QUESTION]
    return [block(italic(f"Bước {step + 1}/{step_count(period)} · {indicator.service}")), block(bold(indicator.question))]


def _chosen(period: StandardPeriod, progress: CheckProgress, step: int) -> str | None:
    """The earlier answer to that step, as its button's value (so going back shows it ticked)."""
    if step == AREA:
        return {"rural": "r", "urban": "u"}.get(progress.area or "")
    if step >= FIRST_QUESTION:
        answer = progress.answers.get(period.indicators[step - FIRST_QUESTION].id)
        return None if answer is None else ("y" if answer else "n")
    return None


def step_messages(period: StandardPeriod, step: int) -> list[str]:
    return pack(_step_blocks(period, step))


def step_keyboard(period: StandardPeriod, progress: CheckProgress) -> InlineKeyboardMarkup:
    step = progress.step
    if step == AREA:
        choices = [(AREA_LABELS["rural"], "r"), (AREA_LABELS["urban"], "u")]
    elif typed_step(step):
        choices = []
    else:
        choices = [(texts.CHECK_YES, "y"), (texts.CHECK_NO, "n")]
    return check_step_keyboard(progress.session, step, choices, _chosen(period, progress, step))


def closed_messages(period: StandardPeriod, step: int, note: str) -> list[str]:
    """The step's message once left: its question and what happened ("✔️ Có", "⬅️ Quay lại"),
    no buttons, so the chat reads as a record of the answers."""
    return pack(_step_blocks(period, step) + [block(bold(note), gap="\n\n")])


def answer_label(period: StandardPeriod, progress: CheckProgress, step: int) -> str:
    """How the answer to a step reads under its question."""
    if step == AREA:
        return AREA_LABELS[progress.area]
    if step == MEMBERS:
        return f"{progress.members} người"
    if step == INCOME:
        return f"{format_money(progress.income)} đồng/tháng"
    return texts.CHECK_YES if progress.answers[period.indicators[step - FIRST_QUESTION].id] else texts.CHECK_NO


def result_messages(result: EligibilityResult, support: Sequence[Citation], limit: int = MAX_MESSAGE) -> list[str]:
    """The group, the reasoning, the legal basis, the notice; then the support the documents
    name for that group, quoted with numbered citations (their "📄 Xem nguồn" buttons go under)."""
    h = result.household
    blocks = [
        block("📋 ", bold(f"Kết quả: {result.label}")),
        block(italic(f"{result.period.name} · {AREA_LABELS[h.area]}, {h.members} người, {format_money(h.monthly_income)} đồng/tháng")),
    ]
    blocks += [block(f"• {line}", gap="\n\n" if i == 0 else "\n") for i, line in enumerate(result.reasoning)]
    blocks.append(block(bold("Căn cứ: "), result.legal_basis.citation, gap="\n\n"))
    blocks.append(block("ℹ️ ", italic(result.notice), gap="\n\n"))
    if support:
        group = result.label[:1].lower() + result.label[1:]
        blocks.append(block(bold(f"Chính sách hỗ trợ {group} trong văn bản:"), gap="\n\n"))
        blocks += [block(f"“{snippet(c.hit.passage.text, SUPPORT_SNIPPET_CHARS)}” ", bold(f"[{c.number}]")) for c in support]
        blocks += [citation_block(c, header=i == 0) for i, c in enumerate(support)]
    return pack(blocks, limit)
