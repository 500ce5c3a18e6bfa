"""Main-text extraction: the article's paragraphs from a news page's HTML.

trafilatura, called once with explicit options (links kept, comments and
metadata off), proposes the candidate body; it keeps too much on news pages
(related-news lists, comment widgets, navigation, footers).  This module
then decides structurally which of its lines are the article:

1. Every line gets a score: long low-link prose counts for the article;
   link lines, dates-only lines, short labels, markup shown as text, lines
   repeated on the page, teasers under a repeated "read more" link, lines of
   link-dominated lists and lines hidden with CSS count against it.
2. Every line is found again in the page's own DOM (lxml), and joining two
   consecutive lines costs more the further apart their elements sit in the
   tree, so the article does not run on into a footer, a sidebar or a
   comment thread that trafilatura glued to it.
3. The headline (og:title / twitter:title / <title>, found in an <h1>-<h3>
   or standing alone) gets a bonus, so the stretch under it is preferred.
4. The best-scoring contiguous stretch of lines (Kadane) is the article.
   The headline and what stands above it, dates-only lines, rows of links
   (tags, rubrics, share buttons), lone button links and bare linked
   headlines, and labels left announcing nothing are dropped; the short
   closing lines (byline, "Source: <a>Agency</a>") are taken back; a lead
   paragraph that trafilatura left out between the headline and the body is
   put back in front.

Phrase-level boilerplate ("read also", subscribe prompts, photo credits) is
left to pipelines.clean, which runs after this and records its removals.
Reads no settings.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

import lxml.html
import trafilatura
from lxml import etree

# ---------------------------------------------------------------------------------------------
# trafilatura's body -> lines


@dataclass
class Unit:
    """One output line: a paragraph, list item, heading or table-cell line, in reading order."""

    text: str
    kind: str  # trafilatura tag of the enclosing block: p, head, item, cell, quote...
    link_chars: int  # characters inside <ref> elements
    n_links: int
    block: int  # index of the source block (lines split at <lb/> share it)
    in_list: bool
    group: int  # index of the innermost enclosing <list>, -1 if none

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


# trafilatura's output tags that start a new block; everything else is inline.
_BLOCK_TAGS = frozenset({"p", "head", "item", "quote", "cell", "code", "list", "table", "row", "div", "body"})
_CONTAINER_TAGS = frozenset({"list", "table", "row", "div", "body"})


def _norm(text: str) -> str:
    return " ".join(text.split())


class _Flattener:
    """Walks trafilatura's body tree and cuts it into Units, one per line (<lb/> splits)."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self._block = 0
        self._lists = 0
        self._list = -1

    def run(self, body: etree._Element) -> list[Unit]:
        self._walk(body, "p")
        return self.units

    def _walk(self, el: etree._Element, kind: str) -> None:
        outer_list = self._list
        if el.tag == "list":
            self._list = self._lists
            self._lists += 1
        pieces: list[tuple[str, bool]] = []  # (text, inside a link); "\n" is a line break
        link_starts: list[int] = []
        if el.text:
            pieces.append((el.text, False))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS:
                self._emit(pieces, link_starts, kind)
                pieces, link_starts = [], []
                self._walk(child, kind if tag in _CONTAINER_TAGS else tag)
            elif tag == "lb":
                pieces.append(("\n", False))
            else:
                if tag == "ref":
                    link_starts.append(len(pieces))
                self._inline(child, pieces, tag == "ref")
            if child.tail:
                pieces.append((child.tail, False))
        self._emit(pieces, link_starts, kind)
        self._list = outer_list

    def _inline(self, el: etree._Element, pieces: list[tuple[str, bool]], link: bool) -> None:
        if el.text:
            pieces.append((el.text, link))
        for child in el:
            if child.tag == "lb":
                pieces.append(("\n", False))
            else:
                self._inline(child, pieces, link or child.tag == "ref")
            if child.tail:
                pieces.append((child.tail, link))

    def _emit(self, pieces: list[tuple[str, bool]], link_starts: list[int], kind: str) -> None:
        starts = set(link_starts)
        line: list[tuple[str, bool]] = []
        n_links = 0
        emitted = False
        for i, (text, link) in enumerate([*pieces, ("\n", False)]):
            n_links += i in starts
            if text != "\n" or link:
                line.append((text, link))
                continue
            joined = _norm("".join(t for t, _ in line))
            if joined:
                link_chars = min(len(joined), sum(len(_norm(t)) for t, is_link in line if is_link))
                self.units.append(
                    Unit(joined, kind, link_chars, n_links, self._block, self._list >= 0, self._list)
                )
                emitted = True
            line, n_links = [], 0
        self._block += emitted


