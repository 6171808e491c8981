"""Command line that mirrors the library: build, use-build, add, remove, list, search, ask, chat, kiemtra, report, run-questions, eval."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

from .contract import (
    AnswerOut,
    CorpusOut,
    EligibilityOut,
    HitOut,
    QuestionRunOut,
    SearchOut,
    Shape,
)
from .domain import Answer, Hit
from .eligibility.form import CheckForm
from .eligibility.rule import EligibilityResult, Household, assess
from .eligibility.standards import AREA_LABELS, load_standards
from .errors import EligibilityInputError, RetrievalError
from .index.load import load_index, use_build
from .ingest.catalog import Catalog
from .ingest.corpus import load_corpus
from .records import open_records
from .report import build_report, index_labels, to_csv, to_text
from .service.assistant import Assistant, build
from .service.evaluation import evaluate, load_questions
from .settings import Settings, load_settings
from .text.amounts import format_money
from .text.core import truncate_words

MODES = ("hybrid", "bm25", "dense")


def _print_json(data: Shape | list) -> None:
    """A shape of the JSON contract (docs/api-contract.md), or a list of plain rows."""
    print(json.dumps(data.to_json() if isinstance(data, Shape) else data, ensure_ascii=False, indent=2))


def _format_hit(rank: int, hit: Hit) -> str:
    meta = hit.document.metadata
    when = f", {meta.date.strftime('%d/%m/%Y')}" if meta.date else ""
    return f"{rank}. [{hit.score:.4f}] {meta.short_name}{when} — {hit.passage.location_text}\n   {hit.passage.text}"


def format_answer(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        lines.append("Nguồn:")
        lines.extend(c.label for c in answer.citations)
    if answer.related:  # not an answer: the nearest clauses, to read for oneself
        lines.append("")
        lines.append("Có thể liên quan (không phải câu trả lời):")
        for hit in answer.related:
            meta = hit.document.metadata
            lines.append(f"- {meta.short_name} — {hit.passage.location_text}: {truncate_words(hit.passage.text, 160)}")
    return "\n".join(lines)


def _settings_for(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if getattr(args, "mode", None) and isinstance(args.mode, str):
        settings = settings.with_overrides(search={"mode": args.mode})
    return settings


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    report = build(settings)
    for message in report.skipped + report.warnings:
        print(f"! {message}", file=sys.stderr)
    print(
        f"Đã xây dựng chỉ mục {report.build_id}: {report.documents} văn bản, {report.passages} đoạn "
        f"({report.searchable_passages} dùng để tìm; {report.analysed} văn bản mới phân tích), "
        f"{report.windows} cửa sổ nhúng ({report.embedded} mới), {report.seconds:.1f} giây."
    )
    return 0


def cmd_use_build(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    index = use_build(settings, args.build_id)
    counts = index.manifest["counts"]
    print(f"Chỉ mục hiện hành: {args.build_id} ({counts['documents']} văn bản, {counts['passages']} đoạn). Dịch vụ đang chạy chuyển sang khi nhận SIGHUP (systemctl reload …).")
    return 0


_FIELD_LABELS = {
    "title": "Tên văn bản", "type": "Loại", "code": "Số hiệu", "issuer": "Cơ quan ban hành", "province": "Tỉnh/thành",
    "province_now": "Tỉnh/thành hiện nay", "locality": "Địa bàn (huyện, thành phố cũ)",
    "date": "Ngày ban hành", "effective_from": "Hiệu lực từ", "effective_to": "Hiệu lực đến", "replaced_by": "Thay thế bởi",
    "url": "Đường dẫn", "signer": "Người ký", "notes": "Ghi chú",
}


def _print_entry(entry: dict, guessed: dict | None = None) -> None:
    for key, label in _FIELD_LABELS.items():
        value = entry.get(key)
        if value is None:
            continue
        source = "" if guessed is None else ("  (đọc từ văn bản)" if guessed.get(key) == value else "  (bạn nhập)")
        print(f"  {label:<17} {value}{source}")


def _build_and_report(settings: Settings) -> None:
    report = build(settings)
    for message in report.skipped:
        print(f"! {message}", file=sys.stderr)
    print(f"Đã cập nhật chỉ mục {report.build_id}: {report.documents} văn bản; {report.analysed} văn bản phân tích lại, {report.embedded} cửa sổ nhúng mới, {report.seconds:.1f} giây.")


def cmd_add(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    catalog = Catalog(settings)
    source = Path(args.file)
    values = {key: getattr(args, key) for key in _FIELD_LABELS if getattr(args, key, None) is not None}
    if not args.yes and sys.stdin.isatty():
        _, guessed = catalog.guess(source)
        print(f"Thông tin đọc được từ {source.name} (các giá trị bạn nhập sẽ thay thế):")
        _print_entry({**{k: v for k, v in guessed.items() if v is not None}, **values}, guessed)
        if input("Lưu văn bản với thông tin này? [C/k] ").strip().casefold() not in ("", "c", "co", "có", "y", "yes"):
            print("Đã hủy; không có gì thay đổi.")
            return 1
    added = catalog.add(source, values, replace=args.replace)
    print(f"Đã thêm {added.file} (mã {added.document_id}):")
    _print_entry(added.entry, added.guessed)
    if not args.no_build:
        _build_and_report(settings)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    name = Catalog(settings).remove(args.document_id)
    print(f"Đã xóa {name} (mã {args.document_id}).")
    if not args.no_build:
        _build_and_report(settings)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    corpus = load_corpus(settings.corpus_dir, settings.metadata_path)
    today = date.today()
    if args.json:
        _print_json(CorpusOut.from_domain(corpus.documents, corpus.skipped, today))
        return 0
    for d in corpus.documents:
        m = d.metadata
        when = m.date.strftime("%d/%m/%Y") if m.date else "—"
        note = m.validity_note(today)
        print(f"{d.id:<28} {m.short_name[:40]:<40} {when:<10} {d.source_file}" + (f"  [{note}]" if note else ""))
    for skipped in corpus.skipped:
        print(f"! {skipped}", file=sys.stderr)
    print(f"{len(corpus.documents)} văn bản" + (f", {len(corpus.skipped)} tệp bị bỏ qua" if corpus.skipped else "") + ".")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    hits = assistant.search(args.query, k=args.k)
    if args.json:
        _print_json(SearchOut.from_domain(args.query, hits))
    else:
        print("\n".join(_format_hit(i, h) for i, h in enumerate(hits, start=1)) or "Không tìm thấy điều khoản phù hợp.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    answer = assistant.ask(args.question, face="cli")
    if args.json:
        _print_json(AnswerOut.from_domain(answer))
    else:
        print(format_answer(answer))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    print(f"Trợ lý Giảm nghèo — {assistant.info().documents} văn bản. Gõ câu hỏi, Enter để gửi; Ctrl+D để thoát.")
    history: list[str] = []
    while True:
        try:
            question = input("\n? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            continue
        print(format_answer(assistant.ask(question, history=history[-5:], face="cli")))
        history.append(question)


_AREA_CHOICES = {"rural": "rural", "urban": "urban", "nong-thon": "rural", "thanh-thi": "urban"}
_BACK = ("b", "<", "quay lai", "quay lại")


def _ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _household_from_flags(args: argparse.Namespace, form: CheckForm) -> Household:
    missing = [flag for flag, value in (("--area", args.area), ("--members", args.members), ("--income", args.income)) if value is None]
    if missing:
        raise EligibilityInputError(f"Thiếu {', '.join(missing)} (hoặc bỏ hết tham số để trả lời từng câu).")
    members, income = form.read("members", args.members).value, form.read("income", args.income).value
    answers = {i: True for i in _ids(args.yes)}
    for i in _ids(args.no):
        if i in answers:
            raise EligibilityInputError(f"Câu “{i}” vừa có trong --yes vừa có trong --no.")
        answers[i] = False
    return Household(_AREA_CHOICES[args.area], members, income, answers)


def _household_interactively(form: CheckForm) -> Household | None:
    """One question at a time, like the bot and the widget (the same steps, read the same
    way); 'b' goes back. None if cancelled."""
    print("Kiểm tra hộ nghèo, hộ cận nghèo.")
    print(form.intro)
    print("Gõ b để quay lại câu trước, Ctrl+D để hủy.\n")
    values: dict[str, object] = {}
    at = 0
    try:
        while at < len(form.steps):
            step = form.steps[at]
            head = f"Câu {at + 1}/{len(form.steps)}" + (f" ({step.service})" if step.service else "")
            notes = [n for n in (step.provisional and f"[{step.provisional}]", step.for_period and f"[chỉ cho {step.for_period}]") if n]
            options = " / ".join(c.label for c in step.choices)
            raw = input(f"{head} {step.question} {' '.join(notes)}{f' [{options}]' if options else ''} ").strip()
            if raw.casefold() in _BACK:
                at = max(0, at - 1)
                continue
            try:
                reading = form.read(step.id, raw)
            except EligibilityInputError as exc:
                print(f"  {exc} {step.hint if step.typed else ''}".rstrip())
                continue
            print(f"  → {reading.display}")
            values[step.id] = reading.value
            at += 1
    except (EOFError, KeyboardInterrupt):
        print("\nĐã hủy kiểm tra.")
        return None
    answers = {s.id: values[s.id] for s in form.steps if s.kind == "yes_no"}
    return Household(values["area"], values["members"], values["income"], answers)


def _result_lines(result: EligibilityResult) -> list[str]:
    h = result.household
    lines = [
        f"Kết quả: {result.label}",
        f"({result.period.name}, áp dụng ngày {result.checked_on.strftime('%d/%m/%Y')}; {AREA_LABELS[h.area].lower()}, "
        f"{h.members} người, thu nhập cả hộ {format_money(h.monthly_income)} đồng/tháng)",
        "",
        *[f"- {line}" for line in result.reasoning],
        "",
        f"Căn cứ: {result.period.basis_citation}",
    ]
    if result.provisional:
        lines += ["Chưa chính thức, chờ văn bản chính thức:", *[f"  · {note}" for note in result.provisional]]
    return lines


def format_eligibility(result: EligibilityResult, support: list) -> str:
    lines = _result_lines(result) + [f"Lưu ý: {result.notice}"]
    if result.coming is not None:
        lines += ["", result.coming.headline]
        if result.coming.result is not None:
            lines += [f"  {line}" for line in _result_lines(result.coming.result)[3:] if line]
    if support:
        lines += ["", f"Chính sách hỗ trợ {result.label[:1].lower()}{result.label[1:]} trong văn bản:"]
        for citation in support:
            lines.append(citation.label)
            lines.append(f"   {citation.hit.passage.text}")
    return "\n".join(lines)


def cmd_kiemtra(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    standards = load_standards(settings.standards_path)
    on = date.fromisoformat(args.date) if args.date else (settings.eligibility.as_of or date.today())
    form = CheckForm.build(standards, on, settings.eligibility.notice_days)
    if args.questions:
        print(f"{form.period.name} ({form.period.basis_citation})")
        for step in form.steps:
            if step.kind == "yes_no":
                extra = f" [chỉ cho {step.for_period}]" if step.for_period else ""
                draft = f" [{step.provisional}]" if step.provisional else ""
                print(f"{step.id:<18} [{step.service}] {step.question}{draft}{extra}")
        return 0
    flags = (args.area, args.members, args.income, args.yes, args.no)
    if any(flag is not None for flag in flags):
        household = _household_from_flags(args, form)
    else:
        household = _household_interactively(form)
        if household is None:
            return 1
    result = assess(household, standards, on, settings.eligibility.notice_days)
    support = [] if args.no_support else Assistant.open(settings).support_for(result.classification)
    if args.json:
        _print_json(EligibilityOut.from_domain(result, support))
    else:
        print(format_eligibility(result, support))
    return 0


def _day(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY."""
    try:
        return date.fromisoformat(text) if "-" in text else datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (YYYY-MM-DD hoặc DD/MM/YYYY)") from None


