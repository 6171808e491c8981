"""Reading a document file of any supported format into plain text.

Each reader returns the text in reading order with one paragraph per line, which is what the
segmenter expects. Whatever makes a file unusable (corrupted, truncated, a scan without a text
layer, a page with no main content) raises CorpusError with the reason in plain Vietnamese;
the corpus loader names the file and goes on with the others.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..errors import CorpusError
from ..text.core import normalize

log = logging.getLogger(__name__)

# Fewer letters than this extracted from a web page means only menus and links were found.
MIN_LETTERS_OF_HTML_CONTENT = 80
# A page with fewer letters than this is taken for an image: a scanned page has none, a
# page number or a stamp read by the PDF's text layer has a few.
MIN_LETTERS_PER_PDF_PAGE = 40


def read_text_file(path: Path) -> str:
    """A .txt or .md file's text, or CorpusError saying in plain words why it cannot be used."""
    raw = path.read_bytes()
    if not raw.strip():
        raise CorpusError("tệp rỗng")
    if b"\x00" in raw[:8192]:
        raise CorpusError("tệp nhị phân, không phải văn bản")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại tệp với mã UTF-8") from exc
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise CorpusError("tệp chứa nhiều ký tự điều khiển, có lẽ là tệp nhị phân")
    return _require_words(text)


def read_docx(path: Path) -> str:
    """Paragraphs and tables of a Word file, in document order (a table row per line)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_rows(block))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorpusError(f"tệp Word (.docx) bị hỏng hoặc không đúng định dạng ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - lxml and python-docx raise many kinds for a damaged file
        raise CorpusError(f"tệp Word (.docx) không đọc được ({type(exc).__name__})") from exc
    return _require_words("\n".join(lines))


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # a merged cell repeats itself
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def read_pdf(path: Path) -> str:
    """The text layer of a PDF, paragraphs rejoined. A scan (no text layer) is refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError("tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi thêm lại")
        pages = [page.extract_text() or "" for page in reader.pages]
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
        raise CorpusError(f"tệp PDF bị hỏng hoặc không đọc được ({type(exc).__name__})") from exc
    if not pages:
        raise CorpusError("tệp PDF không có trang nào")
    letters = [sum(ch.isalpha() for ch in page) for page in pages]
    if sum(letters) < MIN_LETTERS_PER_PDF_PAGE * len(pages) / 2 or max(letters) < MIN_LETTERS_PER_PDF_PAGE:
        raise CorpusError("tệp PDF không có lớp chữ (bản quét ảnh); cần nhận dạng chữ (OCR) trước khi thêm")
    return _require_words("\n".join(reflow_pdf_lines(page) for page in pages))


_LINE_START_MARKER = re.compile(r"^\s*(?:[-+•*–]|\(?\d+(?:\.\d+)*[.)]|\(?[a-zđ][.)]|[IVXLC]+[.)]|(?:Điều|Chương|Mục|Phần)\s)", re.IGNORECASE)
_ENDS_PARAGRAPH = re.compile(r"[.:;!?…]\s*$")


def reflow_pdf_lines(page_text: str) -> str:
    """Rejoin the lines a PDF wrapped inside a paragraph: a line runs on into the next unless
    it ends a sentence, is clearly shorter than a full line, or the next starts a new item."""
    lines = [line.rstrip() for line in page_text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return ""
    widths = sorted(len(line) for line in lines)
    full_width = widths[math.ceil(0.8 * (len(widths) - 1))]
    paragraphs: list[str] = [lines[0].strip()]
    for previous, line in zip(lines, lines[1:]):
        runs_on = (
            not _ENDS_PARAGRAPH.search(previous)
            and len(previous) >= 0.7 * full_width
            and not _LINE_START_MARKER.match(line)
        )
        if runs_on:
            joined = paragraphs[-1]
            # "2021-" + "2025": a range cut at its dash (Vietnamese text is not hyphenated)
            paragraphs[-1] = joined + line.strip() if joined.endswith("-") else f"{joined} {line.strip()}"
        else:
            paragraphs.append(line.strip())
    return "\n".join(paragraphs)


def read_html(path: Path) -> str:
    """The main content of a saved web page: navigation, sidebars, counters, link lists and
    footers are dropped (trafilatura, precision first), tables kept a row per line."""
    import trafilatura

    raw = path.read_bytes()
    if not raw.strip():
        raise CorpusError("tệp rỗng")
    try:
        text = trafilatura.extract(raw, include_tables=True, include_comments=False, include_links=False, include_images=False, favor_precision=True, deduplicate=False)
    except Exception as exc:  # noqa: BLE001 - the parser's errors on broken markup vary
        raise CorpusError(f"trang web không đọc được ({type(exc).__name__})") from exc
    if not text or sum(ch.isalpha() for ch in text) < MIN_LETTERS_OF_HTML_CONTENT:
        raise CorpusError("không tìm thấy nội dung chính trong trang web")
    return _require_words(_clean_extracted_html(text))


def _clean_extracted_html(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        # trafilatura writes list items as "- ...": keep the document's own "a)" or "1." marker
        line = re.sub(r"^- (?=(?:\(?[a-zđ]|\d+(?:\.\d+)*)[.)]\s)", "", line)
        # table rows come as "| a | b |"
        if line.startswith("|"):
            line = " | ".join(cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip())
        lines.append(line)
    return "\n".join(lines)


def _require_words(text: str) -> str:
    if not normalize(text).strip():
        raise CorpusError("tệp không có nội dung chữ")
    return text


READERS: dict[str, Callable[[Path], str]] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED_SUFFIXES = tuple(READERS)


def read_document(path: Path) -> str:
    """The text of any supported document file; CorpusError if it cannot be used."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise CorpusError(f"định dạng {path.suffix or '(không có đuôi)'} chưa được hỗ trợ (nhận {supported})")
    return reader(path)
