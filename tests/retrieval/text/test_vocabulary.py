"""The citizen-to-document vocabulary: the shipped file and its validation."""

import pytest

from retrieval.errors import VocabularyError
from retrieval.text.vocabulary import Vocabulary, parse_entries


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary.load()


def test_the_shipped_file_is_valid_and_every_entry_says_where_it_comes_from(vocabulary):
    assert len(vocabulary.entries) >= 50
    assert all(e.source and e.say and e.means for e in vocabulary.entries)


@pytest.mark.parametrize(
    "question, typed, means",
    [
        ("bà con bán nông sản trên mạng được không", "bán trên mạng", "thương mại điện tử"),  # "bán … trên mạng"
        ("ba con ban nong san tren mang", "ban tren mang", "thương mại điện tử"),  # without diacritics
        ("hộ nghèo muốn vay tiền", "vay tiền", "vay vốn"),
        ("con học cấp 2", "cấp 2", "trung học cơ sở"),
        ("con học cấp 3", "cấp 3", "trung học phổ thông"),
        ("đi làm nước ngoài có được hỗ trợ", "đi làm nước ngoài", "làm việc ở nước ngoài theo hợp đồng"),
        ("trạm xá xã tui", "trạm xá", "trạm y tế"),
        ("đường sá còn thiếu", "đường sá", "kết cấu hạ tầng"),
        ("thẻ BHYT cho hộ cận nghèo", "BHYT", "bảo hiểm y tế"),
        ("bảo hiểm y tế cho hộ cận nghèo", "bảo hiểm y tế", "BHYT"),  # abbreviations both ways
        ("làm NTM ở xã", "NTM", "nông thôn mới"),
        ("ngân hàng CSXH", "CSXH", "Ngân hàng Chính sách xã hội"),
        ("vai trò của MTTQ", "MTTQ", "Mặt trận Tổ quốc"),
        ("UBND xã", "UBND", "ủy ban nhân dân"),
        ("sản phẩm OCOP", "OCOP", "mỗi xã một sản phẩm"),
        ("HTX nông nghiệp", "HTX", "hợp tác xã"),
        ("chương trình MTQG", "MTQG", "mục tiêu quốc gia"),
        ("tỉnh uỷ ban hành, uỷ ban xã", "uỷ ban xã", "chính quyền cơ sở"),  # either tone placement
    ],
)
def test_citizens_words_find_the_documents_words(vocabulary, question, typed, means):
    matches = vocabulary.find(question)
    found = {m.typed: m.means for m in matches}
    assert typed in found and means in found[typed]


def test_no_match_in_plain_document_words(vocabulary):
    assert vocabulary.find("tỷ lệ hộ nghèo đa chiều") == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"words": [{"say": "vay tiền", "means": "vay vốn"}]}, "thiếu 'source'"),
        ({"words": [{"say": [], "means": "vay vốn", "source": "x"}]}, "'say' phải là"),
        ({"words": [{"say": "vay tiền", "means": "", "source": "x"}]}, "'means' phải là"),
        ({"words": [{"say": "vay tiền", "means": "vay vốn", "source": "x", "note": 1}]}, "trường lạ"),
        ({"word": []}, "bảng lạ"),
        ({"words": [{"say": "a b c d e f g h i", "means": "x", "source": "x"}]}, "từ 1 đến 8 tiếng"),
        ({"words": [{"say": "vay tiền", "means": "a", "source": "x"}, {"say": "Vay Tiền", "means": "b", "source": "x"}]}, "đã có ở"),
        ({"abbreviations": [{"short": "BHYT", "source": "x"}]}, "'full' phải là"),
    ],
)
def test_a_broken_entry_is_refused_naming_it_in_vietnamese(data, message):
    with pytest.raises(VocabularyError, match=message):
        parse_entries(data, "tu-vung.toml")


def test_a_cadre_can_point_to_another_file(tmp_path):
    path = tmp_path / "vocab.toml"
    path.write_text('[[words]]\nsay = ["xe ôm"]\nmeans = ["vận tải"]\nsource = "thử"\n', encoding="utf-8")
    assert Vocabulary.load(path).find("chạy xe ôm")[0].means == ("vận tải",)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[words]\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match="không đúng cú pháp TOML"):
        Vocabulary.load(bad)
