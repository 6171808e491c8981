"""/kiemtra through the fake Bot API with the real PTB Application in long polling: one
question a message with buttons, numbers typed as people type them, "⬅️ Quay lại" and "✖️ Hủy"
at every step, the result with its reasoning, notice and cited support, stale buttons refused,
group chats sent to a private one, and a check that survives a restart."""

from __future__ import annotations

import pytest

from bot import texts
from bot.callbacks import MAX_BYTES
from retrieval import Assistant, Household
from support.fake_telegram import Chat, FakeTelegram, Sent
from support.bot import TOKEN, RunningBot, bot_settings

BACK, CANCEL = texts.CHECK_BACK_BUTTON, texts.CHECK_CANCEL_BUTTON


@pytest.fixture(scope="module")
def settings(bot_index_settings, fake, tmp_path_factory):
    return bot_settings(bot_index_settings, fake, tmp_path_factory.mktemp("check") / "state", questions_per_minute=1000)


@pytest.fixture(scope="module")
def running(settings, bot_assistant, fake):
    bot = RunningBot(settings, bot_assistant).start()
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def period(bot_assistant):
    return bot_assistant.eligibility_period()


def send(fake: FakeTelegram, chat: Chat, text: str, count: int | None = None) -> list[Sent]:
    """Type ``text``; the bot's messages up to the next one with buttons (or ``count`` of them)."""
    after = fake.last_message_id(chat)
    fake.send_text(chat, text)
    return fake.wait_for_messages(chat, count, after=after) if count else fake.wait_for_reply(chat, after=after)


def press(fake: FakeTelegram, message: Sent, label: str, count: int | None = None) -> list[Sent]:
    chat = Chat(message.chat_id)
    after = fake.last_message_id(chat)
    fake.press(message, message.button(label)["callback_data"])
    return fake.wait_for_messages(chat, count, after=after) if count else fake.wait_for_reply(chat, after=after)


def labels(message: Sent) -> list[str]:
    return [b["text"] for b in message.buttons]


def last_callback_answer(fake: FakeTelegram) -> dict:
    return fake.calls_of("answerCallbackQuery")[-1].params


def test_a_check_one_question_a_message_with_back_and_typed_numbers(running, fake, bot_assistant, period):
    chat = fake.new_chat()
    intro, area = send(fake, chat, "/kiemtra")
    assert "Kiểm tra hộ nghèo, cận nghèo" in intro.text
    assert f"Theo {period.name} (Nghị định 351/2025/NĐ-CP, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP)" in intro.text
    assert "“Có” nghĩa là hộ thiếu hụt" in intro.text and "xã, phường rà soát hằng năm" in intro.text
    assert area.text == "Bước 1/15\nHộ của bạn sống ở khu vực nào?"
    assert labels(area) == ["Nông thôn", "Thành thị", BACK, CANCEL]
    assert all(len(b["callback_data"].encode()) <= MAX_BYTES for b in area.buttons)

    [members] = press(fake, area, "Nông thôn")
    assert area.text.endswith("\n\n✔️ Nông thôn") and area.buttons == []  # the answered question stays, its buttons go
    assert members.text.startswith("Bước 2/15\nHộ của bạn có bao nhiêu người") and labels(members) == [BACK, CANCEL]

    [refused] = send(fake, chat, "cả nhà", count=1)  # not a number: said, and the step stays
    assert "Bạn hãy gõ số người trong hộ bằng chữ số, ví dụ: 4" in refused.text and texts.CHECK_TYPE_AGAIN in refused.text
    [income] = send(fake, chat, "bốn người")
    assert members.text.endswith("✔️ 4 người") and members.buttons == []
    assert income.text.startswith("Bước 3/15\nTổng thu nhập của cả hộ mỗi tháng")
    [refused] = send(fake, chat, "1,5", count=1)
    assert "Nếu ý bạn là 1,5 triệu đồng, hãy gõ “1,5 triệu”" in refused.text
    [question] = send(fake, chat, "5,8 triệu")
    assert income.text.endswith("✔️ 5.800.000 đồng/tháng")

    # Q1 "Có", then back from Q2: Q1 comes again with its answer ticked; change it to "Không"
    first = period.indicators[0]
    asked = f"Bước 4/15 · {first.service}\n{first.question}"
    assert question.text == asked and labels(question) == ["Có", "Không", BACK, CANCEL]
    [second] = press(fake, question, "Có")
    assert question.text == f"{asked}\n\n✔️ Có"
    [again] = press(fake, second, BACK)
    assert second.text.endswith(f"\n\n{BACK}") and second.buttons == []
    assert again.text == asked and labels(again) == ["✅ Có", "Không", BACK, CANCEL]
    [current] = press(fake, again, "Không")

    chosen = {"employment": False}
    for indicator in period.indicators[1:]:
        # deprived on exactly two: no health insurance for someone, no hygienic latrine ("Có" is deprived)
        chosen[indicator.id] = indicator.id in ("health_insurance", "latrine")
        assert indicator.question in current.text
        reply = press(fake, current, "Có" if chosen[indicator.id] else "Không")
        current = reply[-1]

    expected = bot_assistant.check_eligibility(Household("rural", 4, 5_800_000, chosen))
    support = bot_assistant.support_for(expected.classification)
    text = "\n".join(m.text for m in reply)
    assert expected.label == "Hộ cận nghèo" and "Kết quả: Hộ cận nghèo" in text
    for line in expected.reasoning:
        assert f"• {line}" in text
    assert "1.450.000 đồng/người/tháng" in text and "Bảo hiểm y tế; Nhà tiêu hợp vệ sinh" in text
    assert ("Căn cứ: Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP "
            "ngày 27/01/2021 của Chính phủ") in text and period.notice in text
    assert "Từ 01/01/2027" not in text  # June 2026: the new standard is not yet announced in the check
    assert support and "Chính sách hỗ trợ hộ cận nghèo trong văn bản:" in text
    assert labels(reply[-1]) == [f"📄 Xem nguồn [{c.number}]" for c in support] + [texts.CHECK_AGAIN_BUTTON]
    [source] = press(fake, reply[-1], "📄 Xem nguồn [1]", count=1)
    assert support[0].hit.passage.text[:200] in source.text
    assert "check" not in running.bot.application.chat_data[chat.id]  # the answers are not kept
    assert fake.unanswered_callbacks() == []

    intro, area = press(fake, reply[-1], texts.CHECK_AGAIN_BUTTON)  # "🔁 Kiểm tra lại" starts afresh
    assert area.text.startswith("Bước 1/15") and labels(area) == ["Nông thôn", "Thành thị", BACK, CANCEL]