def cmd_report(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    records = open_records(settings)
    records.start()
    describe = owner = None
    try:  # clause labels from the current index; the report stands without them (ids only)
        describe, owner = index_labels(load_index(settings, check_fresh=False))
    except RetrievalError as exc:
        print(f"! Không đọc được chỉ mục, điều khoản chỉ ghi mã: {exc}", file=sys.stderr)
    labels = {"describe": describe, "owner": owner} if describe else {}
    report = build_report(records.questions(args.since, args.until), records.feedback(args.since, args.until), since=args.since, until=args.until, document_id=args.document, **labels)
    if args.csv:
        Path(args.csv).write_text(to_csv(report), encoding="utf-8-sig")  # with a BOM, Excel reads it as UTF-8
        print(f"Đã ghi {args.csv}", file=sys.stderr)
    if args.json:
        _print_json(report.to_dict())
    elif not args.csv:
        print(to_text(report))
    return 0


def cmd_run_questions(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    questions = load_questions(Path(args.file))
    texts = [q.question for q in questions]
    hits = assistant.batch_search(texts, k=10)
    answers = assistant.batch_ask(texts)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        for q, q_hits, answer in zip(questions, hits, answers):
            row = QuestionRunOut(id=q.id, hits=[HitOut.from_domain(h) for h in q_hits], answer=AnswerOut.from_domain(answer))
            out.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    questions = load_questions(Path(args.file), args.part)
    modes = args.mode or list(MODES)
    assistant = Assistant.open(settings.with_overrides(search={"mode": "hybrid"}) if "hybrid" in modes or "dense" in modes else settings)
    results = [evaluate(assistant, questions, mode, by_kind=args.by_kind) for mode in modes]
    if args.fold:
        results += [evaluate(assistant, questions, mode, fold_questions=True, by_kind=args.by_kind) for mode in modes]
    if args.json:
        _print_json([{**r.summary(), **({"per_question": r.per_question} if args.details else {})} for r in results])
        return 0
    part = {"all": "", "tune": " — phần chỉnh ngưỡng (số id lẻ)", "test": " — phần kiểm tra (số id chẵn)"}[args.part]
    print(f"{len(questions)} câu hỏi ({results[0].in_scope} trong phạm vi, {results[0].out_of_scope} ngoài phạm vi){part}")
    header = f"{'mode':<22}{'n':>4}{'R@1':>7}{'R@5':>7}{'MRR@10':>8}{'oos abst.':>11}{'false abst.':>13}{'answer⊇gold':>13}"
    print(header)
    for r in results:
        label = r.mode + (" (no accents)" if r.folded_questions else "")
        print(f"{label:<22}{r.in_scope + r.out_of_scope:>4}{r.recall_at_1:>7.3f}{r.recall_at_5:>7.3f}{r.mrr_at_10:>8.3f}{r.oos_abstention:>11.3f}{r.false_abstention:>13.3f}{r.answer_containment:>13.3f}")
        for name, g in r.groups.items():
            scope = g.in_scope > 0
            cells = (f"{g.recall_at_1:>7.3f}{g.recall_at_5:>7.3f}{g.mrr_at_10:>8.3f}" if scope else f"{'—':>7}{'—':>7}{'—':>8}")
            oos = f"{g.oos_abstention:>11.3f}" if g.out_of_scope else f"{'—':>11}"
            tail = f"{g.false_abstention:>13.3f}{g.answer_containment:>13.3f}" if scope else f"{'—':>13}{'—':>13}"
            print(f"  {name:<20}{g.in_scope + g.out_of_scope:>4}{cells}{oos}{tail}")
    if args.details:
        for r in results:
            for row in r.per_question:
                flag = "" if (row["rank"] == 1 or row["kind"] == "oos") else "  <--"
                print(f"{r.mode:<7} {row['id']:<5} {row['kind']:<10} rank={row['rank']} {row['status']:<12} {row['evidence']} gold_in_answer={row.get('answer_contains_gold')}{flag}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Trợ lý Giảm nghèo: tìm điều khoản và trả lời có trích dẫn.")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: config.toml, hoặc $TRO_LY_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="in nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="xây dựng chỉ mục từ thư mục văn bản").set_defaults(func=cmd_build)
    p = sub.add_parser("use-build", help="dùng một bản chỉ mục đã chép vào index/builds/ (kiểm tra rồi đổi CURRENT)")
    p.add_argument("build_id", help="tên thư mục trong index/builds/")
    p.set_defaults(func=cmd_use_build)

    p = sub.add_parser("add", help="thêm một văn bản (.txt .md .docx .pdf .html) và cập nhật chỉ mục")
    p.add_argument("file")
    for key, label in _FIELD_LABELS.items():
        p.add_argument(f"--{key.replace('_', '-')}", dest=key, metavar=key.upper(), help=f"{label.lower()}" + (" (YYYY-MM-DD hoặc DD/MM/YYYY)" if key in ("date", "effective_from", "effective_to") else ""))
    p.add_argument("--replace", action="store_true", help="thay văn bản cùng mã đã có")
    p.add_argument("--yes", "-y", action="store_true", help="không hỏi xác nhận")
    p.add_argument("--no-build", action="store_true", help="chỉ chép tệp và ghi thông tin, chưa cập nhật chỉ mục")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="xóa một văn bản và cập nhật chỉ mục")
    p.add_argument("document_id")
    p.add_argument("--no-build", action="store_true")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("list", help="liệt kê các văn bản")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("search", help="tìm các điều khoản phù hợp")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--mode", choices=MODES)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="trả lời một câu hỏi, có trích dẫn")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.add_argument("--mode", choices=MODES)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="hỏi đáp liên tục trong cửa sổ lệnh")
    p.add_argument("--mode", choices=MODES)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("kiemtra", help="kiểm tra hộ nghèo, cận nghèo theo chuẩn nghèo đang áp dụng (hỏi từng câu, hoặc cho đủ tham số)")
    p.add_argument("--area", choices=sorted(_AREA_CHOICES), help="khu vực: rural (nong-thon) hoặc urban (thanh-thi)")
    p.add_argument("--members", help="số người trong hộ")
    p.add_argument("--income", help="tổng thu nhập của cả hộ mỗi tháng: 6000000, 6.000.000, '6 triệu', 6tr")
    p.add_argument("--yes", metavar="MÃ,MÃ", help="mã các câu trả lời Có (xem --questions)")
    p.add_argument("--no", metavar="MÃ,MÃ", help="mã các câu trả lời Không; mỗi câu phải có trong --yes hoặc --no")
    p.add_argument("--date", help="ngày áp dụng (YYYY-MM-DD; mặc định hôm nay)")
    p.add_argument("--questions", action="store_true", help="in các câu hỏi và mã của chúng")
    p.add_argument("--no-support", action="store_true", help="không tìm chính sách hỗ trợ trong văn bản (không cần chỉ mục)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kiemtra)

    p = sub.add_parser("report", help="báo cáo cho cán bộ: câu hỏi văn bản chưa trả lời, câu trả lời bị 👎, tỷ lệ trả lời theo tuần, điều khoản được trích nhiều")
    p.add_argument("--from", dest="since", type=_day, metavar="NGÀY", help="từ ngày (YYYY-MM-DD hoặc DD/MM/YYYY)")
    p.add_argument("--to", dest="until", type=_day, metavar="NGÀY", help="đến ngày (kể cả ngày này)")
    p.add_argument("--document", metavar="MÃ", help="chỉ các câu hỏi có điều khoản được trích (hoặc gần nhất) thuộc văn bản này (mã văn bản)")
    p.add_argument("--csv", metavar="TỆP", help="ghi báo cáo ra tệp CSV")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("run-questions", help="trả lời một tệp JSONL (id, question), mỗi dòng một kết quả JSON")
    p.add_argument("file")
    p.add_argument("--output", "-o")
    p.add_argument("--mode", choices=MODES)
    p.set_defaults(func=cmd_run_questions)

    p = sub.add_parser("eval", help="đo Recall@1/5, MRR@10, tỷ lệ từ chối, câu trả lời chứa đáp án")
    p.add_argument("file")
    p.add_argument("--mode", action="append", choices=MODES, help="lặp lại để so sánh; mặc định cả ba")
    p.add_argument("--fold", action="store_true", help="đo thêm với câu hỏi bỏ dấu")
    p.add_argument("--json", action="store_true")
    p.add_argument("--details", action="store_true", help="in kết quả từng câu")
    p.add_argument("--by-kind", action="store_true", help="đo riêng từng loại câu hỏi (kind) và từng kiểu viết (style)")
    p.add_argument("--part", choices=("all", "tune", "test"), default="all", help="chỉ một nửa bộ câu hỏi: tune = số id lẻ (chọn ngưỡng), test = số id chẵn")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except RetrievalError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
