"""Cleaning stage: drop the lines extractors keep but readers do not want, and record each removal.

The rules are data (``pipelines/data/cleaning_rules.toml``): a name, a pattern, a length cap, and
optionally the site they belong to. Besides them, one rule lives in code because it needs the
article itself: ``title_repeat`` drops a paragraph that only repeats the headline (Vecher.kz prints
the title again above the photo, with the credit). Every removal is returned as
``{"rule": name, "text": removed text, "position": paragraph index}`` so that the store can keep it
next to the article and a wrong removal can be found with one query.

Settings read by :class:`CleanPipeline`: ``CLEAN_ENABLED`` (default True), ``CLEAN_RULES_PATH``
(default: the bundled rules file) and ``CLEAN_MIN_TEXT_CHARS`` (default 150: a shorter text is a
stub, dropped as ``TooShort``).
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.items import is_page

if TYPE_CHECKING:  # Scrapy stays out of the import path of the pure functions.
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "cleaning_rules.toml"
# Characters that only make text look different: no-break and zero-width spaces, soft hyphens.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# A paragraph is the title again when it equals it, or is it plus a photo credit of ≤ 80 chars.
TITLE_REPEAT_SLACK = 80
CREDIT_START = re.compile(
    r"(?:фото|коллаж|видео|иллюстрац|скриншот|кадр|инфографик|источник|сурет|бейне|photo|image|video|credit)"
)


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    max_length: int
    site: str | None = None

    def matches(self, paragraph: str) -> bool:
        return len(paragraph) <= self.max_length and self.pattern.match(paragraph) is not None


@lru_cache(maxsize=8)
def load_rules(path: Path = DEFAULT_RULES_PATH) -> tuple[Rule, ...]:
    """The rules of ``path``; raises ValueError naming the rule when one is malformed."""
    data = tomllib.loads(path.read_text("utf-8"))
    rules = []
    names: set[str] = set()
    for raw in data.get("rule", []):
        name = raw.get("name")
        if not name or name in names:
            raise ValueError(f"{path}: rule without a name or with a duplicate name: {name!r}")
        names.add(name)
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE)
        except (KeyError, re.error) as error:
            raise ValueError(f"{path}: rule {name!r} has a bad pattern: {error}") from error
        rules.append(Rule(name, pattern, int(raw.get("max_length", 200)), raw.get("site")))
    return tuple(rules)


def normalize_paragraph(text: str) -> str:
    """One line of clean text: invisible characters gone, white space folded, NFC."""
    text = unicodedata.normalize("NFC", text.translate(INVISIBLE))
    return re.sub(r"\s+", " ", text).strip()


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def repeats_title(paragraph: str, title: str | None) -> bool:
    """The paragraph is the headline again, alone or followed by a photo credit. A lead that
    merely starts with the headline's words («Заголовок: подробности.») is prose and stays."""
    if not title:
        return False
    folded, folded_title = _fold(paragraph), _fold(title)
    if not folded_title or not folded.startswith(folded_title):
        return False
    rest = folded[len(folded_title) :].strip()
    return not rest or (len(rest) <= TITLE_REPEAT_SLACK and CREDIT_START.match(rest) is not None)


def clean_paragraphs(
    paragraphs: list[str],
    title: str | None = None,
    site: str | None = None,
    rules: tuple[Rule, ...] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Paragraphs without the boilerplate lines, and the list of removals (rule, text, position)."""
    rules = load_rules() if rules is None else rules
    active = [rule for rule in rules if rule.site is None or rule.site == site]
    kept: list[str] = []
    removals: list[dict[str, Any]] = []
    for position, raw in enumerate(paragraphs):
        paragraph = normalize_paragraph(raw)
        if not paragraph:
            continue
        rule_name = "title_repeat" if repeats_title(paragraph, title) else None
        if rule_name is None:
            rule_name = next((rule.name for rule in active if rule.matches(paragraph)), None)
        if rule_name:
            removals.append({"rule": rule_name, "text": paragraph, "position": position})
        else:
            kept.append(paragraph)
    return kept, removals


def clean_article(record: dict[str, Any], rules: tuple[Rule, ...] | None = None) -> dict[str, Any]:
    """Clean ``record["raw_paragraphs"]``; sets ``paragraphs``, ``text``, ``lead``, ``removals``.

    ``text`` is the article as a reader sees it below the headline, one paragraph per line, lead
    included; ``lead`` is its first paragraph.
    """
    paragraphs, removals = clean_paragraphs(
        record.get("raw_paragraphs") or [], record.get("title"), record.get("outlet"), rules
    )
    record["paragraphs"] = paragraphs
    record["removals"] = removals
    record["text"] = "\n".join(paragraphs) or None
    record["lead"] = paragraphs[0] if paragraphs else None
    problems = record.setdefault("problems", [])
    if not paragraphs and "no_text" not in problems:
        problems.append("no_text")
    return record


class CleanPipeline:
    """Applies :func:`clean_article` to the item; drops it (EmptyText) when no text is left."""

    def __init__(self, rules: tuple[Rule, ...], min_chars: int = 0) -> None:
        self.rules = rules
        self.min_chars = min_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not settings.getbool("CLEAN_ENABLED", True):
            raise NotConfigured("CLEAN_ENABLED is off")
        path = Path(settings.get("CLEAN_RULES_PATH") or DEFAULT_RULES_PATH)
        return cls(load_rules(path), settings.getint("CLEAN_MIN_TEXT_CHARS", 150))

    def process_item(self, item: Any) -> Any:
        if not is_page(item):
            return item  # a GoneItem: nothing to extract, only the store acts on it
        from itemadapter import ItemAdapter  # here: the pure functions above need no Scrapy

        from pipelines.drops import EmptyText, TooShort

        adapter = ItemAdapter(item)
        if (adapter.get("extra") or {}).get("precomputed"):
            # Cleaned already, in the extraction worker (EXTRACT_WORKERS): only the checks remain.
            record = {key: adapter.get(key) for key in ("paragraphs", "text", "lead", "removals")}
        else:
            record = {key: adapter.get(key) for key in ("raw_paragraphs", "title", "outlet")}
            clean_article(record, rules=self.rules)
        url = adapter.get("fetched_url")
        if not record["paragraphs"]:
            raise EmptyText(f"no text left after extraction and cleaning: {url}")
        if len(record["text"] or "") < self.min_chars:
            raise TooShort(f"text of {len(record['text'] or '')} characters (< {self.min_chars}): {url}")
        for key in ("paragraphs", "text", "lead", "removals"):
            adapter[key] = record[key]
        return item