def test_cancel_and_back_at_the_first_step_end_the_check(running, fake):
    chat = fake.new_chat()
    _, area = send(fake, chat, "/kiemtra")
    [members] = press(fake, area, "Thành thị")
    [cancelled] = press(fake, members, CANCEL, count=1)
    assert cancelled.text == texts.CHECK_CANCELLED and members.text.endswith(f"\n\n{CANCEL}") and members.buttons == []
    assert "check" not in running.bot.application.chat_data[chat.id]
    reply = send(fake, chat, "4", count=1)  # no check waits for a number now: an ordinary question
    assert "Bước" not in reply[0].text and texts.CHECK_TYPE_AGAIN not in reply[0].text

    _, area = send(fake, chat, "/kiemtra")
    [left] = press(fake, area, BACK, count=1)  # "Quay lại" before the first answer: leave
    assert left.text == texts.CHECK_CANCELLED and area.buttons == []


def test_buttons_of_an_earlier_check_are_refused(running, fake):
    chat = fake.new_chat()
    _, old = send(fake, chat, "/kiemtra")
    _, new = send(fake, chat, "/kiemtra")  # a new check replaces the one under way
    after = fake.last_message_id(chat)
    fake.press(old, old.button("Nông thôn")["callback_data"])
    fake.wait_for(lambda: not fake.unanswered_callbacks(), what="the callback answer")
    assert last_callback_answer(fake)["text"] == texts.CHECK_STALE and last_callback_answer(fake)["show_alert"] in (True, "true", "True")
    assert fake.last_message_id(chat) == after  # nothing sent
    [members] = press(fake, new, "Nông thôn")  # the new one goes on
    assert members.text.startswith("Bước 2/15")


def test_in_a_group_the_check_is_offered_in_private(running, fake):
    group = fake.new_chat("group")
    [reply] = send(fake, group, "/kiemtra@tro_ly_test_bot", count=1)
    assert reply.text == texts.CHECK_PRIVATE_ONLY


