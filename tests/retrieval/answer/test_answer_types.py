"""What kind of answer a question asks for, and which sentences carry it."""

import pytest

from retrieval.answer.answer_types import asked_for, carries, describe


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("vay vốn lãi mấy %/năm", ["percent"]),
        ("lai suat vay von bao nhieu", ["percent"]),
        ("giảm bao nhiêu phần trăm hộ nghèo", ["percent"]),
        ("được hỗ trợ bao nhiêu tiền", ["amount"]),
        ("dc ho tro bn trieu", ["amount"]),
        ("mức cho vay cao nhất", ["amount"]),
        ("có bao nhiêu nhiệm vụ", ["count"]),
        ("tổng cộng mấy nghìn hộ nghèo", ["count"]),
        ("ở mấy xã vùng cao", []),  # southern "mấy" = "các": not a count
        ("hộ nghèo được hỗ trợ mấy con dê giống", ["count"]),  # after a verb it is a question
        ("ký ban hành khi nào", ["date"]),
        ("hạn chót nộp đơn", ["date", "procedure"]),
        ("rà soát bao lâu một lần", ["duration"]),
        ("cần giấy tờ gì, nộp hồ sơ ở đâu", ["procedure", "where"]),
        ("muốn khiếu nại thì gửi đơn cho ai", ["appeal", "who"]),
        ("Ai tham gia giám sát", ["who"]),
        ("ai biết chỉ tui với", []),  # "ai biết" asks nobody's name
        ("cơ quan nào chịu trách nhiệm", ["who"]),
        ("hộ nghèo được hỗ trợ gì", []),
    ],
)
def test_asked_for(question, kinds):
    assert [a.kind for a in asked_for(question)] == kinds


@pytest.mark.parametrize(
    "question, sentence, ok",
    [
        ("lãi mấy %", "cho vay hộ nghèo với lãi suất 6,6%/năm", True),
        ("lãi mấy %", "cho vay hộ nghèo, hộ cận nghèo qua Ngân hàng Chính sách xã hội", False),
        ("lãi mấy %", "giảm tỷ lệ hộ nghèo bình quân trên 3%/năm", False),  # a percentage, but no interest
        ("hỗ trợ bao nhiêu tiền", "mức hỗ trợ 1.500.000 đồng", True),
        ("hỗ trợ bao nhiêu tiền", "mức hỗ trợ 2 triệu", True),
        ("hỗ trợ bao nhiêu tiền", "giảm 2% hộ nghèo", False),
        ("có bao nhiêu nhiệm vụ", "với 6 nhiệm vụ và giải pháp", True),
        ("có bao nhiêu nhiệm vụ", "nhiệm vụ trọng tâm", False),
        ("mấy nghìn hộ nghèo", "còn 2.300 hộ nghèo", True),
        ("mấy nghìn hộ nghèo", "giảm 1,5-2% hộ nghèo/năm", False),
        ("khi nào", "Ngày 29/11/2021, Ban Thường vụ ký", True),
        ("bao lâu một lần", "rà soát hộ nghèo hàng năm", True),
        ("thủ tục thế nào", "tuyên truyền sâu rộng", False),
        ("ai giám sát", "Mặt trận Tổ quốc tham gia giám sát", True),
    ],
)
def test_carries(question, sentence, ok):
    (asked, *_) = asked_for(question)
    assert carries(asked, sentence) is ok


def test_describe_names_what_is_missing():
    assert describe(asked_for("lãi mấy %, vay bao lâu")) == "lãi suất và thời hạn"
