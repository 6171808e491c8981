"""Seeded, generated citizen questions on known topics, for the report's grouping test and its
benchmark (bench/bench_report.py): each topic's questions are wordings of one need, typed the way
people type (without diacritics, chat words, a phone number or a name, capitals)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from retrieval.text.core import fold

TOPICS: dict[str, tuple[str, ...]] = {
    "lai_suat": (
        "Lãi suất vay vốn ngân hàng chính sách cho hộ nghèo là bao nhiêu?",
        "hộ nghèo vay vốn ngân hàng chính sách lãi suất bao nhiêu một tháng",
        "lãi suất vay vốn chính sách của hộ nghèo hiện nay",
        "vay vốn ngân hàng chính sách thì lãi suất thế nào",
    ),
    "the_bhyt": (
        "Thủ tục cấp thẻ bảo hiểm y tế cho hộ cận nghèo thế nào?",
        "làm thẻ bảo hiểm y tế cho hộ cận nghèo cần giấy tờ gì",
        "hộ cận nghèo xin cấp thẻ bảo hiểm y tế ở đâu",
    ),
    "hoc_phi": (
        "Con hộ nghèo có được miễn học phí không?",
        "miễn học phí cho con hộ nghèo đi học",
        "học sinh con hộ nghèo được miễn giảm học phí thế nào",
    ),
    "tien_dien": (
        "Hộ nghèo được hỗ trợ tiền điện bao nhiêu mỗi tháng?",
        "tiền điện hỗ trợ hộ nghèo mỗi tháng là bao nhiêu",
        "hỗ trợ tiền điện cho hộ nghèo nhận ở đâu",
    ),
    "thoat_ngheo": (
        "Thoát nghèo rồi có còn được hỗ trợ nữa không?",
        "hộ mới thoát nghèo còn được hưởng hỗ trợ không",
        "sau khi thoát nghèo được hỗ trợ thêm mấy năm",
    ),
    "cao_tuoi": (
        "Người cao tuổi trong hộ nghèo được trợ cấp bao nhiêu?",
        "trợ cấp người cao tuổi hộ nghèo mỗi tháng",
        "người cao tuổi neo đơn hộ nghèo có trợ cấp không",
    ),
    "nuoc_sach": (
        "Hộ nghèo vùng núi được hỗ trợ nước sạch sinh hoạt không?",
        "hỗ trợ nước sạch sinh hoạt cho hộ nghèo",
        "làm bể nước sạch sinh hoạt cho hộ nghèo có hỗ trợ không",
    ),
    "xuat_khau_ld": (
        "Đi xuất khẩu lao động có được vay vốn hỗ trợ không?",
        "người hộ nghèo đi xuất khẩu lao động được hỗ trợ gì",
        "xuất khẩu lao động hộ nghèo vay vốn ở đâu",
    ),
}
# topic sizes of the seeded 200: uneven, as real logs are
SIZES_200 = {"lai_suat": 48, "the_bhyt": 34, "hoc_phi": 28, "tien_dien": 24, "thoat_ngheo": 22, "cao_tuoi": 18, "nuoc_sach": 14, "xuat_khau_ld": 12}
_OPENERS = ("", "", "", "cho hỏi ", "ad ơi cho e hỏi ", "xin hỏi ", "tôi muốn hỏi ", "Tôi là Nguyễn Văn An, ", "anh Tuấn hỏi: ")
_CLOSERS = ("", "", "", " ạ", " vậy ad", " nhé", " sđt 0912 345 678", " ko ạ", " cảm ơn")


@dataclass(frozen=True)
class Generated:
    topic: str
    text: str


def _variant(rng: random.Random, template: str) -> str:
    text = rng.choice(_OPENERS) + (template[0].lower() + template[1:] if rng.random() < 0.5 else template) + rng.choice(_CLOSERS)
    if rng.random() < 0.3:
        text = fold(text)  # typed without diacritics
    if rng.random() < 0.1:
        text = text.upper() if rng.random() < 0.3 else text.capitalize()
    return text


def generate(sizes: dict[str, int] = SIZES_200, seed: int = 14) -> list[Generated]:
    """Questions on each topic, the first wording the most common; shuffled."""
    rng = random.Random(seed)
    out = []
    for topic, size in sizes.items():
        templates = TOPICS[topic]
        weights = [3] + [1] * (len(templates) - 1)
        out += [Generated(topic, _variant(rng, rng.choices(templates, weights)[0])) for _ in range(size)]
    rng.shuffle(out)
    return out
