import json

import pytest

from retrieval.text.accents import AccentRestorer
from retrieval.text.lexicon import Lexicon, general_lexicon

CORPUS_TEXT = [
    "Hộ nghèo không có khả năng lao động được hỗ trợ riêng.",
    "Tỷ lệ hộ nghèo vùng đồng bào dân tộc thiểu số cuối năm 2020 là 16,18%.",
    "Hộ cận nghèo được vay vốn ưu đãi.",
]


@pytest.mark.parametrize(
    "typed, restored",
    [
        ("ho ngheo khong co kha nang lao dong", "hộ nghèo không có khả năng lao động"),
        ("ty le ho ngheo cuoi nam 2020?", "tỷ lệ hộ nghèo cuối năm 2020?"),
        ("ho can ngheo vay von", "hộ cận nghèo vay vốn"),
        ("Hộ nghèo vay vốn", "Hộ nghèo vay vốn"),  # already accented: untouched
        ("xyz ho ngheo", "xyz hộ nghèo"),  # unknown syllables stay as typed
    ],
)
def test_restore(typed, restored):
    assert AccentRestorer.build(CORPUS_TEXT).restore(typed) == restored


def test_save_and_load(tmp_path):
    restorer = AccentRestorer.build(CORPUS_TEXT)
    restorer.save(tmp_path)
    assert AccentRestorer.load(tmp_path).restore("ho ngheo") == "hộ nghèo"


# How people write, beside how the documents do: the corpus never says "bà con" or "bao
# nhiêu"; the lexicon (a few words of underthesea's Viet74K here) does.
CHAT_LEXICON = Lexicon.of_words(["bà con", "bao nhiêu", "làm ăn", "đông dược", "dân tộc", "bảo vệ", "con cái", "gì", "ba"])


@pytest.mark.parametrize(
    "typed, restored",
    [
        ("ba con dan toc", "bà con dân tộc"),  # a pair only the lexicon knows
        ("ty le ho ngheo bao nhieu", "tỷ lệ hộ nghèo bao nhiêu"),
        ("ho ngheo duoc ho tro gi", "hộ nghèo được hỗ trợ gì"),  # a chat word the corpus lacks
        ("khong co kha nang lao dong duoc ho tro", "không có khả năng lao động được hỗ trợ"),  # the corpus's "động được", not the lexicon's "đông dược"
    ],
)
def test_restore_with_a_lexicon(typed, restored):
    corpus = CORPUS_TEXT + ["Người lao động được hỗ trợ học nghề."]
    assert AccentRestorer.build(corpus, CHAT_LEXICON).restore(typed) == restored


def test_without_the_lexicon_the_corpus_alone_misreads_chat():
    # the reason the lexicon exists: "bao nhieu" read from the documents' words only
    assert AccentRestorer.build(CORPUS_TEXT + ["Đảm bảo nhiều hộ được vay vốn."]).restore("bao nhieu") != "bao nhiêu"


def test_the_lexicon_is_saved_with_the_restorer(tmp_path):
    AccentRestorer.build(CORPUS_TEXT, CHAT_LEXICON).save(tmp_path)
    assert AccentRestorer.load(tmp_path).restore("ba con dan toc") == "bà con dân tộc"


def test_a_build_from_before_the_lexicon_still_loads(tmp_path):
    (tmp_path / "accents.json").write_text(json.dumps({"forms": {"ho": [["hộ", 3]]}, "pairs": {}}), encoding="utf-8")
    assert AccentRestorer.load(tmp_path).restore("ho") == "hộ"


@pytest.mark.parametrize(
    "typed, restored",
    [
        ("ho ngheo duoc vay von o dau", "hộ nghèo được vay vốn ở đâu"),  # an interrogative, not "ở đậu" (lodging)
        ("ty le ho ngheo bao nhieu", "tỷ lệ hộ nghèo bao nhiêu"),
        ("ba con dan toc", "bà con dân tộc"),
        ("khi nao thi duoc vay von", "khi nào thì được vay vốn"),  # wordfreq: "thì" is common, "thị" is not
        ("tien giang, ho can ngheo", "tiền giang, hộ cận nghèo"),
    ],
)
def test_restore_with_the_installed_lexicon(typed, restored):
    assert AccentRestorer.build(CORPUS_TEXT, general_lexicon()).restore(typed) == restored
