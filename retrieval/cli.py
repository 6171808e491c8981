"""Command line that mirrors the library: build, add, remove, list, search, ask, chat, kiemtra, run-questions, eval."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from .amounts import AmountError, format_money, parse_count, parse_money
from .assistant import Assistant, build
from .catalog import Catalog
from .corpus import load_corpus
from .domain import Answer, Hit
from .eligibility import EligibilityResult, Household, check_on
from .embeddings import prepare_model
from .errors import EligibilityInputError, RetrievalError
from .evaluation import evaluate, load_questions
from .settings import Settings, load_settings
from .standards import AREA_LABELS, StandardPeriod, load_standards

MODES = ("hybrid", "bm25", "dense")


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


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
    return "\n".join(lines)


def _settings_for(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if getattr(args, "mode", None) and isinstance(args.mode, str):
        settings = settings.with_overrides(search={"mode": args.mode})
    return settings


def _prepare(settings: Settings) -> str:
    """The model, and with runtime "onnx" its export, made if missing (set-up's work: builds
    may pay it once; serving commands never do, they only load what is there)."""
    location = prepare_model(settings)
    if settings.embedding.runtime != "onnx" or settings.search.mode == "bm25":
        return location
    from .onnx_export import ensure_exported

    directory, meta = ensure_exported(settings)
    if meta.get("unsupported"):
        return f"{location} (sentence-transformers: không xuất được sang ONNX — {meta['unsupported']})"
    agreement = meta.get("agreement", {})
    return f"{location}; bản ONNX {meta['variant']}: {directory} (cosine với sentence-transformers ≥ {agreement.get('cosine_min')})"


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    _prepare(settings)
    report = build(settings)
    for message in report.skipped + report.warnings:
        print(f"! {message}", file=sys.stderr)
    print(
        f"Đã xây dựng chỉ mục {report.build_id}: {report.documents} văn bản, {report.passages} đoạn "
        f"({report.searchable_passages} dùng để tìm; {report.analysed} văn bản mới phân tích), "
        f"{report.windows} cửa sổ nhúng ({report.embedded} mới), {report.seconds:.1f} giây."
    )
    return 0


_FIELD_LABELS = {
    "title": "Tên văn bản", "type": "Loại", "code": "Số hiệu", "issuer": "Cơ quan ban hành", "province": "Tỉnh/thành",
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
    _prepare(settings)
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
        _print_json({"documents": [d.to_dict(today) for d in corpus.documents], "skipped": [str(s) for s in corpus.skipped]})
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


def cmd_prepare_model(args: argparse.Namespace) -> int:
    print(f"Mô hình nhúng sẵn sàng: {_prepare(_settings_for(args))}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    hits = assistant.search(args.query, k=args.k)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
    else:
        print("\n".join(_format_hit(i, h) for i, h in enumerate(hits, start=1)) or "Không tìm thấy điều khoản phù hợp.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = Assistant.open(_settings_for(args))
    answer = assistant.ask(args.question)
    if args.json:
        _print_json(answer.to_dict())
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
        print(format_answer(assistant.ask(question, history=history[-5:])))
        history.append(question)


_AREA_CHOICES = {"rural": "rural", "urban": "urban", "nong-thon": "rural", "thanh-thi": "urban"}
_YES, _NO, _BACK = ("c", "co", "có", "y", "yes"), ("k", "khong", "không", "n", "no"), ("b", "<", "quay lai", "quay lại")


def _ids(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _household_from_flags(args: argparse.Namespace) -> Household:
    missing = [flag for flag, value in (("--area", args.area), ("--members", args.members), ("--income", args.income)) if value is None]
    if missing:
        raise EligibilityInputError(f"Thiếu {', '.join(missing)} (hoặc bỏ hết tham số để trả lời từng câu).")
    try:
        members, income = parse_count(args.members), parse_money(args.income)
    except AmountError as exc:
        raise EligibilityInputError(str(exc)) from None
    answers = {i: True for i in _ids(args.yes)}
    for i in _ids(args.no):
        if i in answers:
            raise EligibilityInputError(f"Câu “{i}” vừa có trong --yes vừa có trong --no.")
        answers[i] = False
    return Household(_AREA_CHOICES[args.area], members, income, answers)


def _household_interactively(period: StandardPeriod) -> Household | None:
    """One question at a time, like the bot and the widget; 'b' goes back. None if cancelled."""
    print(f"Kiểm tra hộ nghèo, hộ cận nghèo theo {period.name} ({period.legal_basis.short}).")
    print("Trả lời từng câu; gõ b để quay lại câu trước, Ctrl+D để hủy.\n")
    steps = ["area", "members", "income", *[i.id for i in period.indicators]]
    values: dict[str, object] = {}
    at = 0
    try:
        while at < len(steps):
            step = steps[at]
            if step == "area":
                raw = input("Hộ ở nông thôn hay thành thị? [n: nông thôn / t: thành thị] ").strip().casefold()
                value = {"n": "rural", "nông thôn": "rural", "nong thon": "rural", "t": "urban", "thành thị": "urban", "thanh thi": "urban"}.get(raw)
                error = "Gõ n (nông thôn) hoặc t (thành thị)."
            elif step in ("members", "income"):
                raw = input("Hộ có bao nhiêu người? " if step == "members" else "Tổng thu nhập của cả hộ mỗi tháng (ví dụ 6 triệu, 6.000.000)? ").strip()
                try:
                    value, error = (parse_count(raw) if step == "members" else parse_money(raw)), ""
                except AmountError as exc:
                    value, error = None, str(exc)
            else:
                indicator = period.indicator(step)
                number = at - 2
                raw = input(f"Câu {number}/{len(period.indicators)} ({indicator.service}) {indicator.question} [c/k] ").strip().casefold()
                value = True if raw in _YES else False if raw in _NO else None
                error = "Gõ c (có) hoặc k (không)."
            if raw.casefold() in _BACK:
                at = max(0, at - 1)
                continue
            if value is None:
                print(f"  {error}")
                continue
            values[step] = value
            at += 1
    except (EOFError, KeyboardInterrupt):
        print("\nĐã hủy kiểm tra.")
        return None
    answers = {i.id: values[i.id] for i in period.indicators}
    return Household(values["area"], values["members"], values["income"], answers)


def format_eligibility(result: EligibilityResult, support: list) -> str:
    h = result.household
    lines = [
        f"Kết quả: {result.label}",
        f"({result.period.name}, áp dụng ngày {result.checked_on.strftime('%d/%m/%Y')}; {AREA_LABELS[h.area].lower()}, "
        f"{h.members} người, thu nhập cả hộ {format_money(h.monthly_income)} đồng/tháng)",
        "",
        *[f"- {line}" for line in result.reasoning],
        "",
        f"Căn cứ: {result.legal_basis.citation} ({result.legal_basis.title})",
        f"Lưu ý: {result.notice}",
    ]
    if support:
        lines += ["", f"Chính sách hỗ trợ {result.label[:1].lower()}{result.label[1:]} trong văn bản:"]
        for citation in support:
            lines.append(citation.label)
            lines.append(f"   {citation.hit.passage.text}")
    return "\n".join(lines)


def cmd_kiemtra(args: argparse.Namespace) -> int:
    settings = _settings_for(args)
    standards = load_standards(settings.standards_path)
    on = date.fromisoformat(args.date) if args.date else date.today()
    period = standards.period_on(on)
    if args.questions:
        print(f"{period.name} ({period.legal_basis.citation})")
        for indicator in period.indicators:
            print(f"{indicator.id:<18} [{indicator.service}] {indicator.question}")
        return 0
    flags = (args.area, args.members, args.income, args.yes, args.no)
    if any(flag is not None for flag in flags):
        household = _household_from_flags(args)
    else:
        household = _household_interactively(period)
        if household is None:
            return 1
    result = check_on(on, household, standards)
    support = [] if args.no_support else Assistant.open(settings).support_for(result.classification)
    if args.json:
        _print_json({**result.to_dict(), "support": [c.to_dict() for c in support]})
    else:
        print(format_eligibility(result, support))
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
            row = {"id": q.id, "hits": [h.to_dict() for h in q_hits], "answer": answer.to_dict()}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    questions = load_questions(Path(args.file))
    modes = args.mode or list(MODES)
    assistant = Assistant.open(settings.with_overrides(search={"mode": "hybrid"}) if "hybrid" in modes or "dense" in modes else settings)
    results = [evaluate(assistant, questions, mode) for mode in modes]
    if args.fold:
        results += [evaluate(assistant, questions, mode, fold_questions=True) for mode in modes]
    if args.json:
        _print_json([{**r.summary(), **({"per_question": r.per_question} if args.details else {})} for r in results])
        return 0
    header = f"{'mode':<16}{'R@1':>7}{'R@5':>7}{'MRR@10':>8}{'oos abst.':>11}{'false abst.':>13}{'answer⊇gold':>13}"
    print(f"{len(questions)} câu hỏi ({results[0].in_scope} trong phạm vi, {results[0].out_of_scope} ngoài phạm vi)")
    print(header)
    for r in results:
        label = r.mode + (" (no accents)" if r.folded_questions else "")
        print(f"{label:<16}{r.recall_at_1:>7.3f}{r.recall_at_5:>7.3f}{r.mrr_at_10:>8.3f}{r.oos_abstention:>11.3f}{r.false_abstention:>13.3f}{r.answer_containment:>13.3f}")
    if args.details:
        for r in results:
            for row in r.per_question:
                flag = "" if (row["rank"] == 1 or row["kind"] == "oos") else "  <--"
                print(f"{r.mode:<7} {row['id']:<5} {row['kind']:<9} rank={row['rank']} found={row['found']} {row['evidence']} gold_in_answer={row.get('answer_contains_gold')}{flag}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Trợ lý Giảm nghèo: tìm điều khoản và trả lời có trích dẫn.")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: config.toml, hoặc $TRO_LY_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="in nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="xây dựng chỉ mục từ thư mục văn bản").set_defaults(func=cmd_build)
    sub.add_parser("prepare-model", help="tạo mô hình nhúng ngoại tuyến và bản ONNX của nó (nếu thiếu)").set_defaults(func=cmd_prepare_model)

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
