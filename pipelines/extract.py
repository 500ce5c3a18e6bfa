"""Main-text extraction: the article's paragraphs from a news page's HTML.

trafilatura (called with explicit options, links kept) finds the candidate
body; this module then decides structurally which of its blocks are the
article: it scores every block (long low-link prose up, link-dense lines and
label lines down), keeps the best contiguous stretch of the page, and trims
what readers do not want around it (related-news lists, comment threads,
navigation, dates-only lines, repeated widgets).  Phrase-level boilerplate
(promo lines, credits) is left to pipelines.clean.

Reads no settings.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

# trafilatura's output tags that start a new block; everything else is inline.
_BLOCK_TAGS = frozenset(
    {"p", "head", "item", "quote", "cell", "code", "list", "table", "row", "div", "body"}
)
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
# A line that is only a date/time stamp (digits, separators, month-ish words).
_DATE_ONLY = re.compile(r"^[\W\d_]*$")


@dataclass
class Unit:
    """One output line: a paragraph, list item, heading or table cell line."""

    text: str
    kind: str  # trafilatura tag of the enclosing block: p, head, item, cell, quote...
    link_chars: int  # characters inside <ref> elements
    n_links: int
    block: int  # index of the source block (lines split at <lb/> share it)
    in_list: bool
    in_table: bool

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


def _norm(text: str) -> str:
    return " ".join(text.split())


class _Flattener:
    """Walks trafilatura's body tree and cuts it into Units, in reading order."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self._block = 0

    def run(self, body: etree._Element) -> list[Unit]:
        self._walk(body, "p", False, False)
        return self.units

    def _walk(self, el: etree._Element, kind: str, in_list: bool, in_table: bool) -> None:
        # pieces: (text, is_link, link_start) with "\n" marking <lb/> line breaks
        pieces: list[tuple[str, bool]] = []
        link_starts: list[int] = []
        if el.text:
            pieces.append((el.text, False))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS:
                self._emit(pieces, link_starts, kind, in_list, in_table)
                pieces, link_starts = [], []
                child_kind = tag if tag not in ("list", "table", "row", "div", "body") else kind
                self._walk(
                    child, child_kind, in_list or tag in ("list", "item"),
                    in_table or tag in ("table", "cell"),
                )
            elif tag == "lb":
                pieces.append(("\n", False))
            else:
                if tag == "ref":
                    link_starts.append(len(pieces))
                self._inline(child, pieces, tag == "ref")
            if child.tail:
                pieces.append((child.tail, False))
        self._emit(pieces, link_starts, kind, in_list, in_table)

    def _inline(self, el: etree._Element, pieces: list[tuple[str, bool]], link: bool) -> None:
        if el.text:
            pieces.append((el.text, link))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "lb":
                pieces.append(("\n", False))
            else:
                self._inline(child, pieces, link or tag == "ref")
            if child.tail:
                pieces.append((child.tail, link))

    def _emit(
        self,
        pieces: list[tuple[str, bool]],
        link_starts: list[int],
        kind: str,
        in_list: bool,
        in_table: bool,
    ) -> None:
        if not pieces:
            return
        starts = set(link_starts)
        line: list[tuple[str, bool]] = []
        n_links = 0
        emitted = False
        for i, (text, link) in enumerate(pieces + [("\n", False)]):
            if i in starts:
                n_links += 1
            if text == "\n" and not link:
                joined = _norm("".join(t for t, _ in line))
                if joined:
                    link_chars = sum(len(_norm(t)) for t, is_link in line if is_link)
                    self.units.append(
                        Unit(joined, kind, min(link_chars, len(joined)), n_links,
                             self._block, in_list, in_table)
                    )
                    emitted = True
                line, n_links = [], 0
            else:
                line.append((text, link))
        if emitted:
            self._block += 1


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_date_only(text: str) -> bool:
    """Digits and punctuation only, or digits plus at most two short words (month, weekday)."""
    if _DATE_ONLY.match(text):
        return True
    words = _WORD.findall(text)
    letters = [w for w in words if _LETTER.search(w)]
    return len(words) >= 2 and len(letters) <= 2 and all(len(w) <= 10 for w in letters) and \
        sum(1 for w in words if w.isdigit()) >= 2


