"""Places, old and new: which documents a question's place belongs to.

Since 1 July 2025 provinces have merged (63 → 34) and districts are gone, so a citizen may name
the new province ("Khánh Hòa"), the old one ("Ninh Thuận cũ"), a former district ("Bác Ái",
"Bảo Lộc") or a commune ("xã Phước Bình"). The administrative units and the 2025 old → new
mapping come from the data files of the ``vietnamadminunits`` package (MIT). Only its data is
read — its SQLite table of units and its conversion table — never its ``convert_address``,
which may ask an online geocoder; importing its top-level package is avoided too (it loads its
parsers and builds a geocoder object, ~1 s). Nothing here opens a socket (a test proves it).

A document's place comes from its metadata: ``province`` (as issued), ``province_now`` (today's
province; derived from the mapping when absent) and an optional ``locality`` (a former
district or city, e.g. "thành phố Bảo Lộc") for documents of a place smaller than a province.
A document with neither province nor locality is national: it covers every place.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

from vi_textmatch.normalize import normalize_tone

from .core import FOLDED_STOPWORDS, fold

Level = Literal["province", "district", "commune"]
Era = Literal["old", "new"]

_LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}


@dataclass(frozen=True)
class Place:
    """An administrative unit, before (``old``) or after (``new``) the 2025 reform."""

    name: str  # "Bảo Lộc", "Ninh Thuận"
    kind: str  # "Tỉnh", "Thành phố", "Huyện", "Xã", "Phường", …
    level: Level
    era: Era
    old_provinces: frozenset[str]  # the old provinces it lies in (all of them, for a new province)
    new_province: str  # the province it belongs to today
    old_districts: frozenset[str] = frozenset()  # "province key/district key"; empty for provinces

    @property
    def label(self) -> str:
        """'huyện Bác Ái (Ninh Thuận)', 'tỉnh Ninh Thuận (nay thuộc Khánh Hòa)'."""
        own = f"{self.kind.lower()} {self.name}" if self.kind else self.name
        if self.level == "province":
            if self.era == "old" and self.new_province != self.name:
                return f"{own} (nay thuộc {self.new_province})"
            return own
        province = " / ".join(sorted(self.old_provinces)) if self.era == "old" else self.new_province
        return f"{own} ({province})"


@dataclass(frozen=True)
class PlaceMention:
    """Where a question names a place, and the places the name can be."""

    text: str  # as typed
    start: int  # token positions [start, end)
    end: int
    candidates: tuple[Place, ...]
    cue: str = ""  # "cũ" (old name said to be old), "mới" (new province), "" otherwise

    @property
    def level(self) -> Level:
        return min((c.level for c in self.candidates), key=_LEVEL_RANK.__getitem__)


def _package_dir() -> Path:
    """The folder of the installed vietnamadminunits, found without importing it."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("Thiếu gói vietnamadminunits (pip install -r requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations)))


def _key(text: str) -> str:
    """Folded words joined by single spaces: 'Bảo  Lộc' -> 'bao loc'."""
    return " ".join(_NAME_TOKEN.findall(fold(text)))


_NAME_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


