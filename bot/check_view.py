"""/kiemtra, the eligibility self-check on Telegram: how each step of the library's form is
shown and which buttons it has, and how the result is shown. The steps, their wording and
the reading of typed answers are the library's (``Assistant.eligibility_form``,
``CheckForm.read``); the rule is ``Assistant.check_eligibility``. Nothing about the standard
is written here.

Steps: the area (buttons), members and income (typed), then one per question (Có / Không),
including, in the weeks before a new standard starts, the extra questions it asks. Every step
has "⬅️ Quay lại" and "✖️ Hủy"; "Quay lại" at the first step leaves the check, like "Hủy".
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from retrieval import AREA_LABELS, CheckForm, Citation, EligibilityResult, Step, format_money

from . import texts
from .keyboards import check_step_keyboard
from .render import MAX_MESSAGE, Block, bold, block, citation_block, italic, pack, snippet
from .state import CheckProgress

SUPPORT_SNIPPET_CHARS = 300
# what a button carries for each choice of a step (callback data stays a few bytes)
BUTTON_VALUES = {"rural": "r", "urban": "u", "yes": "y", "no": "n"}
PRESSED = {code: value for value, code in BUTTON_VALUES.items()}


def form_key(form: CheckForm) -> str:
    """Which standards a check runs under: if this changes mid-check, it starts again."""
    return f"{form.period.id}|{form.coming.id if form.coming else ''}"


def intro_messages(form: CheckForm) -> list[str]:
    return pack([
        block("📋 ", bold("Kiểm tra hộ nghèo, cận nghèo")),
        block(form.intro, gap="\n\n"),
        block(f"Bấm {texts.CHECK_BACK_BUTTON} để sửa câu trước, {texts.CHECK_CANCEL_BUTTON} để dừng.", gap="\n"),
        block(italic("Kết quả chỉ để tham khảo: việc công nhận hộ nghèo, hộ cận nghèo do xã, phường rà soát hằng năm."), gap="\n\n"),
    ])


def _step_blocks(form: CheckForm, index: int) -> list[Block]:
    step = form.steps[index]
    where = f"Bước {index + 1}/{len(form.steps)}" + (f" · {step.service}" if step.service else "")
    blocks = [block(italic(where)), block(bold(step.question))]
    if step.provisional:
        blocks.append(block(italic(f"({step.provisional})")))
    if step.for_period:
        blocks.append(block(italic(f"Câu hỏi thêm cho {step.for_period}.")))
    if step.typed:
        blocks.append(block(step.hint))
    return blocks


def step_messages(form: CheckForm, index: int) -> list[str]:
    return pack(_step_blocks(form, index))


def _chosen(step: Step, progress: CheckProgress) -> str | None:
    """The earlier answer to that step, as its button's value (so going back shows it ticked)."""
    value = progress.values.get(step.id)
    if value is None or step.typed:
        return None
    if isinstance(value, bool):
        return BUTTON_VALUES["yes" if value else "no"]
    return BUTTON_VALUES.get(str(value))


def step_keyboard(form: CheckForm, progress: CheckProgress) -> InlineKeyboardMarkup:
    step = form.steps[progress.step]
    choices = [(c.label, BUTTON_VALUES[c.value]) for c in step.choices]
    return check_step_keyboard(progress.session, progress.step, choices, _chosen(step, progress))


def closed_messages(form: CheckForm, index: int, note: str) -> list[str]:
    """The step's message once left: its question and what happened ("✔️ Có", "⬅️ Quay lại"),
    no buttons, so the chat reads as a record of the answers."""
    return pack(_step_blocks(form, index) + [block(bold(note), gap="\n\n")])


def _result_blocks(result: EligibilityResult, icon: str, headline: str) -> list[Block]:
    h = result.household
    blocks = [
        block(icon, bold(headline)),
        block(italic(f"{result.period.name} · {AREA_LABELS[h.area]}, {h.members} người, {format_money(h.monthly_income)} đồng/tháng")),
    ]
    blocks += [block(f"• {line}", gap="\n\n" if i == 0 else "\n") for i, line in enumerate(result.reasoning)]
    blocks.append(block(bold("Căn cứ: "), result.period.basis_citation, gap="\n\n"))
    blocks += [block(italic(f"Chưa chính thức — {note}")) for note in result.provisional]
    return blocks


def result_messages(result: EligibilityResult, support: Sequence[Citation], limit: int = MAX_MESSAGE) -> list[str]:
    """The group, the reasoning, the legal basis, the notice; the result under the standard
    about to start, if one is; then the support the documents name for that group, quoted
    with numbered citations (their "📄 Xem nguồn" buttons go under)."""
    blocks = _result_blocks(result, "📋 ", f"Kết quả: {result.label}")
    blocks.append(block("ℹ️ ", italic(result.notice), gap="\n\n"))
    coming = result.coming
    if coming is not None:
        if coming.result is not None:
            blocks += [Block(b.spans, "\n\n" if i == 0 else b.gap) for i, b in enumerate(_result_blocks(coming.result, "🗓️ ", coming.headline))]
        else:
            blocks.append(block("🗓️ ", coming.headline, gap="\n\n"))
    if support:
        group = result.label[:1].lower() + result.label[1:]
        blocks.append(block(bold(f"Chính sách hỗ trợ {group} trong văn bản:"), gap="\n\n"))
        blocks += [block(f"“{snippet(c.hit.passage.text, SUPPORT_SNIPPET_CHARS)}” ", bold(f"[{c.number}]")) for c in support]
        blocks += [citation_block(c, header=i == 0) for i, c in enumerate(support)]
    return pack(blocks, limit)