def _score(unit: Unit) -> float:
    """Evidence that a unit belongs to the article: + for prose, - for boilerplate."""
    n = unit.chars
    ld = unit.link_density
    if ld >= 0.5:
        return -float(n)
    if _is_date_only(unit.text):
        return -10.0
    if n >= 100 or (n >= 50 and unit.text[-1:] in ".!?»\"…"):
        return n * (1.0 - 2 * ld)
    return -15.0


def _best_span(scores: list[float], gaps: list[float]) -> tuple[int, int]:
    """Maximum-sum contiguous span [start, end) (Kadane); gaps[i] is the cost of joining
    unit i to unit i - 1 in one span (gaps[0] is unused)."""
    best, best_span = float("-inf"), (0, 0)
    cur, cur_start = 0.0, 0
    for i, s in enumerate(scores):
        if i == 0 or cur - gaps[i] <= 0:
            cur, cur_start = s, i
        else:
            cur += s - gaps[i]
        if cur > best:
            best, best_span = cur, (cur_start, i + 1)
    return best_span


def _select(units: list[Unit], dom: _Dom | None) -> list[Unit]:
    if not units:
        return []
    scores = [_score(u) for u in units]
    gaps = _gaps(units, dom) if dom is not None else [0.0] * len(units)
    start, end = _best_span(scores, gaps)
    return units[start:end]
    positions = _locate_units(units, dom)
    core = [(positions[i], units[i].chars) for i in range(start, end)
            if scores[i] > 0 and positions[i] >= 0]
    box = _container(core, dom)
    if box is None:
        return units[start:end]
    return [u for u, pos in zip(units[start:end], positions[start:end])
            if pos < 0 or box[0] <= pos < box[1]]


# Whitespace and invisible characters are dropped from both the page text and the units
# before matching, so that trafilatura's re-spacing does not defeat the lookup.
_SQUEEZE = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff]+")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select"})
_NEEDLE = 40


def _squeeze(text: str) -> str:
    return _SQUEEZE.sub("", text)


@dataclass
class _Dom:
    """The page's visible text in document order with each element's character span."""

    text: str = ""
    starts: list[int] = field(default_factory=list)  # start offset of each text piece
    owners: list[etree._Element] = field(default_factory=list)  # element holding the piece
    spans: dict[etree._Element, tuple[int, int]] = field(default_factory=dict)
    title: str = ""

    @classmethod
    def parse(cls, html: str) -> _Dom:
        dom = cls()
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        root = lxml.html.document_fromstring(html.encode("utf-8", "ignore"), parser=parser)
        dom._index(root)
        dom.title = _page_title(root)
        return dom

    def _index(self, root: etree._Element) -> None:
        parts: list[str] = []
        length = 0
        skip = 0  # depth inside script/style and the like
        open_at: dict[etree._Element, int] = {}

        def add(text: str | None, owner: etree._Element) -> None:
            nonlocal length
            if text:
                squeezed = _squeeze(text)
                if squeezed:
                    self.starts.append(length)
                    self.owners.append(owner)
                    parts.append(squeezed)
                    length += len(squeezed)

        for event, el in etree.iterwalk(root, events=("start", "end")):
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                if skip or tag in _SKIP_TAGS:
                    skip += 1
                    continue
                open_at[el] = length
                add(el.text, el)
            else:
                if skip:
                    skip -= 1
                    if skip == 0 and el.getparent() is not None:
                        add(el.tail, el.getparent())
                    continue
                self.spans[el] = (open_at.pop(el, length), length)
                parent = el.getparent()
                if parent is not None:
                    add(el.tail, parent)
        self.text = "".join(parts)

    def locate(self, text: str, start: int = 0) -> int:
        """Offset of a unit's text in the page text, searching from `start` first; -1 if absent."""
        needle = _squeeze(text)[:_NEEDLE]
        if not needle:
            return -1
        pos = self.text.find(needle, start)
        if pos < 0 and start:
            pos = self.text.find(needle)
        return pos

    def owner_at(self, offset: int) -> etree._Element | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.owners[i] if i >= 0 else None


