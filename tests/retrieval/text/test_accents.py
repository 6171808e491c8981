import pytest

from retrieval.text.accents import AccentRestorer

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
