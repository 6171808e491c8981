"""The CLI through ``main(argv)`` in-process over a private copy of the corpus, with the real
model; one real-process smoke test shows ``python -m retrieval`` itself works."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from retrieval.cli import main
from support.needs import require_model

REPO = Path(__file__).resolve().parents[2]
# A copy of ../shared/eval/dev.jsonl (the development questions and their gold passages), so the
# suite does not depend on a folder beside the repository.
EVAL = REPO / "tests" / "data" / "dev.jsonl"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(config: Path, *args: str, check: bool = True, stdin: str | None = None) -> Result:
    """``python -m retrieval --config config *args`` in this process: what it prints and returns."""
    out, err = io.StringIO(), io.StringIO()
    real_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(["--config", str(config), *args])
            except SystemExit as exit_:  # argparse's own refusals
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin = real_stdin
    result = Result(code, out.getvalue(), err.getvalue())
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(REPO / "corpus", root / "corpus")
    model = require_model()
    path = root / "config.toml"
    # the poverty standard of a fixed day, inside the notice window before 1 January 2027
    path.write_text(f'[embedding]\nmodel = "{model}"\n\n[eligibility]\nas_of = "2026-12-15"\n', encoding="utf-8")
    cache = REPO / "index" / "embedding-cache"
    if cache.exists():  # reuse vectors already computed on this machine: same result, faster
        shutil.copytree(cache, root / "index" / "embedding-cache")
    out = run(path, "build")
    assert "4 văn bản" in out.stdout
    return path


@pytest.mark.parametrize(
    "question, gold",
    [
        ("Chính sách tín dụng cho hộ nghèo, hộ cận nghèo được thực hiện qua ngân hàng nào?", "Ngân hàng Chính sách xã hội"),
        ("ho ngheo khong co kha nang lao dong duoc ho tro gi", "hộ nghèo không có khả năng lao động"),
        ("Kế hoạch 24-KH/TU của Tiền Giang có bao nhiêu nhiệm vụ và giải pháp?", "6 nhiệm vụ và giải pháp"),
    ],
)
def test_ask_answers_with_citations(config, question, gold):
    answer = json.loads(run(config, "ask", question, "--json").stdout)
    assert answer["found"] is True
    assert gold in answer["answer"]
    assert any(gold in c["text"] for c in answer["citations"])
    first = answer["citations"][0]
    assert set(first) >= {"passage_id", "text", "score", "location", "document", "number"}
    assert set(first["document"]) >= {"id", "title", "code", "issuer", "date", "type", "source_file", "url"}


@pytest.mark.parametrize("question", ["Giá vàng SJC hôm nay là bao nhiêu?", "Thời tiết Hà Nội ngày mai có mưa không?"])
def test_ask_abstains_out_of_scope(config, question):
    answer = json.loads(run(config, "ask", question, "--json").stdout)
    assert answer["found"] is False and answer["citations"] == []


def test_search_text_and_json(config):
    hits = json.loads(run(config, "search", "rà soát hộ nghèo hàng năm", "--k", "3", "--json").stdout)["hits"]
    assert len(hits) == 3 and "rà soát hộ nghèo" in hits[0]["text"].lower()
    text = run(config, "search", "OCOP", "--k", "2").stdout
    assert text.startswith("1. [") and "OCOP" in text


def test_run_questions_writes_one_line_per_question(config, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "Hộ nghèo được vay vốn ở đâu?"}\n{"id": "b", "question": "Giá vàng hôm nay?"}\n', encoding="utf-8")
    output = tmp_path / "out.jsonl"
    run(config, "run-questions", str(questions), "-o", str(output))
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert len(rows[0]["hits"]) == 10 and rows[0]["answer"]["found"] and not rows[1]["answer"]["found"]


def test_eval_meets_the_targets_on_the_dev_set(config):
    results = {r["mode"]: r for r in json.loads(run(config, "eval", str(EVAL), "--json").stdout)}
    hybrid = results["hybrid"]
    assert hybrid["recall_at_5"] >= 0.95 and hybrid["mrr_at_10"] >= 0.85
    assert hybrid["oos_abstention"] == 1.0 and hybrid["false_abstention"] == 0.0
    assert set(results) == {"hybrid", "bm25", "dense"}


def test_ask_is_logged_masked_and_the_report_shows_it(config):
    """The CLI's ask logs its question (face "cli", masked); eval and run-questions log nothing."""
    question = "Giá xăng dầu tháng này bao nhiêu? sđt của tôi 0912 345 678"
    run(config, "ask", question, "--json")
    data = json.loads(run(config, "report", "--json").stdout)
    [group] = [g for g in data["not_covered"] if "Giá xăng dầu" in g["representative"]]
    assert group["representative"] == "Giá xăng dầu tháng này bao nhiêu? sđt của tôi <SĐT>" and group["count"] == 1
    assert group["faces"] == ["cli"] and group["passage_label"]  # the nearest clause, labelled from the index
    records = (config.parent / "state" / "records.sqlite3").read_bytes()
    assert b"0912 345 678" not in records and "Giá xăng dầu".encode() in records
    assert sum(c["questions"] for c in data["coverage"]) == data["questions"] < 20  # not the dev set eval runs
    text = run(config, "report").stdout
    assert "Câu hỏi văn bản chưa trả lời" in text and "Giá xăng dầu tháng này bao nhiêu?" in text