class Gazetteer:
    """Every province, former district and commune, old and new, by folded name."""

    def __init__(self, places_by_name: dict[str, list[Place]], old_to_new: dict[str, str], provinces_new: set[str]) -> None:
        self.by_name = places_by_name
        self.old_to_new = old_to_new  # old province name -> new province name
        self.provinces_new = provinces_new
        self.max_words = max((len(n.split()) for n in places_by_name), default=1)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Gazetteer":
        base = _package_dir() / "data"
        conversion = json.loads((base / "converter_2025.json").read_text(encoding="utf-8"))
        with sqlite3.connect(f"file:{base / 'dataset.db'}?mode=ro", uri=True) as conn:
            legacy = conn.execute(
                "SELECT province, provinceShort, provinceKey, district, districtShort, districtType, districtKey, "
                "ward, wardShort, wardType, wardKey FROM admin_units_legacy"
            ).fetchall()
            current = conn.execute("SELECT province, provinceShort, provinceKey, ward, wardShort, wardType, wardKey FROM admin_units").fetchall()
        return cls._from_rows(legacy, current, conversion)

    @classmethod
    def _from_rows(cls, legacy: list[tuple], current: list[tuple], conversion: dict) -> "Gazetteer":
        new_of_old_key: dict[str, str] = {}
        for new_key, old_keys in conversion["DICT_PROVINCE"].items():
            for old_key in old_keys:
                new_of_old_key[old_key] = new_key
        new_name_of_key = {row[2]: row[1] for row in current}
        new_kind = {row[2]: row[0][: -len(row[1])].strip() for row in current}
        old_name_of_key: dict[str, str] = {}
        old_kind: dict[str, str] = {}
        districts: dict[str, tuple[str, str, str]] = {}  # "prov/district" -> (name, kind, old province)
        by_name: dict[str, list[Place]] = defaultdict(list)
        old_to_new: dict[str, str] = {}
        for prov, prov_short, prov_key, _district, d_short, d_type, d_key, _ward, w_short, w_type, _w_key in legacy:
            old_name_of_key[prov_key] = prov_short
            old_kind[prov_key] = prov[: -len(prov_short)].strip()
            new_name = new_name_of_key[new_of_old_key[prov_key]]
            old_to_new[prov_short] = new_name
            district_id = f"{prov_key}/{d_key}"
            districts[district_id] = (d_short, d_type or "", prov_short)
            if w_short:
                commune = Place(w_short, w_type or "", "commune", "old", frozenset({prov_short}), new_name, frozenset({district_id}))
                for name in (w_short, f"{w_type} {w_short}" if w_type else ""):
                    if name:
                        by_name[_key(name)].append(commune)
        for prov_key, prov_short in old_name_of_key.items():
            place = Place(prov_short, old_kind[prov_key], "province", "old", frozenset({prov_short}), old_to_new[prov_short])
            for name in (prov_short, f"{old_kind[prov_key]} {prov_short}"):
                by_name[_key(name)].append(place)
        for district_id, (d_short, d_type, prov_short) in districts.items():
            place = Place(d_short, d_type, "district", "old", frozenset({prov_short}), old_to_new[prov_short], frozenset({district_id}))
            for name in (d_short, f"{d_type} {d_short}"):
                by_name[_key(name)].append(place)
        # new communes: their old districts, from the conversion table (old ward keys are
        # "province_district_ward")
        sources: dict[tuple[str, str], set[str]] = defaultdict(set)
        for new_prov_key, wards in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for new_ward_key, old_keys in wards.items():
                for old in old_keys:
                    sources[(new_prov_key, new_ward_key)].add(old)
        for new_prov_key, old_wards in conversion["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, new_wards in old_wards.items():
                for ward in new_wards:
                    sources[(new_prov_key, ward["newWardKey"])].add(old)
        for prov, prov_short, prov_key, _ward, w_short, w_type, w_key in current:
            olds = sources.get((prov_key, w_key), set())
            old_provinces = frozenset(old_name_of_key[o.split("_")[0]] for o in olds if o.split("_")[0] in old_name_of_key)
            old_districts = frozenset("/".join(o.split("_")[:2]) for o in olds)
            commune = Place(w_short, w_type or "", "commune", "new", old_provinces, prov_short, old_districts)
            for name in (w_short, f"{w_type} {w_short}" if w_type else ""):
                if name:
                    by_name[_key(name)].append(commune)
        provinces_new = set(new_name_of_key.values())
        for new_key, new_short in new_name_of_key.items():
            olds = frozenset(old_name_of_key[o] for o in conversion["DICT_PROVINCE"][new_key] if o in old_name_of_key)
            place = Place(new_short, new_kind[new_key], "province", "new", olds, new_short)
            for name in (new_short, f"{new_kind[new_key]} {new_short}"):
                by_name[_key(name)].append(place)
        # the same unit can be listed under several names; keep each once per name
        deduplicated = {name: list(dict.fromkeys(places)) for name, places in by_name.items()}
        return cls(deduplicated, old_to_new, provinces_new)

    def syllables(self) -> frozenset[str]:
        """Every folded syllable of a place name ('kon', 'tum'): words a speller must not fix."""
        return frozenset(w for name in self.by_name for w in name.split())

    def lookup(self, name: str) -> list[Place]:
        return list(self.by_name.get(_key(name), []))

    def province(self, name: str, era: Era | None = None) -> Place | None:
        """The province of that name (old or new, or as asked)."""
        for place in self.lookup(name):
            if place.level == "province" and (era is None or place.era == era):
                return place
        return None

    def now(self, old_province: str) -> str | None:
        """Today's province of an old one: 'Ninh Thuận' -> 'Khánh Hòa'."""
        place = self.province(old_province, "old")
        return place.new_province if place else None


# Words that introduce a unit: they decide its level ("xã Bác Ái" is the commune, not the
# former district). Accented forms only when typed accented ("xa" may be "xa" = far).
_CUES: dict[str, Level] = {
    "tỉnh": "province", "thành phố": "province", "tp": "province", "tp.": "province",
    "huyện": "district", "quận": "district", "thị xã": "district", "tx": "district",
    "xã": "commune", "phường": "commune", "thị trấn": "commune", "đặc khu": "commune",
}
_CUE_FOLDED: dict[str, Level] = {"tinh": "province", "thanh pho": "province", "tp": "province", "huyen": "district", "thi xa": "district", "phuong": "commune", "thi tran": "commune"}
# 'Ninh Thuận cũ' names the old province; 'Lâm Đồng mới' the merged one.
_OLD_MARK = {"cũ", "cu", "trước đây", "truoc day"}
_NEW_MARK = {"mới", "moi", "bây giờ", "giờ", "nay"}


@dataclass(frozen=True)
class _Token:
    text: str
    folded: str
    start: int  # character offset


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(0), fold(m.group(0)), m.start()) for m in _NAME_TOKEN.finditer(text)]