def test_an_eligibility_question_offers_the_check(running, fake):
    chat = fake.new_chat()
    reply = send(fake, chat, "thu nhap 1 trieu mot thang o nong thon co phai ho ngheo khong")
    text = "\n".join(m.text for m in reply)
    assert "1.500.000 đồng/người/tháng ở nông thôn" in text and "Nghị định 07/2021/NĐ-CP" in text and "/kiemtra" in text
    assert texts.CHECK_START_BUTTON in labels(reply[-1]) and "👍" in labels(reply[-1])
    fake.press(reply[-1], reply[-1].button("👍")["callback_data"])  # a vote keeps the check button
    fake.wait_for(lambda: reply[-1].edits, what="the ticked vote")
    assert texts.CHECK_START_BUTTON in labels(reply[-1]) and "✅ 👍" in labels(reply[-1])
    intro, area = press(fake, reply[-1], texts.CHECK_START_BUTTON)
    assert area.text.startswith("Bước 1/15")


def test_commands_include_kiemtra_in_help(running, fake):
    assert ("kiemtra", "Tự kiểm tra hộ nghèo, cận nghèo") in [(c["command"], c["description"]) for c in fake.commands]
    [help_message] = send(fake, fake.new_chat(), "/help", count=1)
    assert "/kiemtra" in help_message.text


def test_a_check_survives_a_restart(bot_index_settings, bot_assistant, tmp_path):
    with FakeTelegram(TOKEN) as fake:  # its own: one poller per token
        settings = bot_settings(bot_index_settings, fake, tmp_path / "state")
        chat = fake.new_chat()
        first = RunningBot(settings, bot_assistant).start()
        try:
            _, area = send(fake, chat, "/kiemtra")
            [members] = press(fake, area, "Nông thôn")
            [income] = send(fake, chat, "3")
        finally:
            first.stop()

        second = RunningBot(settings, bot_assistant).start()
        try:
            [back] = press(fake, income, BACK)  # a button sent before the restart
            assert back.text.startswith("Bước 2/15")
            [income] = send(fake, chat, "2")
            [question] = send(fake, chat, "3 triệu")
            assert question.text.startswith("Bước 4/15") and income.text.endswith("✔️ 3.000.000 đồng/tháng")
            [cancelled] = press(fake, question, CANCEL, count=1)
            assert cancelled.text == texts.CHECK_CANCELLED
        finally:
            second.stop()


def test_in_december_2026_the_check_asks_the_new_standards_questions_and_gives_both_results(bot_index_settings, real_embedder, tmp_path):
    """Within 60 days of 1 January 2027 (Nghị định 351/2025/NĐ-CP), the check asks the two
    questions the new standard adds and says both results: the issue's household (rural, 4
    people, 8.800.000 đồng a month, 3 deprivations) is of average living today, poor from 2027."""
    december = bot_index_settings.with_overrides(eligibility={"as_of": "2026-12-15"})
    assistant = Assistant.open(december, embedder=real_embedder)
    with FakeTelegram(TOKEN) as fake:  # its own: one poller per token
        running = RunningBot(bot_settings(december, fake, tmp_path / "state", questions_per_minute=1000), assistant).start()
        try:
            chat = fake.new_chat()
            intro, area = send(fake, chat, "/kiemtra")
            assert "Từ 01/01/2027 áp dụng Chuẩn nghèo đa chiều giai đoạn 2027–2030 (Nghị định 351/2025/NĐ-CP)" in intro.text
            assert area.text.startswith("Bước 1/17")
            [members] = press(fake, area, "Nông thôn")
            [income] = send(fake, chat, "4")
            [current] = send(fake, chat, "8 triệu 800 nghìn")
            assert income.text.endswith("✔️ 8.800.000 đồng/tháng")
            form = assistant.eligibility_form()
            for step in form.steps[3:]:
                assert step.question in current.text
                if step.for_period:
                    assert "(theo dự thảo, chờ văn bản chính thức)" in current.text
                    assert "Câu hỏi thêm cho Chuẩn nghèo đa chiều giai đoạn 2027–2030." in current.text
                deprived = step.id in ("employment", "dependants", "nutrition")
                reply = press(fake, current, "Có" if deprived else "Không")
                current = reply[-1]
            text = "\n".join(m.text for m in reply)
            assert "Kết quả: Hộ có mức sống trung bình" in text
            assert "Căn cứ: Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP" in text
            assert "🗓️ Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo" in text
            assert "Mức này không cao hơn chuẩn nghèo về thu nhập ở nông thôn (2.200.000 đồng/người/tháng)." in text
            assert "Chưa chính thức — Mức sống trung bình" in text
        finally:
            running.stop()
