"""What the bot says in its own words (Vietnamese, short: people read it on a phone)."""

from __future__ import annotations

from .render import Span, bold, italic

# name and description as setMyCommands registers them (names: a-z, 0-9, _ only)
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Giới thiệu và câu hỏi mẫu"),
    ("help", "Cách hỏi và các lệnh"),
    ("kiemtra", "Tự kiểm tra hộ nghèo, cận nghèo"),
    ("tim", "Tìm điều khoản: /tim từ khóa"),
    ("vanban", "Các văn bản tôi đang có"),
)


def start_paragraphs(documents: int) -> list[str | Span | list[str | Span]]:
    return [
        ["👋 Xin chào! Tôi là ", bold("Trợ lý Giảm nghèo"), "."],
        f"Tôi trả lời câu hỏi về chính sách giảm nghèo bền vững, dựa trên {documents} văn bản của địa phương "
        "(chỉ thị, kế hoạch, chương trình hành động): ai được hỗ trợ, hỗ trợ những gì, vay vốn ở đâu, ai chịu trách nhiệm…",
        "Mỗi câu trả lời trích nguyên văn từ văn bản và ghi rõ nguồn. Bạn có thể gõ không dấu.",
        ["Bấm một câu hỏi mẫu dưới đây, hoặc gõ câu hỏi của bạn. Xem thêm: /help"],
    ]


HELP_PARAGRAPHS: list[str | Span | list[str | Span]] = [
    [bold("Cách hỏi")],
    "Gõ câu hỏi ngắn, có dấu hay không dấu đều được, ví dụ: “ho ngheo duoc vay von o dau”. "
    "Có thể hỏi tiếp, ví dụ: “còn hộ cận nghèo thì sao?”.",
    ["Dưới mỗi câu trả lời: ", bold("📄 Xem nguồn"), " mở toàn văn đoạn được trích; 👍 / 👎 cho tôi biết câu trả lời có giúp ích không."],
    [bold("Lệnh"), "\n/kiemtra — tự kiểm tra hộ nghèo, cận nghèo theo chuẩn nghèo đang áp dụng (từng câu hỏi, bấm nút để trả lời)"
     "\n/tim từ khóa — 5 điều khoản liên quan nhất, có vị trí (dành cho cán bộ)\n/vanban — các văn bản tôi đang có\n/start — giới thiệu và câu hỏi mẫu"],
    ["Trong nhóm, hãy nhắc đến tôi (@tên_bot) hoặc trả lời tin nhắn của tôi."],
    [italic("Câu hỏi và góp ý 👍/👎 được lưu để cán bộ bổ sung văn bản còn thiếu; số giấy tờ, số điện thoại, tên và địa chỉ được che trước khi lưu, không lưu mã cuộc trò chuyện của bạn.")],
]

SEARCH_USAGE = ["Gõ từ khóa sau lệnh, ví dụ: ", bold("/tim rà soát hộ nghèo")]
RATE_LIMITED = "Bạn hỏi hơi nhanh 🙂 Mỗi phút tôi trả lời tối đa {limit} câu hỏi cho một cuộc trò chuyện. Bạn vui lòng chờ khoảng {wait} giây rồi hỏi tiếp nhé."
TEXT_ONLY = "Xin lỗi, tôi chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé."
# voice notes ([voice] in config.toml)
VOICE_OFF = "Xin lỗi, hiện tôi chưa nghe được tin nhắn thoại. Bạn hãy gõ câu hỏi nhé — có dấu hay không dấu đều được."
TYPE_AGAIN_BUTTON = "⌨️ Gõ lại câu hỏi"
TYPE_AGAIN = "Bạn hãy gõ câu hỏi vào ô nhắn tin bên dưới nhé — có dấu hay không dấu đều được."
TYPE_AGAIN_PLACEHOLDER = "Gõ câu hỏi của bạn…"  # at most 64 characters (Telegram)
VOICE_FILE_TOO_BIG = "Tệp âm thanh này lớn quá, tôi không tải về được. Bạn hãy gửi tin nhắn thoại ngắn, hoặc gõ câu hỏi nhé."
UNKNOWN_COMMAND = "Tôi không hiểu lệnh này. Gõ /help để xem các lệnh."
ERROR = "Xin lỗi, tôi đang gặp sự cố nên chưa trả lời được. Bạn vui lòng thử lại sau ít phút."
EXPIRED = "Nội dung này đã cũ, tôi không còn giữ. Bạn hãy hỏi lại nhé."
SOURCE_GONE = "Đoạn văn này không còn trong bộ văn bản hiện tại. Bạn hãy hỏi lại nhé."
THANKS = "Cảm ơn bạn đã góp ý!"
SOURCE_BUTTON = "📄 Xem nguồn [{n}]"
RELATED_BUTTON = "🔎 Liên quan [{n}]"
SEARCH_SOURCE_BUTTON = "📄 {n}"

# /kiemtra: the eligibility self-check (its questions and their wording are the library's form)
CHECK_START_BUTTON = "📋 Kiểm tra hộ nghèo, cận nghèo"
CHECK_AGAIN_BUTTON = "🔁 Kiểm tra lại"
CHECK_BACK_BUTTON = "⬅️ Quay lại"
CHECK_CANCEL_BUTTON = "✖️ Hủy"
CHECK_PRIVATE_ONLY = "Thông tin về hộ gia đình là chuyện riêng: bạn hãy nhắn riêng cho tôi rồi gõ /kiemtra nhé."
CHECK_CANCELLED = "Đã hủy kiểm tra; tôi không giữ lại câu trả lời nào. Gõ /kiemtra khi bạn muốn làm lại."
CHECK_STALE = "Câu hỏi này không còn dùng được (đã trả lời, hoặc đã bắt đầu lần kiểm tra khác). Bạn hãy trả lời câu hỏi mới nhất nhé."
CHECK_STANDARD_CHANGED = "Chuẩn nghèo áp dụng vừa thay đổi nên tôi dừng lần kiểm tra này. Gõ /kiemtra để làm lại theo chuẩn mới."
CHECK_TYPE_AGAIN = "Bạn gõ lại giúp tôi, hoặc bấm ✖️ Hủy ở câu hỏi trên để dừng kiểm tra."


def voice_paragraph(max_seconds: float) -> list[str | Span]:
    return [bold("🎙️ Hỏi bằng giọng nói"), f": gửi tin nhắn thoại (tối đa {round(max_seconds)} giây, khi nhắn riêng cho tôi). "
            "Tôi ghi lại điều tôi nghe được rồi trả lời; nếu tôi nghe nhầm, bấm ", bold(TYPE_AGAIN_BUTTON), " để gõ."]
