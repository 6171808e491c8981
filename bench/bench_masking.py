"""Measures the personal-data masking (not a test): false positives on real questions with no
personal data (the shared eval sets and bench/questions-extra.jsonl, each also typed without
diacritics), misses on generated questions carrying each kind, and the time per question.
Writes bench/results/masking.json.

    .venv/bin/python bench/bench_masking.py
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_retrieval import machine  # noqa: E402
from retrieval.privacy import mask  # noqa: E402
from retrieval.text.core import fold  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh"]
GIVEN = ["An", "Bình", "Lan", "Hoa", "Tuấn", "Hùng", "Dũng", "Mai", "Linh", "Phúc"]
PLACES = ["Phú Mỹ", "Bình Hòa", "Tân Lập", "Hòa Bình", "Lê Lợi"]
TEMPLATES = {
    "name": [
        "Tôi là {n}, hộ nghèo có được vay vốn không", "Bà {n} ở xã Ba Thành hỏi về hỗ trợ nhà ở", "cho hỏi hồ sơ của {n} đã duyệt chưa",
        "mẹ tôi là {n} bị bệnh", "tôi tên là {l} ở xã Ba Thành", "{n} có phải hộ cận nghèo không", "con tôi {n} học lớp 5 được miễn học phí không",
        "ad ơi em là {n}, nhà em nghèo", "toi la {f}, ho ngheo duoc ho tro gi",
    ],
    "address": [
        "tôi ở thôn {k} xã Ba Thành", "nhà ở ấp {p} xã Tân Phú", "tổ {k} khu phố {k} phường 3", "nhà số {k} đường {p}", "ở xóm {k} được hỗ trợ không",
        "o thon {k} xa binh son", "toi o thon {fp} xa ba thanh",
    ],
    "phone": ["sđt {m}", "gọi cho tôi {m} nhé", "zalo {m}", "so dien thoai {m}"],
    "cccd": ["số CCCD {c}", "căn cước của tôi {c}", "cccd: {c}"],
}


def _clean_questions() -> list[str]:
    files = sorted((REPO.parent / "shared" / "eval").glob("*.jsonl")) + [REPO / "bench" / "questions-extra.jsonl"]
    questions = [json.loads(line)["question"] for f in files if f.exists() for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = list(dict.fromkeys(questions))
    return questions + [fold(q) for q in questions]


def _spell(rng: random.Random, digits: str, sizes: tuple[int, ...]) -> str:
    sep = rng.choice(["", " ", ".", "-"])
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


def main() -> None:
    rng = random.Random(7)
    clean = _clean_questions()
    mask(clean[0])
    started = time.perf_counter()
    changed = [(q, mask(q).text) for q in clean if mask(q).changed]
    ms = (time.perf_counter() - started) / len(clean) * 1000
    results = {"machine": machine(), "clean_questions": len(clean), "false_positives": len(changed), "false_positive_examples": changed[:10], "ms_per_question": round(ms, 1), "kinds": {}}
    for kind, templates in TEMPLATES.items():
        found, total, missed = 0, 0, []
        for template in templates:
            for _ in range(25):
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                mobile = rng.choice(["09", "03", "08", "07", "05"]) + rng.choice("12345689") + "".join(rng.choices("0123456789", k=7))
                card = rng.choice(["001", "079", "048", "052", "084"]) + rng.choice("0123") + "".join(rng.choices("0123456789", k=8))
                text = template.format(
                    n=name, l=name.lower(), f=fold(name), k=rng.randint(1, 20), p=rng.choice(PLACES), fp=fold(rng.choice(PLACES)).lower(),
                    m=rng.choice([_spell(rng, mobile, (4, 3, 3)), "+84 " + _spell(rng, mobile[1:], (3, 3, 3))]), c=_spell(rng, card, (3, 3, 3, 3)),
                )
                total += 1
                if kind in mask(text).kinds or (kind == "cccd" and "cmnd" in mask(text).kinds):
                    found += 1
                else:
                    missed.append(text)
        results["kinds"][kind] = {"texts": total, "masked": found, "missed_examples": sorted(set(missed))[:5]}
        print(f"{kind:<8} {found}/{total} masked" + (f"; missed e.g. {missed[0]!r}" if missed else ""))
    print(f"clean questions: {len(changed)} of {len(clean)} changed; {ms:.1f} ms per question")
    out = REPO / "bench" / "results" / "masking.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
