"""Extraction stage: turn a fetched page into an article record, or drop it with a named reason.

Calls :func:`pipelines.article.extract_article` (metadata and uncleaned main text) on the page the
spider fetched, then decides whether it is an article at all. Drop reasons (pipelines.drops):
``Undecodable`` (wrong or unknown charset), ``EmptyText`` (nothing to parse), ``NotAnArticle``
(the page declares another type). A missing title or date is not a reason to drop: the field is
left empty, the reason is counted (``news/field_empty/<reason>``) and logged with the URL. A date
from the feed or news sitemap fills in when the page itself has none.

Settings read: ``EXTRACT_ENABLED`` (default True).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.sites import SITES
from pipelines.article import extract_article
from pipelines.dates import DEFAULT_TZ, is_plausible, parse_iso, to_iso
from pipelines.drops import EmptyText, NotAnArticle, Undecodable

logger = logging.getLogger(__name__)

# A page that neither declares itself an article nor shows a date must at least read like one.
MIN_UNDECLARED_CHARS = 600
# Fields of the record that the item carries on to the next stages.
CARRIED = (
    "url", "title", "published", "modified", "authors", "tags", "section", "lang", "image_url",
    "date_source", "raw_paragraphs", "problems",
)  # fmt: skip


class ExtractPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED", True):
            raise NotConfigured("EXTRACT_ENABLED is off")
        return cls(crawler)

    def inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter["fetched_url"]
        site = SITES.get(adapter.get("outlet") or "")
        tz = ZoneInfo(site.timezone) if site else DEFAULT_TZ
        now = parse_iso(adapter.get("fetched_at") or "") or None
        record = extract_article(adapter.get("html") or "", url, site=adapter.get("outlet"), tz=tz, now=now)
        problems = record["problems"]
        if "undecodable" in problems:
            raise Undecodable(f"undecodable page (charset): {url}")
        if "empty_page" in problems:
            raise EmptyText(f"empty page: {url}")
        if record["declares_non_article"]:
            raise NotAnArticle(f"page declares og:type other than article: {url}")
        raw_chars = sum(len(p) for p in record["raw_paragraphs"])
        if not record["declares_article"] and record["published"] is None and raw_chars < MIN_UNDECLARED_CHARS:
            raise NotAnArticle(f"no article signals (no og:type/JSON-LD, no date, little text): {url}")
        if record["published"] is None:
            fallback = self.feed_date(adapter.get("feed_published"), tz, now)
            if fallback:
                record["published"], record["date_source"] = fallback, "feed"
                problems[:] = [p for p in problems if p not in ("no_date", "future_date")]
        for key in CARRIED:
            adapter[key] = record.get(key)
        adapter["extra"] = {
            "declares_article": record["declares_article"],
            "foreign_canonical": record.get("foreign_canonical"),
            "jsonld": record.get("jsonld") or [],
            "links": record.get("links") or [],
        }
        for problem in problems:
            self.inc(f"news/field_empty/{problem}")
            logger.info("%s: %s", problem, url)
        return item

    @staticmethod
    def feed_date(raw: str | None, tz: Any, now: datetime | None) -> str | None:
        moment = parse_iso(raw, tz) if raw else None
        return to_iso(moment) if moment and is_plausible(moment, now) else None