def _same_accents(places: list[Place], span: list[_Token]) -> list[Place]:
    """Typed in lower case with diacritics, a name must match them ('có đó' is not Cờ Đỏ);
    typed without them, or with capitals (a name meant as one, tone typos and all: 'Quảng
    Ngải'), any place of that folded name may be meant."""
    typed = " ".join(normalize_tone(t.text.lower()) for t in span)
    if fold(typed) == typed or _capitalized(span):
        return places
    return [p for p in places if typed in {normalize_tone(p.name.lower()), normalize_tone(f"{p.kind} {p.name}".lower())}]


def _capitalized(tokens: list[_Token]) -> bool:
    return all(t.text[:1].isupper() or t.text[:1].isdigit() for t in tokens)


def find_mentions(text: str, gazetteer: Gazetteer, common: frozenset[str] = frozenset()) -> list[PlaceMention]:
    """The places a text names, longest names first, each word used once.

    A name counts when it is introduced by a unit word ('huyện Bác Ái', 'tp Bảo Lộc'), or, for
    provinces and former districts, on its own; a name that is also an ordinary phrase of the
    documents (``common``: folded phrases the corpus writes in lower case, such as 'thống nhất')
    counts on its own only when typed with capitals. Commune names are too often ordinary words
    ('Tân An', 'Hòa Bình') to count without 'xã'/'phường' or capitals.
    """
    tokens = _tokens(text)
    used = [False] * len(tokens)
    mentions: list[PlaceMention] = []
    for size in range(min(gazetteer.max_words + 2, len(tokens)), 0, -1):
        for i in range(0, len(tokens) - size + 1):
            if any(used[i : i + size]):
                continue
            span = tokens[i : i + size]
            key = " ".join(t.folded for t in span)
            places = gazetteer.by_name.get(key)
            if not places:
                continue
            places = _same_accents(places, span)
            if not places:
                continue
            cue_level = _cue_before(tokens, i)
            typed_with_type = _starts_with_unit_word(span)
            accepted = _accept(places, span, key, cue_level or typed_with_type, common)
            if not accepted:
                continue
            start = i - (len(_cue_words(tokens, i)) if cue_level else 0)
            mark = _mark_after(tokens, i + size)
            mentions.append(PlaceMention(text[span[0].start : span[-1].start + len(span[-1].text)], start, i + size, tuple(accepted), mark))
            for j in range(max(0, start), i + size):
                used[j] = True
    mentions.sort(key=lambda m: m.start)
    return mentions


