"""Extraction stage: turn a fetched page into an article record, or drop it with a named reason.

Calls :func:`pipelines.article.extract_article` (metadata and uncleaned main text) on the page the
spider fetched, then decides whether it is an article at all. Drop reasons (pipelines.drops):
``Undecodable`` (wrong or unknown charset), ``EmptyText`` (nothing to parse), ``NotAnArticle``
(the page declares another type). A missing title or date is not a reason to drop: the field is
left empty; the store counts the reason (``news/field_empty/<reason>``) and logs it with the URL
once the article is stored. A date
from the feed or news sitemap fills in when the page itself has none.

Settings read: ``EXTRACT_ENABLED`` (default True), ``EXTRACT_WORKERS`` (default 0: extract in the
crawl's own process; N: in a pool of N processes; "auto": one per core).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import is_page
from crawler.sites import SITES
from pipelines.dates import DEFAULT_TZ, is_plausible, parse_iso, to_iso
from pipelines.drops import EmptyText, NotAnArticle, Undecodable
from pipelines.worker import extract_in_worker, pure_chain_in_worker

logger = logging.getLogger(__name__)

# A page that neither declares itself an article nor shows a date must at least read like one.
MIN_UNDECLARED_CHARS = 600
# Fields of the record that the item carries on to the next stages.
CARRIED = (
    "url", "title", "published", "modified", "authors", "tags", "section", "lang", "image_url",
    "date_source", "raw_paragraphs", "problems",
)  # fmt: skip


class ExtractPipeline:
    """Runs extraction in-process, or in a pool of EXTRACT_WORKERS processes so that the crawl's
    event loop keeps downloading while pages are parsed on the other cores."""

    def __init__(self, crawler: Crawler, workers: int = 0) -> None:
        self.crawler = crawler
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED", True):
            raise NotConfigured("EXTRACT_ENABLED is off")
        workers = crawler.settings.get("EXTRACT_WORKERS", 0)
        count = (os.cpu_count() or 1) if str(workers).lower() == "auto" else int(workers)
        return cls(crawler, max(0, count))

    def open_spider(self) -> None:
        if self.workers:
            # spawn, not fork: the parent runs an event loop and threads a fork would copy.
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            logger.info("extraction runs in %d worker processes", self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    async def process_item(self, item: Any) -> Any:
        if not is_page(item):
            return item  # a GoneItem: nothing to extract, only the store acts on it
        adapter = ItemAdapter(item)
        url = adapter["fetched_url"]
        site = SITES.get(adapter.get("outlet") or "")
        tz_name = site.timezone if site else DEFAULT_TZ.key
        tz = ZoneInfo(tz_name)
        now = parse_iso(adapter.get("fetched_at") or "") or None
        args = (adapter.get("html") or "", url, adapter.get("outlet"), tz_name, adapter.get("fetched_at"))
        if self.pool is not None:
            record = await asyncio.wrap_future(self.pool.submit(pure_chain_in_worker, *args))
        else:
            record = extract_in_worker(*args)
        problems = record["problems"]
        if "undecodable" in problems:
            raise Undecodable(f"undecodable page (charset): {url}")
        if "empty_page" in problems:
            raise EmptyText(f"empty page: {url}")
        if record["declares_non_article"]:
            raise NotAnArticle(f"page declares og:type other than article: {url}")
        raw_chars = sum(len(p) for p in record["raw_paragraphs"])
        if (
            not record["declares_article"]
            and record["published"] is None
            and raw_chars < MIN_UNDECLARED_CHARS
        ):
            raise NotAnArticle(f"no article signals (no og:type/JSON-LD, no date, little text): {url}")
        if record["published"] is None:
            fallback = self.feed_date(adapter.get("feed_published"), tz, now)
            if fallback:
                record["published"], record["date_source"] = fallback, "feed"
                problems[:] = [p for p in problems if p not in ("no_date", "future_date")]
        for key in CARRIED:
            adapter[key] = record.get(key)
        if record.get("precomputed"):
            for key in ("paragraphs", "text", "lead", "removals", "citations"):
                adapter[key] = record.get(key)
        adapter["extra"] = {
            "precomputed": bool(record.get("precomputed")),
            "declares_article": record["declares_article"],
            "foreign_canonical": record.get("foreign_canonical"),
            "jsonld": record.get("jsonld") or [],
            "links": record.get("links") or [],
            "derived": record.get("derived"),
        }
        return item

    @staticmethod
    def feed_date(raw: str | None, tz: Any, now: datetime | None) -> str | None:
        moment = parse_iso(raw, tz) if raw else None
        return to_iso(moment) if moment and is_plausible(moment, now) else None
