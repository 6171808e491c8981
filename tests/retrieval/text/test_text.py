import pytest

from retrieval.text.core import content_syllables, fold, lexical_terms, normalize, query_pairs, split_clauses, split_sentences, strip_markup, syllables, truncate_words


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Ho\u0323\u0302 nghe\u0300o", "Hộ nghèo"),  # NFD -> NFC
        ("a\u00a0 b\r\nc", "a b\nc"),
        ("x\u200by", "xy"),
        ("  đầu dòng  ", "đầu dòng"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hộ nghèo được hỗ trợ gì", "ho ngheo duoc ho tro gi"),
        ("ĐẢNG ỦY", "dang uy"),
        ("Ho\u0323\u0302 nghe\u0300o", "ho ngheo"),
        ("ho ngheo", "ho ngheo"),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_accented_and_unaccented_questions_share_tokens():
    assert syllables("hộ nghèo được hỗ trợ gì") == syllables("ho ngheo duoc ho tro gi")
    assert set(syllables("ho ngheo duoc ho tro gi")) <= set(lexical_terms("Hộ nghèo được hỗ trợ gì"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("từ 14,93% xuống 5,33%", ["tu", "14,93", "xuong", "5,33"]),
        ("Ngày 29/11/2021", ["ngay", "29/11/2021"]),
        ("19-CT/TU", ["19", "ct", "tu"]),
    ],
)
def test_numbers_stay_whole(text, expected):
    assert syllables(text) == expected


@pytest.mark.parametrize(
    "text, kept, dropped",
    [
        ("Giảm nghèo đa chiều đã đạt", {"da", "chieu"}, set()),  # 'đa' is content, 'đã' a function word
        ("Hộ nghèo được hỗ trợ gì?", {"ho", "ngheo", "tro"}, {"duoc", "gi"}),
    ],
)
def test_content_syllables_compare_accented_words_accented(text, kept, dropped):
    words = set(content_syllables(text))
    assert kept <= words and not (dropped & words)


def test_query_pairs_break_at_function_words():
    assert query_pairs("Thủ tục đăng ký kết hôn cần giấy tờ gì?") == ["thu_tuc", "tuc_dang", "dang_ky", "ky_ket", "ket_hon", "giay_to"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Câu một. Câu hai!", ["Câu một.", "Câu hai!"]),
        ("TP. Hồ Chí Minh có 1. Mục này.", ["TP. Hồ Chí Minh có 1. Mục này."]),
        ("Ngày 29/11/2021, ký. “Trích” Tiếp.", ["Ngày 29/11/2021, ký.", "“Trích” Tiếp."]),
        ("không có dấu chấm", ["không có dấu chấm"]),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_split_clauses_keeps_semicolons():
    assert split_clauses("a; b; c") == ["a;", "b;", "c"]


def test_truncate_words():
    assert truncate_words("một hai ba bốn", 9) == "một hai…"
    assert truncate_words("ngắn", 10) == "ngắn"


def test_normalize_survives_a_lone_surrogate():
    # broken client input must not crash segmentation later on
    assert normalize("hộ nghèo \ud800") == "hộ nghèo ?"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("<b>hộ nghèo</b> & cận nghèo", " hộ nghèo  & cận nghèo"),
        ('<a href="x">vay vốn</a>', " vay vốn "),
        ("<br/>dòng<br />", " dòng "),
        ("thu nhập < 1,5 triệu và > 1 triệu", "thu nhập < 1,5 triệu và > 1 triệu"),  # comparisons stay
        ("<3 hộ", "<3 hộ"),
        ("", ""),
    ],
)
def test_strip_markup(text, expected):
    assert strip_markup(text) == expected


@pytest.mark.parametrize(
    "text, pairs",
    [
        ("người có công", {"nguoi+co", "co+cong"}),
        ("ban tren mang", {"ban+tren", "tren+mang"}),  # typed without accents: the same terms
        ("Bán trên mạng", {"ban+tren", "tren+mang"}),
    ],
)
def test_lexical_terms_hold_adjacent_syllable_pairs(text, pairs):
    assert pairs <= set(lexical_terms(text))


def test_a_phrase_outranks_its_syllables_scattered():
    from retrieval.index.lexical import BM25Index

    passages = ["chính sách cho người có công với cách mạng", "người dân có việc làm, người nghèo có công việc, công tác giảm nghèo"]
    index = BM25Index.build([lexical_terms(p) for p in passages], k1=1.2, b=0.75)
    scores = index.scores(lexical_terms("người có công"))
    assert scores[0] > scores[1]