def _cue_words(tokens: list[_Token], i: int) -> list[_Token]:
    for size in (2, 1):
        if i - size >= 0:
            words = tokens[i - size : i]
            phrase = " ".join(t.text.lower() for t in words)
            folded = " ".join(t.folded for t in words)
            if phrase in _CUES or (phrase == folded and folded in _CUE_FOLDED):
                return words
    return []


def _cue_before(tokens: list[_Token], i: int) -> Level | None:
    words = _cue_words(tokens, i)
    if not words:
        return None
    phrase = " ".join(t.text.lower() for t in words)
    return _CUES.get(phrase) or _CUE_FOLDED.get(" ".join(t.folded for t in words))


def _starts_with_unit_word(span: list[_Token]) -> Level | None:
    for size in (2, 1):
        if len(span) > size:
            phrase = " ".join(t.text.lower() for t in span[:size])
            if phrase in _CUES:
                return _CUES[phrase]
    return None


def _mark_after(tokens: list[_Token], j: int) -> str:
    for size in (2, 1):
        words = " ".join(t.text.lower() for t in tokens[j : j + size])
        if len(tokens[j : j + size]) == size:
            if words in _OLD_MARK:
                return "cũ"
            if words in _NEW_MARK:
                return "mới"
    return ""


def _accept(places: list[Place], span: list[_Token], key: str, cue: Level | None, common: frozenset[str]) -> list[Place]:
    if cue == "commune":
        return [p for p in places if p.level == "commune"]
    if cue == "district":
        return [p for p in places if p.level == "district"]
    if cue == "province":  # 'thành phố Bảo Lộc' was a district-level city
        return [p for p in places if p.level in ("province", "district")]
    capitalized = _capitalized(span)
    if not capitalized and (key in common or all(t.folded in FOLDED_STOPWORDS for t in span)):
        return []  # 'là gì' is not La Gi, 'thống nhất' not the district
    wide = [p for p in places if p.level in ("province", "district")]
    if len(span) < 2 and not capitalized:
        return []  # one lower-case syllable is rarely a place
    if wide:
        # a province or a former district; a new commune that kept the district's name
        # ('xã Bác Ái' from huyện Bác Ái) stays a candidate
        return wide + [p for p in places if p.level == "commune" and p.era == "new" and any(w.level == "district" and w.name == p.name for w in wide)]
    return [p for p in places if p.level == "commune"] if capitalized and len(span) >= 2 else []