def test_stale_index_is_refused_with_the_rebuild_command(config, tmp_path):
    stale_root = tmp_path / "stale"
    shutil.copytree(config.parent, stale_root)
    (stale_root / "corpus" / "extra.md").write_text("# Ghi chú\nHộ nghèo.", encoding="utf-8")
    result = run(stale_root / "config.toml", "ask", "hộ nghèo", check=False)
    assert result.returncode == 2
    assert "văn bản mới: extra.md" in result.stderr and "python -m retrieval build" in result.stderr


def test_add_list_remove_update_the_index(config, tmp_path):
    """add → the new document answers at once; list shows it; remove → it is gone. Only the
    new document is analysed and embedded."""
    root = tmp_path / "admin"
    shutil.copytree(config.parent, root)
    own = root / "config.toml"
    source = tmp_path / "Kế hoạch nuôi bò.txt"
    source.write_text(
        "ỦY BAN NHÂN DÂN\nTỈNH KON TUM\nSố: 88/KH-UBND\nKon Tum, ngày 3 tháng 4 năm 2024\nKẾ HOẠCH\n"
        "Hỗ trợ hộ nghèo nuôi bò sinh sản năm 2024\nI. NỘI DUNG\n"
        "1. Mỗi hộ nghèo tham gia mô hình được hỗ trợ một con bò cái giống và 2 triệu đồng làm chuồng trại.\n",
        encoding="utf-8",
    )
    added = run(own, "add", str(source), "--effective-to", "31/12/2030", "--yes")
    assert "mã ke-hoach-nuoi-bo" in added.stdout and "88/KH-UBND  (đọc từ văn bản)" in added.stdout
    assert "1 văn bản phân tích lại" in added.stdout and "5 văn bản" in added.stdout

    listed = json.loads(run(own, "list", "--json").stdout)["documents"]
    new = next(d for d in listed if d["id"] == "ke-hoach-nuoi-bo")
    assert (new["code"], new["date"], new["effective_to"], new["in_force"]) == ("88/KH-UBND", "2024-04-03", "2030-12-31", True)

    answer = json.loads(run(own, "ask", "hộ nghèo nuôi bò được hỗ trợ làm chuồng trại bao nhiêu tiền?", "--json").stdout)
    assert answer["found"] and answer["citations"][0]["document"]["id"] == "ke-hoach-nuoi-bo"

    removed = run(own, "remove", "ke-hoach-nuoi-bo")
    assert "0 văn bản phân tích lại" in removed.stdout and "4 văn bản" in removed.stdout
    refused = run(own, "add", str(tmp_path / "missing.pdf"), "--yes", check=False)
    assert refused.returncode == 2 and "không tìm thấy tệp" in refused.stderr


