"""Chat language read as the documents would spell it (retrieval/chat.py)."""

import pytest

from retrieval.text.chat import ChatReader

# a tiny corpus lexicon: folded syllable -> accented forms with counts, and accented pairs
FORMS = {
    "ho": [("hộ", 40), ("hỗ", 30)], "tro": [("trợ", 30)], "ngheo": [("nghèo", 50)], "giam": [("giảm", 20)],
    "chinh": [("chính", 25)], "sach": [("sách", 25)], "khong": [("không", 10)], "duoc": [("được", 12)],
    "du": [("du", 3)], "lich": [("lịch", 3)], "quang": [("quảng", 2)], "ngai": [("ngãi", 2)],
}
PAIRS = {"hỗ trợ": 30, "hộ nghèo": 40, "giảm nghèo": 20, "chính sách": 25, "du lịch": 3, "quảng ngãi": 2}


@pytest.fixture(scope="module")
def reader():
    return ChatReader(FORMS, PAIRS, names=frozenset({"kon", "tum", "dak", "nong"}))


@pytest.mark.parametrize(
    "typed, read",
    [
        ("hộ nghèo được hỗ trợ 1.500.000đ hay 2,2 triệu?", "hộ nghèo được hỗ trợ 1.500.000đ hay 2,2 triệu?"),  # amounts untouched
        ("CCCD 079203001234 dc ko", "CCCD 079203001234 duoc khong"),  # ID number untouched (typed without accents)
        ("số CCCD 079203001234 đc ko", "số CCCD 079203001234 được không"),
        ("Chỉ thị 19-CT/TU ký ngày 29/11/2021", "Chỉ thị 19-CT/TU ký ngày 29/11/2021"),  # codes and dates untouched
        ("nhà em ko đc hỗ trợ j", "nhà em không được hỗ trợ gì"),
        ("tỉnh làm ntn vậy", "tỉnh làm như thế nào vậy"),
        ("có chương trình riêng hok", "có chương trình riêng không"),
        ("học xong mà cty ko tuyển", "học xong mà công ty không tuyển"),
        ("phổ biến cho ng dân", "phổ biến cho người dân"),
        ("giảm nghèo k", "giảm nghèo không"),
        ("ty le bn", "ty le bao nhieu"),  # typed without accents: expansions stay unaccented
        ("ho tro dc ko ad", "ho tro duoc khong ad"),
        ("giảm ngèo chậm", "giảm nghèo chậm"),  # not a syllable: corrected at edit distance 1
        ("mấy chính sácg", "mấy chính sách"),
        ("khách du lịhc", "khách du lịch"),
        ("được hổ trợ", "được hỗ trợ"),  # hỏi/ngã between two real syllables, by the corpus pair
        ("hoà bình, thuỷ lợi", "hòa bình, thủy lợi"),  # one tone placement
        ("Kon Tum, Đắk Nông", "Kon Tum, Đắk Nông"),  # names are not spelt by a dictionary
        ("kon tum cu", "kon tum cu"),  # place syllables typed lower case neither
        ("UBND xã, BHYT", "UBND xã, BHYT"),  # the documents' abbreviations stay for the vocabulary
        ("800k một tháng", "800k một tháng"),
    ],
)
def test_reading(reader, typed, read):
    assert reader.read(typed).text == read


def test_changes_are_reported_and_nothing_else_moves(reader):
    reading = reader.read("nhà em ko đc, 2,2 triệu!")
    assert ("ko", "không") in reading.changes and ("đc", "được") in reading.changes
    assert reading.text == "nhà em không được, 2,2 triệu!"


def test_shop_and_accounting_senses_of_iftc_are_not_used(reader):
    # iftc maps "ct" to "chứng từ" and "tk" to "tài khoản"; here they mean other things
    assert reader.read("ct tu tk").text == "ct tu tk"