def _trafilatura_units(html: str, url: str | None) -> list[Unit]:
    # with_metadata=False: date/metadata extraction would double trafilatura's run time, and
    # the headline is taken from the DOM below.  deduplicate=False: trafilatura's duplicate
    # filter is a process-wide cache that would drop lines seen on *earlier* pages.
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
    body = getattr(doc, "body", None)  # a Document (a dict only with as_dict=True)
    return [] if body is None else _Flattener().run(body)


# ---------------------------------------------------------------------------------------------
# the page's own DOM: where each line sits


# Whitespace and invisible characters are dropped from both the page text and the lines
# before matching, so that trafilatura's re-spacing does not defeat the lookup.
_SQUEEZE = re.compile(r"[\s\u00ad\u200b-\u200f\u2060\ufeff]+")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select"})
_NEEDLE = 40  # leading characters of a line used to find it in the page
_LOCATE_WINDOW = 100_000  # lines mostly follow each other: look this far ahead first
_LOCATE_MISSES = 20  # then stop searching whole huge pages for lines that are not there
# Inline tags are skipped when looking for the block element that holds a line.
_INLINE_TAGS = frozenset(
    {
        "a",
        "span",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "font",
        "small",
        "big",
        "sup",
        "sub",
        "abbr",
        "acronym",
        "time",
        "label",
        "cite",
        "q",
        "mark",
        "nobr",
        "tt",
        "code",
        "var",
        "ins",
        "del",
        "strike",
        "bdi",
        "bdo",
        "data",
        "dfn",
        "kbd",
        "samp",
        "wbr",
        "img",
        "br",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3"})


def _squeeze(text: str) -> str:
    return _SQUEEZE.sub("", text)


@dataclass
class _Dom:
    """The page's visible text (squeezed) in document order and who holds each piece."""

    root: etree._Element
    text: str = ""
    starts: list[int] = field(default_factory=list)  # offset of each text piece
    owners: list[etree._Element] = field(default_factory=list)  # element holding the piece
    raw: list[str] = field(default_factory=list)  # each piece as written, spaces kept
    hidden: list[tuple[int, int]] = field(default_factory=list)  # spans of display:none etc.

    @classmethod
    def parse(cls, html: str) -> _Dom | None:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        try:
            root = lxml.html.document_fromstring(html.encode("utf-8", "ignore"), parser=parser)
        except (etree.LxmlError, ValueError):
            return None
        dom = cls(root)
        dom._index()
        return dom

    def _index(self) -> None:
        parts: list[str] = []
        length = 0
        skip = 0  # depth inside script/style and the like

        def add(text: str | None, owner: etree._Element | None) -> None:
            nonlocal length
            squeezed = _squeeze(text) if text else ""
            if squeezed and owner is not None:
                self.starts.append(length)
                self.owners.append(owner)
                self.raw.append(text)  # type: ignore[arg-type]
                parts.append(squeezed)
                length += len(squeezed)

        hidden_from: list[tuple[etree._Element, int]] = []  # outermost open hidden element
        for event, el in etree.iterwalk(self.root, events=("start", "end")):
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                if skip or tag in _SKIP_TAGS:
                    skip += 1
                    continue
                if not hidden_from and _is_hidden(el):
                    hidden_from.append((el, length))
                add(el.text, el)
            elif skip:
                skip -= 1
                if not skip:
                    add(el.tail, el.getparent())
            else:
                if hidden_from and hidden_from[0][0] is el:
                    self.hidden.append((hidden_from.pop()[1], length))
                add(el.tail, el.getparent())
        self.text = "".join(parts)

    def is_hidden(self, offset: int) -> bool:
        i = bisect.bisect_right(self.hidden, (offset, len(self.text) + 1)) - 1
        return i >= 0 and self.hidden[i][0] <= offset < self.hidden[i][1]

    def locate(self, text: str, start: int = 0, anywhere: bool = True) -> int:
        """Offset of a line in the page text, looking just after `start` first, then (if
        `anywhere`) in the whole text; -1 if absent."""
        needle = _squeeze(text)[:_NEEDLE]
        if not needle:
            return -1
        pos = self.text.find(needle, start, start + _LOCATE_WINDOW)
        if pos < 0 and anywhere:
            pos = self.text.find(needle)
        return pos

    def owner_at(self, offset: int) -> etree._Element | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.owners[i] if i >= 0 else None

    def block_at(self, offset: int) -> etree._Element | None:
        """The nearest non-inline element holding the text at `offset`."""
        el = self.owner_at(offset)
        while el is not None and isinstance(el.tag, str) and el.tag.lower() in _INLINE_TAGS:
            el = el.getparent()
        return el

    def lines_between(self, start: int, end: int) -> list[tuple[str, float, etree._Element]]:
        """The page's lines (runs of text in one block) between two offsets, as
        (text, link density, block)."""
        runs: list[tuple[list[str], int, etree._Element]] = []
        i = bisect.bisect_left(self.starts, start)
        while i < len(self.starts) and self.starts[i] < end:
            owner = self.owners[i]
            block = self.block_at(self.starts[i])
            linked = len(_squeeze(self.raw[i])) if _inside_link(owner, block) else 0
            if block is not None and runs and runs[-1][2] is block:
                runs[-1][0].append(self.raw[i])
                runs[-1] = (runs[-1][0], runs[-1][1] + linked, block)
            elif block is not None:
                runs.append(([self.raw[i]], linked, block))
            i += 1
        out = []
        for texts, linked, block in runs:
            text = _norm("".join(texts))
            if text:
                out.append((text, linked / max(1, len(_squeeze(text))), block))
        return out


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _is_hidden(el: etree._Element) -> bool:
    """Not shown to readers: pop-up forms, templates, collapsed widgets."""
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def _ancestors(el: etree._Element | None) -> list[etree._Element]:
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


def _locate_units(units: list[Unit], dom: _Dom) -> list[int]:
    """Offset of each unit in the page text (-1 when not found), in reading order."""
    positions = []
    cursor = 0
    misses = 0
    for unit in units:
        # search after the previous line: two paragraphs may start with the same words
        pos = dom.locate(unit.text, cursor, anywhere=misses < _LOCATE_MISSES)
        positions.append(pos)
        if pos >= 0:
            cursor = pos + 1
        else:
            misses += 1
    return positions


# ---------------------------------------------------------------------------------------------
# the headline


# separators between headline, section and site name: | / » : - en/em dash :: // with a
# space on at least one side ("Headline -Site"), or a full stop ("Headline. Section. Site")
_SEPARATOR = r"(?:[|/»:\u2013\u2014-]|::|//)"
_TITLE_SPLIT = re.compile(rf"(\s+{_SEPARATOR}\s*|\s*{_SEPARATOR}\s+|\.\s+)")
_MIN_TITLE = 15  # squeezed characters; shorter "titles" (site names, "Home") match anywhere
_MIN_TITLE_WORDS = 4
_MAX_TITLE_PARTS = 6  # a <title> made of many sentences: its first parts are enough


def _title_candidates(root: etree._Element) -> list[str]:
    """What the page says its headline is (og/twitter title, <title>), longest first, with
    the runs of its parts: "Headline - Section - Site" yields "Headline - Section",
    "Headline", ... so that the site name can be left out."""
    found: list[str] = []
    for xpath in (
        '//meta[@property="og:title"]/@content',
        '//meta[@name="twitter:title"]/@content',
        "//title",
    ):
        for value in root.xpath(xpath)[:1]:
            pieces = _TITLE_SPLIT.split(_norm(value if isinstance(value, str) else value.text_content()))
            parts, seps = pieces[::2][:_MAX_TITLE_PARTS], pieces[1::2]
            for i in range(len(parts)):
                for j in range(i + 1, len(parts) + 1):
                    found.append("".join(parts[k] + (seps[k] if k < j - 1 else "") for k in range(i, j)))
    unique = [t for t in dict.fromkeys(found) if len(_squeeze(t)) >= _MIN_TITLE]
    return sorted(unique, key=len, reverse=True)


def _inside_link(el: etree._Element | None, stop: etree._Element | None = None) -> bool:
    """Whether `el` sits in an <a> (looking up at most four levels, or up to `stop`)."""
    for a in _ancestors(el)[:4]:
        if a.tag == "a":
            return True
        if a is stop:
            return False
    return False


def _is_heading(el: etree._Element | None) -> bool:
    return any(a.tag in _HEADINGS for a in _ancestors(el)[:3])


def _text_longer_than(el: etree._Element, limit: float) -> bool:
    """Whether the element's squeezed text exceeds `limit`, reading no more than needed."""
    total = 0
    for text in el.itertext():
        total += len(_squeeze(text))
        if total > limit:
            return True
    return False


def _standalone(
    el: etree._Element | None, block: etree._Element | None, length: int
) -> etree._Element | None:
    """The outermost element from `el` up to `block` whose text is little more than
    `length` squeezed characters: a title set apart, not a mention inside a paragraph."""
    found = None
    for anc in _ancestors(el):
        if _text_longer_than(anc, 1.5 * length):
            break
        found = anc
        if anc is block:
            break
    return found


def _headline(dom: _Dom) -> tuple[int, int, etree._Element] | None:
    """(offset, squeezed length, element) of the headline in the page text, if found.

    The longest stated title found in an <h1>-<h3> outside a link wins (a linked one may be
    a "most read" entry, it comes next); else the longest of at least four words found
    standing alone at the start of its block, outside a link if possible (a section name or
    a phrase of the title inside a paragraph is not the headline); else a lone long <h1>."""
    lowered = dom.text.lower()
    linked_heading = None
    fallbacks: dict[bool, tuple[int, int, etree._Element]] = {}  # by "inside a link"
    for title in _title_candidates(dom.root):
        cand = _squeeze(title).lower()
        worded = len(_WORD.findall(title)) >= _MIN_TITLE_WORDS
        pos = lowered.find(cand)
        for _ in range(20):  # a title repeated in menus and lists: look at a few places
            if pos < 0:
                break
            block = dom.block_at(pos)
            if block is not None and _is_heading(block):
                if not _inside_link(dom.owner_at(pos)):
                    return pos, len(cand), block
                linked_heading = linked_heading or (pos, len(cand), block)
            alone = _standalone(dom.owner_at(pos), block, len(cand))
            if alone is not None and worded and (pos == 0 or dom.block_at(pos - 1) is not block):
                fallbacks.setdefault(_inside_link(dom.owner_at(pos)), (pos, len(cand), alone))
            pos = lowered.find(cand, pos + 1)
    if linked_heading is not None:
        return linked_heading
    if fallbacks:
        return fallbacks.get(False) or fallbacks[True]
    h1s = [h for h in dom.root.iter("h1") if len(_squeeze(h.text_content())) >= _MIN_TITLE]
    if len(h1s) == 1 and not _inside_link(h1s[0]):
        text = _squeeze(h1s[0].text_content())
        pos = dom.text.find(text)
        if pos >= 0:
            return pos, len(text), h1s[0]
    return None


# ---------------------------------------------------------------------------------------------
# scoring


_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]")
_SENTENCE_END = '.!?;:»"…)'
_LINKY = 0.5  # link density from which a line counts as a link
_LINK_LIST_SHARE = 0.3  # share of link lines that makes a list a headline list / navigation
_MARKUP = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_SHORT_LINE = -15.0  # a label, byline or caption: slightly against
_DATE_LINE = -10.0
_DATE_MAX_LETTERS = 12
_HEADLINE_BONUS = 300.0


def _is_date_only(text: str) -> bool:
    """Digits and punctuation, plus at most two short words (a month, a weekday, "year"),
    in any language; a byline with a date ("Name SURNAME - 17.01.2012") is not one."""
    words = _WORD.findall(text)
    letters = [w for w in words if _LETTERS.search(w)]
    if not letters:
        return True
    digits = sum(1 for w in words if w.isdigit())
    return digits >= 2 and len(letters) <= 2 and sum(len(w) for w in letters) <= _DATE_MAX_LETTERS


def _score(unit: Unit) -> float:
    """Evidence that a line belongs to the article: + for prose, - for boilerplate."""
    n = unit.chars
    ld = unit.link_density
    if ld >= _LINKY:
        return -float(n)
    if _is_date_only(unit.text):
        return _DATE_LINE
    if len(_MARKUP.findall(unit.text)) >= 3:  # page source shown as text (a broken widget)
        return -float(n)
    sentence = unit.text[-1] in _SENTENCE_END and len(_WORD.findall(unit.text)) >= 3
    if n >= 100 or (n >= 50 and sentence):
        return n * (1.0 - 2 * ld)
    # a short sentence (a list item, "He added:") is neutral; a label or byline slightly not
    return 0.0 if sentence and ld == 0 else _SHORT_LINE


def _penalise_link_lists(units: list[Unit], scores: list[float]) -> None:
    """A list whose items are largely links is a headline list or navigation: its text lines
    (teasers, dates) are not article prose either."""
    members: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        if unit.in_list:
            members.setdefault(unit.group, []).append(i)
    for indexes in members.values():
        linky: dict[int, bool] = {}
        for i in indexes:
            linky[units[i].block] = linky.get(units[i].block, False) or units[i].link_density >= _LINKY
        if len(linky) >= 3 and sum(linky.values()) >= _LINK_LIST_SHARE * len(linky):
            for i in indexes:
                scores[i] = -float(units[i].chars)


_REPEAT_MIN_CHARS = 20
_REPEATED_LINK_COST = 100.0
_TEASER_MIN_CHARS = 80


def _penalise_repeats(units: list[Unit], scores: list[float]) -> None:
    """A line that occurs more than once is a widget ("Read more" after every teaser, a
    comment form's notice, a share box), and marks the prose around it as a list of items."""
    where: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        where.setdefault(unit.text.lower(), []).append(i)
    for indexes in where.values():
        if len(indexes) < 2 or units[indexes[0]].link_density < _LINKY:
            continue
        # the same link after several paragraphs: "Read more" under teasers
        teasers = [
            i - 1
            for i in indexes
            if i and units[i - 1].chars >= _TEASER_MIN_CHARS and units[i - 1].link_density < _LINKY
        ]
        if len(teasers) >= 2:
            for i in teasers:
                scores[i] = -float(units[i].chars)
    for i, unit in enumerate(units):
        if len(where[unit.text.lower()]) < 2:
            continue
        if unit.link_density >= _LINKY:
            scores[i] = -max(float(unit.chars), _REPEATED_LINK_COST)
        elif unit.chars >= _REPEAT_MIN_CHARS:
            scores[i] = -float(unit.chars)


# Joining two consecutive lines is free when their blocks are siblings and costs
# LINEAR * steps + QUADRATIC * steps^2 for every further step up and down the tree.
_GAP_FREE_DISTANCE = 2
_GAP_LINEAR = 25.0
_GAP_QUADRATIC = 15.0


def _gap_cost(a: etree._Element | None, b: etree._Element | None) -> float:
    """Cost of one span holding lines from blocks a and b (0 when either is unknown)."""
    if a is None or b is None:
        return 0.0
    steps = max(0, _tree_distance(a, b) - _GAP_FREE_DISTANCE)
    return _GAP_LINEAR * steps + _GAP_QUADRATIC * steps * steps


def _best_span(scores: list[float], gaps: list[float]) -> tuple[int, int]:
    """Maximum-sum contiguous span [start, end) (Kadane); gaps[i] is the cost of joining
    line i to line i - 1 in one span."""
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


# ---------------------------------------------------------------------------------------------
# selection


@dataclass
class _Line:
    """A unit with its score and place in the page, or the headline's stand-in."""

    unit: Unit | None  # None: the headline, when trafilatura left it out
    score: float
    block: etree._Element | None
    pos: int = -1  # offset in the page text, -1 if not found
    headline: bool = False
    end: int = -1  # for the headline: where it ends in the page text


def _lines(units: list[Unit], dom: _Dom | None) -> list[_Line]:
    """The units as scored lines placed in the page, with the headline marked (added as a
    stand-in line when trafilatura left it out)."""
    scores = [_score(u) for u in units]
    _penalise_link_lists(units, scores)
    _penalise_repeats(units, scores)
    if dom is None:
        return [_Line(u, s, None) for u, s in zip(units, scores, strict=True)]
    positions = _locate_units(units, dom)
    lines = [
        _Line(u, s, dom.block_at(p) if p >= 0 else None, p)
        for u, s, p in zip(units, scores, positions, strict=True)
    ]
    for line in lines:
        if line.pos >= 0 and dom.is_hidden(line.pos) and line.unit is not None:
            line.score = -float(line.unit.chars)
    head = _headline(dom)
    if head is None:
        return lines
    offset, length, element = head
    # the line holding the headline, else a stand-in inserted where the headline stands
    for index, (line, unit) in enumerate(zip(lines, units, strict=True)):
        if 0 <= line.pos <= offset < line.pos + len(_squeeze(unit.text)):
            if len(_squeeze(unit.text)) > length * 1.5 + 20:
                # A long line that only starts like the headline: a lead that repeats its words
                # was located at the headline's place. It stands below the headline.
                below = dom.locate(unit.text, offset + length, anywhere=False)
                if below >= 0:
                    line.pos, line.block = below, dom.block_at(below)
                    positions[index] = below
                    continue
                # trafilatura glued the headline to what follows it (a page with one short
                # paragraph): keep what follows, as a line placed after the headline.
                title = " ".join(element.text_content().split())
                if title and unit.text.startswith(title):
                    unit.text = unit.text[len(title) :].strip()
                    line.pos = positions[index] = offset + length
                continue
            line.score = max(line.score, 0.0) + _HEADLINE_BONUS
            line.headline = True
            line.end = offset + length
            return lines
    at = next((i for i, pos in enumerate(positions) if pos > offset), len(lines))
    lines.insert(at, _Line(None, _HEADLINE_BONUS, element, offset, True, offset + length))
    return lines


def _select(lines: list[_Line], dom: _Dom | None) -> list[str]:
    """The article's lines, as text, from the scored lines of the page."""
    if not lines:
        return []
    start, end = _article_span(lines)
    chosen = lines[start:end]
    head = next((line for line in lines if line.headline), None)
    if head is not None:
        chosen = _below_headline(chosen, head)
    chosen = [line for line in chosen if line.unit is not None and _readable(line.unit)]
    chosen = _drop_orphan_labels(chosen, lines)
    texts = [line.unit.text for line in chosen if line.unit is not None]
    below = [line for line in chosen if head is not None and line.pos > head.pos]
    if dom is not None and head is not None and below:
        texts = _lede(dom, head, min(below, key=lambda line: line.pos), texts) + texts
    return texts or _leftovers(lines, head)


def _leftovers(lines: list[_Line], head: _Line | None) -> list[str]:
    """When the best stretch held nothing but the headline (a page of short lines, such as
    a photo gallery): the readable lines below the headline that are neither links nor
    widgets.  A page with nothing below its headline has no text."""
    return [
        line.unit.text
        for line in lines
        if line.unit is not None
        and not line.headline
        and line.score >= _SHORT_LINE
        and (head is None or line.pos > head.pos)
        and _readable(line.unit)
    ]


_HEADLINE_GAP_CAP = 150.0  # headlines often sit in a header block far from the body
_TAIL_LINES = 3
_TAIL_MAX_GAP = 40.0
_TAIL_MAX_CHARS = 200


def _article_span(lines: list[_Line]) -> tuple[int, int]:
    """The best-scoring stretch of lines, then the short lines that close it (a byline, a
    source line) when they sit right next to it on the page."""
    gaps = [0.0] + [_gap_cost(a.block, b.block) for a, b in itertools.pairwise(lines)]
    for i, line in enumerate(lines[:-1]):
        if line.headline:
            gaps[i + 1] = min(gaps[i + 1], _HEADLINE_GAP_CAP)
    start, end = _best_span([line.score for line in lines], gaps)
    # Kadane always ends on prose: the signature lines after it cost a little, so it stops
    # before them; take them back while they are short, close by and not links.
    for _ in range(_TAIL_LINES):
        if end >= len(lines) or gaps[end] > _TAIL_MAX_GAP:
            break
        unit = lines[end].unit
        if unit is None or not _is_tail_line(unit) or lines[end].score < -_TAIL_MAX_CHARS:
            break
        end += 1
    return start, end


def _is_tail_line(unit: Unit) -> bool:
    # a label ending in ":" announces what follows (a related list), which is not taken
    return (
        unit.kind not in ("head", "item")
        and unit.chars <= _TAIL_MAX_CHARS
        and not unit.text.endswith(":")
        and _readable(unit)
    )


_LABEL_MAX_CHARS = 60


def _drop_orphan_labels(chosen: list[_Line], lines: list[_Line]) -> list[_Line]:
    """A short line ending in ":" announces what follows it ("Related news:"); when that
    was not kept, the label goes too."""
    kept = {id(line) for line in chosen}
    following = {id(a): b for a, b in itertools.pairwise(lines)}
    out = []
    for line in chosen:
        text = line.unit.text if line.unit is not None else ""
        nxt = following.get(id(line))
        if text.endswith(":") and len(text) <= _LABEL_MAX_CHARS and (nxt is None or id(nxt) not in kept):
            continue
        out.append(line)
    return out


def _below_headline(chosen: list[_Line], head: _Line) -> list[_Line]:
    """Drop the headline and what stands above it (rubric, date) - above in trafilatura's
    order and on the page: trafilatura sometimes emits the headline after the body."""
    at = next((i for i, line in enumerate(chosen) if line is head), -1)
    if at < 0:
        return chosen
    return [line for i, line in enumerate(chosen) if i > at or (line is not head and line.pos > head.pos)]


_UI_LINK_WORDS = 3  # "Print", "Discuss (76)", "Mobile version"


def _readable(unit: Unit) -> bool:
    """Lines kept inside the article: not dates alone, not rows of links (tags, rubrics,
    share buttons), not a lone short link (print / discuss buttons) or a bare linked
    headline.  A labelled link ("Source: <a>Agency</a>", "Read also: <a>...</a>") and a
    linked sentence (a promo) stay: whether they are boilerplate is a question of wording,
    for the phrase cleaner, which records what it removes."""
    if _is_date_only(unit.text):
        return False
    if unit.link_density < _LINKY:
        return True
    if unit.n_links > 1:
        return False
    labelled = len(_LETTERS.findall(unit.text)) * (1 - unit.link_density) >= 3
    words = len(_WORD.findall(unit.text))
    if labelled:
        return True
    return words > _UI_LINK_WORDS and unit.text[-1] in ".!?…"


_LEDE_WINDOW = 2000  # squeezed characters between headline and body searched for a lede
_LEDE_MIN_CHARS = 50
_LEDE_MIN_WORDS = 6
_LEDE_MAX_LINK_DENSITY = 0.5
_LEDE_MAX_DISTANCE = 4  # tree steps from the headline or the body


def _lede(dom: _Dom, head: _Line, first: _Line, texts: list[str]) -> list[str]:
    """Prose between the headline and the body that trafilatura left out: the standfirst /
    lead paragraph, which many layouts keep in an element of its own.  It must sit close to
    the headline or to the body in the tree (not in a widget between them), and must not
    repeat the headline (breadcrumbs) or a line already taken."""
    if not 0 <= first.pos - head.end <= _LEDE_WINDOW or head.block is None or first.block is None:
        return []
    known = {_squeeze(t)[:_NEEDLE] for t in texts}
    headline = dom.text[head.pos : head.end]
    found = []
    for text, link_density, block in dom.lines_between(head.end, first.pos):
        squeezed = _squeeze(text)
        if (
            len(text) >= _LEDE_MIN_CHARS
            and len(_WORD.findall(text)) >= _LEDE_MIN_WORDS
            and link_density <= _LEDE_MAX_LINK_DENSITY
            and not _is_date_only(text)
            and not _MARKUP.search(text)
            and squeezed[:_NEEDLE] not in known
            and headline not in squeezed
            and min(_tree_distance(block, head.block), _tree_distance(block, first.block))
            <= _LEDE_MAX_DISTANCE
        ):
            found.append(text)
    return found


def extract_paragraphs(html: str, url: str | None = None) -> list[str]:
    """The article's main text below the headline, one paragraph (or list item / subheading)
    per string, in reading order; [] when the page has no extractable text."""
    try:
        if not html or not html.strip():
            return []
        units = _trafilatura_units(html, url)
    except Exception:  # a crawl must survive any page
        return []
    if not units:
        return []
    try:
        dom = _Dom.parse(html)
        return _select(_lines(units, dom), dom)
    except Exception:  # e.g. RecursionError on absurdly nested pages: trafilatura's text
        return [u.text for u in units if _readable(u)]
