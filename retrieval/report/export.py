"""The report as CSV (one table, a ``muc`` column says which part a row belongs to, so a
spreadsheet filters it) and as plain text for the terminal."""

from __future__ import annotations

import csv
import io

from .build import QuestionGroup, Report

FACE_LABELS = {"telegram": "Telegram", "widget": "widget", "api": "API", "cli": "dòng lệnh"}
CSV_COLUMNS = ("muc", "noi_dung", "so_luong", "ty_le_tra_loi", "tu_ngay", "den_ngay", "kenh", "ma_doan", "doan_gan_nhat", "cach_hoi_khac")
SECTIONS = {"not_covered": "chua_co_van_ban", "disliked": "khong_hai_long", "coverage": "do_phu_theo_tuan", "cited": "dieu_khoan_duoc_trich"}


def _group_rows(section: str, groups: tuple[QuestionGroup, ...]) -> list[dict]:
    return [
        {
            "muc": SECTIONS[section], "noi_dung": g.representative, "so_luong": g.count, "tu_ngay": g.first_day.isoformat(), "den_ngay": g.last_day.isoformat(),
            "kenh": " ".join(g.faces), "ma_doan": g.passage_id or "", "doan_gan_nhat": g.passage_label or "", "cach_hoi_khac": " | ".join(g.examples),
        }
        for g in groups
    ]


def to_csv(report: Report) -> str:
    """Every part of the report in one CSV (UTF-8, a header row)."""
    rows = _group_rows("not_covered", report.not_covered) + _group_rows("disliked", report.disliked)
    rows += [
        {"muc": SECTIONS["coverage"], "noi_dung": f"tuần từ {c.week.isoformat()}", "so_luong": c.questions, "ty_le_tra_loi": f"{c.share:.3f}", "tu_ngay": c.week.isoformat(), "kenh": c.face}
        for c in report.coverage
    ]
    rows += [{"muc": SECTIONS["cited"], "noi_dung": c.label or c.passage_id, "so_luong": c.count, "ma_doan": c.passage_id, "doan_gan_nhat": c.label or ""} for c in report.cited]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _when(report: Report) -> str:
    since = report.since.strftime("%d/%m/%Y") if report.since else "đầu"
    until = report.until.strftime("%d/%m/%Y") if report.until else "nay"
    return f"từ {since} đến {until}" + (f", văn bản {report.document_id}" if report.document_id else "")


def _group_lines(groups: tuple[QuestionGroup, ...], clause: str) -> list[str]:
    lines = []
    for n, g in enumerate(groups, start=1):
        days = g.first_day.strftime("%d/%m/%Y") + ("" if g.last_day == g.first_day else f"–{g.last_day.strftime('%d/%m/%Y')}")
        lines.append(f"{n}. [{g.count} lần, {days}] {g.representative}")
        for example in g.examples:
            lines.append(f"     · {example}")
        if g.passage_label or g.passage_id:
            lines.append(f"     {clause}: {g.passage_label or g.passage_id}")
    return lines or ["(không có)"]


def to_text(report: Report) -> str:
    share = f"{report.answered / report.questions:.0%}" if report.questions else "—"
    lines = [
        f"Báo cáo câu hỏi của người dân {_when(report)}",
        f"{report.questions} câu hỏi, {report.answered} câu được trả lời ({share}); góp ý: {report.votes.get('up', 0)} 👍, {report.votes.get('down', 0)} 👎.",
        "",
        f"Câu hỏi văn bản chưa trả lời ({sum(g.count for g in report.not_covered)} câu, {len(report.not_covered)} nhóm):",
        *_group_lines(report.not_covered, "Đoạn gần nhất tìm được"),
        "",
        f"Câu trả lời bị đánh giá 👎 ({sum(g.count for g in report.disliked)} lượt, {len(report.disliked)} nhóm):",
        *_group_lines(report.disliked, "Đoạn đã trích"),
        "",
        "Tỷ lệ trả lời theo tuần:",
        *[f"  {c.week.strftime('%d/%m/%Y')} {FACE_LABELS.get(c.face, c.face):<10} {c.answered:>5}/{c.questions:<5} {c.share:>5.0%}" for c in report.coverage],
        "",
        "Điều khoản được trích nhiều nhất:",
        *[f"  {c.count:>5} × {c.label or c.passage_id}" for c in report.cited],
    ]
    return "\n".join(lines)
