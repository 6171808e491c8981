"""Telegram's HTML parse mode, as the fake Bot API and the tests check it.

At least as strict as Telegram: only the tags Telegram supports (and the attributes they
need), every tag closed in order, and only the entities Telegram decodes (&lt; &gt; &amp;
&quot; and numeric ones). A bare '<', '>' or '&' is an error here; Telegram tolerates some
of them, so text the bot sends must escape all three. Offsets and lengths are in UTF-16 code
units, as Telegram counts them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")


class HTMLParseError(ValueError):
    """Telegram's 400 "Bad Request: can't parse entities: …"."""


@dataclass(frozen=True)
class Entity:
    type: str
    offset: int
    length: int
    url: str | None = None

    def to_dict(self) -> dict:
        data = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        return data


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity_text(text: str, entity: Entity) -> str:
    """The part of ``text`` an entity covers (its offsets are UTF-16 units)."""
    units = text.encode("utf-16-le")
    return units[2 * entity.offset : 2 * (entity.offset + entity.length)].decode("utf-16-le")


def parse(source: str) -> tuple[str, list[Entity]]:
    """The text Telegram would show and its entities, or HTMLParseError."""
    out: list[str] = []
    length = 0  # UTF-16 units so far
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[Entity] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG.match(source, i)
            if match is None:
                raise HTMLParseError(f"Unsupported start tag at byte offset {len(source[:i].encode())}")
            closing, name, attrs = match[1] == "/", match[2].lower(), match[3]
            if name not in TAG_ENTITY:
                raise HTMLParseError(f'Unsupported start tag "{name}" at byte offset {len(source[:i].encode())}')
            if closing:
                if not stack:
                    raise HTMLParseError(f'Unexpected end tag at byte offset {len(source[:i].encode())}')
                open_name, start, open_attrs = stack.pop()
                if open_name != name:
                    raise HTMLParseError(f'Unmatched end tag at byte offset {len(source[:i].encode())}, expected "</{open_name}>", found "</{name}>"')
                if length > start:
                    entities.append(_entity(open_name, start, length - start, open_attrs))
            else:
                stack.append((name, length, _attributes(name, attrs)))
            i = match.end()
        elif ch == "&":
            match = _ENTITY.match(source, i)
            if match is None:
                raise HTMLParseError(f"Character '&' is reserved and must be escaped at byte offset {len(source[:i].encode())}")
            decoded = html.unescape(match[0])
            out.append(decoded)
            length += utf16_len(decoded)
            i = match.end()
        elif ch == ">":
            raise HTMLParseError(f"Character '>' must be escaped at byte offset {len(source[:i].encode())}")
        else:
            out.append(ch)
            length += utf16_len(ch)
            i += 1
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e.offset, -e.length))


def _attributes(name: str, raw: str) -> dict[str, str]:
    attrs = {m[1].lower(): (m[2] or "").strip("\"'") for m in _ATTR.finditer(raw)}
    if name == "a" and not attrs.get("href"):
        raise HTMLParseError('Tag "a" must have attribute "href"')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HTMLParseError('Tag "span" must have class "tg-spoiler"')
    if name == "tg-emoji" and "emoji-id" not in attrs:
        raise HTMLParseError('Tag "tg-emoji" must have attribute "emoji-id"')
    return attrs


def _entity(name: str, offset: int, length: int, attrs: dict[str, str]) -> Entity:
    kind = TAG_ENTITY[name]
    if name == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    return Entity(kind, offset, length, attrs.get("href") if name == "a" else None)