@dataclass(frozen=True)
class DocumentPlace:
    """Where one document applies."""

    document_id: str
    province: str | None  # as issued
    province_now: str | None
    locality: Place | None = None  # a place smaller than a province, e.g. thành phố Bảo Lộc

    @property
    def national(self) -> bool:
        return self.province is None and self.province_now is None and self.locality is None

    @property
    def label(self) -> str:
        """'Ninh Thuận (nay thuộc Khánh Hòa)', 'thành phố Bảo Lộc, Lâm Đồng'."""
        if self.national:
            return "toàn quốc"
        base = self.province or self.province_now or ""
        if self.locality is not None:
            base = f"{self.locality.kind.lower()} {self.locality.name}, {base}".strip(", ")
        if self.province and self.province_now and fold(self.province) != fold(self.province_now):
            base += f" (nay thuộc {self.province_now})"
        return base

    def covers(self, place: Place) -> bool:
        if self.national:
            return True
        same_old = self.province is not None and self.province in place.old_provinces
        if place.level == "province":
            if place.era == "new":
                return self.province_now is not None and fold(self.province_now) == fold(place.new_province)
            return same_old
        if place.era == "new" and self.province_now and fold(self.province_now) != fold(place.new_province):
            return False
        if not same_old:
            return False
        return self.locality is None or bool(self.locality.old_districts & place.old_districts)


@dataclass(frozen=True)
class PlaceReading:
    """What the places a question names mean for the answer."""

    mentions: tuple[PlaceMention, ...] = ()  # the places the question is about
    documents: frozenset[str] | None = None  # their documents (None: no place named)
    uncovered: tuple[str, ...] = ()  # labels of named places no document covers
    context: tuple[PlaceMention, ...] = field(default=(), compare=False)  # names said only as context

    @property
    def not_covered(self) -> bool:
        """A place was named and no document speaks of it."""
        return bool(self.uncovered) and not self.documents


class PlaceIndex:
    """The places of the corpus's documents, and which of them a question names."""

    def __init__(self, gazetteer: Gazetteer, documents: Iterable[DocumentPlace], common: frozenset[str] = frozenset()) -> None:
        self.gazetteer = gazetteer
        self.documents = {d.document_id: d for d in documents}
        self.common = common
        # documents that apply in the same place answer a question alike: a question is checked
        # against each place once, not against every document (thousands in a national corpus)
        by_place: dict[tuple, set[str]] = {}
        for d in self.documents.values():
            by_place.setdefault((d.province, d.province_now, d.locality), set()).add(d.document_id)
        self._places = [(DocumentPlace("", *key), frozenset(ids)) for key, ids in by_place.items()]
        self._national = frozenset(i for place, ids in self._places if place.national for i in ids)

    @classmethod
    def for_documents(cls, metadata: dict[str, "object"], texts: Iterable[str] = (), gazetteer: Gazetteer | None = None) -> "PlaceIndex":
        """``metadata``: document id -> DocumentMetadata (province, province_now, locality)."""
        gazetteer = gazetteer or Gazetteer.load()
        places = [document_place(doc_id, meta, gazetteer) for doc_id, meta in metadata.items()]
        return cls(gazetteer, places, common_phrases(texts, gazetteer))

    def covered_places(self) -> list[str]:
        """Labels of the places the documents cover, each once, in document order."""
        return list(dict.fromkeys(d.label for d in self.documents.values()))

    def read(self, text: str) -> PlaceReading:
        mentions = find_mentions(text, self.gazetteer, self.common)
        if not mentions:
            return PlaceReading()
        mentions = _disambiguate(mentions)
        about, context = _about(mentions)
        documents: set[str] = set()
        uncovered: list[str] = []
        for mention in about:
            covering = {i for place, ids in self._places if not place.national and any(place.covers(p) for p in mention.candidates) for i in ids}
            if covering:
                documents |= covering
            else:
                uncovered.append(_mention_label(mention))
        national = self._national
        if not documents and not uncovered:
            return PlaceReading(tuple(about), None, (), tuple(context))
        return PlaceReading(tuple(about), frozenset(documents | national) if documents or national else frozenset(), tuple(uncovered), tuple(context))

    def label_of(self, document_id: str) -> str:
        place = self.documents.get(document_id)
        return place.label if place else ""


def _mention_label(mention: PlaceMention) -> str:
    labels = list(dict.fromkeys(p.label for p in mention.candidates))
    return labels[0] if len(labels) == 1 else mention.text