# -- kiemtra: the eligibility self-check ----------------------------------------------------------
ALL_IDS = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "school_attendance",
           "housing_quality", "housing_area", "water", "latrine", "telecom", "information"]


def test_kiemtra_with_flags_classifies_and_quotes_support(config):
    yes = ["health_insurance", "employment", "water"]  # "Có" is deprived, for every question
    no = [i for i in ALL_IDS if i not in yes]
    result = json.loads(run(config, "kiemtra", "--area", "nong-thon", "--members", "4", "--income", "5,8 triệu",
                            "--yes", ",".join(yes), "--no", ",".join(no), "--date", "2024-06-01", "--json").stdout)
    assert (result["classification"], result["label"]) == ("poor", "Hộ nghèo")
    assert result["per_person_income"] == 1_450_000 and result["deprivation_count"] == 3 and result["coming"] is None
    assert result["reasoning"][0] == "Thu nhập bình quân: 5.800.000 đồng ÷ 4 người = 1.450.000 đồng/người/tháng."
    assert result["legal_basis"]["code"] == "07/2021/NĐ-CP" and "rà soát" in result["notice"]
    assert result["support"] and all("hộ nghèo" in c["text"] for c in result["support"])
    assert [c["number"] for c in result["support"]] == list(range(1, len(result["support"]) + 1))


def test_kiemtra_asks_one_question_at_a_time_and_goes_back(config):
    # 15 December 2026: today's 12 questions and the 2 the 2027 standard adds, asked in turn.
    # nông thôn, 3 người, b(ack), 2 người, 3 triệu, có then b(ack) on question 1, then không…
    answers = ["nông thôn", "3", "b", "2", "3 trieu", "c", "b"] + ["k"] * 14
    out = run(config, "kiemtra", "--no-support", stdin="\n".join(answers) + "\n").stdout
    assert "Câu 1/17" in out and "Câu 17/17" in out and "[theo dự thảo, chờ văn bản chính thức]" in out
    assert "Kết quả: Hộ cận nghèo" in out
    assert "3.000.000 đồng ÷ 2 người = 1.500.000 đồng/người/tháng" in out  # the corrected size counts
    assert "Hộ không thiếu hụt chỉ số nào" in out  # the answer taken back does not
    assert "Căn cứ: Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP" in out
    assert "Lưu ý: Việc công nhận hộ nghèo, hộ cận nghèo do Ủy ban nhân dân cấp xã" in out
    assert "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ cận nghèo" in out  # 1.500.000 ≤ 2.200.000, nothing deprived
    cancelled = run(config, "kiemtra", "--no-support", stdin="n\n4\n", check=False)
    assert cancelled.returncode == 1 and "Đã hủy kiểm tra." in cancelled.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--area", "urban", "--members", "2", "--income", "1tr", "--yes", "water"], "Còn thiếu câu trả lời cho 11/12 câu hỏi"),
        (["--area", "urban", "--members", "0", "--income", "1tr"], "Số người phải từ 1 trở lên."),
        (["--area", "urban", "--members", "2", "--income=-1tr"], "không thể là số âm"),
        (["--members", "2"], "Thiếu --area, --income"),
        (["--date", "2021-12-31", "--questions"], "Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021"),
    ],
)
def test_kiemtra_refuses_bad_input(config, args, message):
    result = run(config, "kiemtra", "--no-support", *args, check=False)
    assert result.returncode == 2 and message in result.stderr


@pytest.mark.slow
def test_python_m_retrieval_answers_as_a_real_process(config):
    """The one real-process smoke test of the CLI face: its entry point, imports and exit code."""
    result = subprocess.run(
        [sys.executable, "-m", "retrieval", "--config", str(config), "ask", "Hộ nghèo được vay vốn ở đâu?", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["found"] and "Ngân hàng Chính sách xã hội" in answer["answer"]