def _page_title(root: etree._Element) -> str:
    """The headline as the page states it: og:title, else the first <h1>, else <title>."""
    for xpath in ('//meta[@property="og:title"]/@content', "//h1", "//title"):
        found = root.xpath(xpath)
        if found:
            value = found[0] if isinstance(found[0], str) else found[0].text_content()
            if _norm(value):
                return _norm(value)
    return ""


# Inline tags are skipped when looking for the block element that holds a unit's text.
_INLINE_TAGS = frozenset({
    "a", "span", "b", "i", "u", "s", "em", "strong", "font", "small", "big", "sup", "sub",
    "abbr", "acronym", "time", "label", "cite", "q", "mark", "nobr", "tt", "code", "var",
    "ins", "del", "strike", "bdi", "bdo", "data", "dfn", "kbd", "samp", "wbr", "img", "br",
})


def _block_of(el: etree._Element | None) -> etree._Element | None:
    while el is not None and isinstance(el.tag, str) and el.tag.lower() in _INLINE_TAGS:
        el = el.getparent()
    return el


def _ancestors(el: etree._Element) -> list[etree._Element]:
    chain = []
    while el is not None:
        chain.append(el)
        el = el.getparent()
    return chain


def _tree_distance(a: etree._Element, b: etree._Element) -> int:
    """Number of edges on the path between two elements."""
    if a is b:
        return 0
    up_a = _ancestors(a)
    index = {id(el): i for i, el in enumerate(up_a)}
    for j, el in enumerate(_ancestors(b)):
        i = index.get(id(el))
        if i is not None:
            return i + j
    return len(up_a) + 1


_GAP_FREE_DISTANCE = 2  # sibling blocks
_GAP_COST_PER_STEP = 30.0


def _gaps(units: list[Unit], dom: _Dom) -> list[float]:
    """Cost of keeping each unit in one span with the previous one: grows with the distance
    between their blocks in the page's tree, so that a span does not jump from the article
    into a far-away footer, sidebar or comment thread."""
    positions = _locate_units(units, dom)
    blocks = [_block_of(dom.owner_at(p)) if p >= 0 else None for p in positions]
    gaps = [0.0] * len(units)
    for i in range(1, len(units)):
        a, b = blocks[i - 1], blocks[i]
        if a is not None and b is not None:
            steps = _tree_distance(a, b) - _GAP_FREE_DISTANCE
            gaps[i] = _GAP_COST_PER_STEP * max(0, steps)
    return gaps


def _locate_units(units: list[Unit], dom: _Dom) -> list[int]:
    positions = []
    cursor = 0
    for unit in units:
        pos = dom.locate(unit.text, cursor)
        positions.append(pos)
        if pos >= 0:
            cursor = pos
    return positions


def _container(core: list[tuple[int, int]], dom: _Dom) -> tuple[int, int] | None:
    """Span of the smallest element holding most of the core prose (offset, chars pairs)."""
    total = sum(chars for _, chars in core)
    if not total:
        return None
    weight: dict[etree._Element, int] = {}
    for pos, chars in core:
        el = dom.owner_at(pos)
        while el is not None:
            weight[el] = weight.get(el, 0) + chars
            el = el.getparent()
    best: tuple[int, int] | None = None
    for el, w in weight.items():
        span = dom.spans.get(el)
        if span and w >= _CONTAINER_SHARE * total:
            if best is None or span[1] - span[0] < best[1] - best[0]:
                best = span
    return best


_CONTAINER_SHARE = 0.7


def _extract_units(html: str, url: str | None) -> list[Unit]:
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_images=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
    )
    if doc is None or doc.body is None:
        return []
    return _Flattener().run(doc.body)


def extract_paragraphs(html: str, url: str | None = None) -> list[str]:
    """The article's main text below the headline, one paragraph (or list item / subheading)
    per string, in reading order; [] when the page has no extractable text."""
    try:
        if not html or not html.strip():
            return []
        units = _extract_units(html, url)
        try:
            dom: _Dom | None = _Dom.parse(html)
        except (etree.LxmlError, ValueError):
            dom = None
        return [u.text for u in _select(units, dom)]
    except Exception:  # noqa: BLE001 - must never raise on arbitrary pages
        return []