def _disambiguate(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """'Sơn Tây, Quảng Ngãi': keep the Sơn Tây that lies in a province named beside it."""
    named_old = {p.name for m in mentions for p in m.candidates if p.level == "province" and p.era == "old"}
    named_new = {p.new_province for m in mentions for p in m.candidates if p.level == "province"}
    result = []
    for mention in mentions:
        provinces = {p.new_province for p in mention.candidates}
        if len(provinces) > 1 or len({frozenset(p.old_provinces) for p in mention.candidates}) > 1:
            narrowed = [p for p in mention.candidates if p.old_provinces & named_old] or [p for p in mention.candidates if p.new_province in named_new]
            if narrowed and len(narrowed) < len(mention.candidates):
                mention = PlaceMention(mention.text, mention.start, mention.end, tuple(narrowed), mention.cue)
        if mention.cue == "cũ":
            old = tuple(p for p in mention.candidates if p.era == "old")
            mention = PlaceMention(mention.text, mention.start, mention.end, old or mention.candidates, mention.cue)
        result.append(mention)
    return result


def _about(mentions: list[PlaceMention]) -> tuple[list[PlaceMention], list[PlaceMention]]:
    """Which named places the question is about. 'Khánh Hòa (Ninh Thuận cũ)', 'Bình Thuận cũ,
    giờ nhập vô Lâm Đồng': the merged province is context when a smaller or older place in it
    is named too; the most precise places are what the question is about."""
    def is_new_province(m: PlaceMention) -> bool:
        return m.cue != "cũ" and any(p.level == "province" and p.era == "new" for p in m.candidates)

    about, context = [], []
    for mention in mentions:
        if is_new_province(mention):
            new_names = {p.new_province for p in mention.candidates if p.level == "province" and p.era == "new"}
            inner = [
                other for other in mentions
                if other is not mention and not is_new_province(other) and any(p.new_province in new_names for p in other.candidates)
            ]
            if inner:
                context.append(mention)
                continue
            # a name that is both an old and a new province ('Lâm Đồng'), said as the merged one
            mention = PlaceMention(mention.text, mention.start, mention.end, tuple(p for p in mention.candidates if p.level == "province" and p.era == "new") or mention.candidates, mention.cue)
        about.append(mention)
    return about, context


def document_place(document_id: str, meta: "object", gazetteer: Gazetteer) -> DocumentPlace:
    """A document's place from its metadata; ``province_now`` derived when not given."""
    province = getattr(meta, "province", None)
    province_now = getattr(meta, "province_now", None)
    locality_name = getattr(meta, "locality", None)
    if province and not province_now:
        province_now = gazetteer.now(province)
        if province_now is None and gazetteer.province(province, "new"):
            province_now = gazetteer.province(province, "new").name
    old = gazetteer.province(province, "old") if province else None
    locality = None
    if locality_name:
        candidates = [p for p in gazetteer.lookup(locality_name) if p.level in ("district", "commune") and p.era == "old"]
        if old is not None:
            candidates = [p for p in candidates if old.name in p.old_provinces] or candidates
        locality = candidates[0] if candidates else None
    return DocumentPlace(document_id, old.name if old else province, province_now, locality)


def common_phrases(texts: Iterable[str], gazetteer: Gazetteer, limit_chars: int = 2_000_000) -> frozenset[str]:
    """Place names that the documents also write in lower case, as ordinary words ('thống
    nhất', 'hòa bình'): in a question they count as places only when capitalized or cued."""
    found: set[str] = set()
    seen = 0
    for text in texts:
        if seen > limit_chars:
            break
        seen += len(text)
        tokens = _tokens(text)
        for size in range(2, 5):
            for i in range(len(tokens) - size + 1):
                span = tokens[i : i + size]
                if span[0].text[:1].isupper():
                    continue
                key = " ".join(t.folded for t in span)
                if key in gazetteer.by_name:
                    found.add(key)
    return frozenset(found)
