"""Extraction stage: turn a fetched page into an article record, or drop it with a named reason.

Calls :func:`pipelines.article.extract_article` (metadata and uncleaned main text) on the page the
spider fetched, then decides whether it is an article at all. Drop reasons (pipelines.drops):
``Undecodable`` (wrong or unknown charset), ``EmptyText`` (nothing to parse), ``NotAnArticle``
(the page declares another type). A missing title or date is not a reason to drop: the field is
left empty; the store counts the reason (``news/field_empty/<reason>``) and logs it with the URL
once the article is stored. A date
from the feed or news sitemap fills in when the page itself has none.

Settings read: ``EXTRACT_ENABLED`` (default True), ``EXTRACT_WORKERS`` (0: extract in the crawl's
own process; N: in a pool of N worker processes from the start; "auto", the default: in the crawl's
process for the first ``EXTRACT_POOL_AFTER`` article pages (default 100), then in a pool of one
worker per core, so a cron run that finds a few new articles starts no processes and a big crawl
uses the whole machine). A worker that dies on a page (``ExtractionCrashed`` when it happens twice)
is replaced and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import is_page
from crawler.sites import SITES
from pipelines.dates import DEFAULT_TZ, is_plausible, parse_iso, to_iso
from pipelines.drops import EmptyText, ExtractionCrashed, NotAnArticle, Undecodable
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

    def __init__(self, crawler: Crawler, workers: int = 0, pool_after: int = 0) -> None:
        self.crawler = crawler
        self.workers = workers
        self.pool_after = pool_after  # article pages extracted in-process before the pool starts
        self.pages = 0
        self.pool: ProcessPoolExecutor | None = None
        self.work: Callable[..., dict[str, Any]] = pure_chain_in_worker  # what a worker runs

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        if not crawler.settings.getbool("EXTRACT_ENABLED", True):
            raise NotConfigured("EXTRACT_ENABLED is off")
        raw = str(crawler.settings.get("EXTRACT_WORKERS", "auto")).strip().lower()
        if raw == "auto":
            cores = os.cpu_count() or 1
            # One core: a pool would only add copying to the same work.
            return cls(crawler, cores if cores > 1 else 0, crawler.settings.getint("EXTRACT_POOL_AFTER", 100))
        if not raw.isdigit():
            raise ValueError(f"EXTRACT_WORKERS must be a number of processes or 'auto', not {raw!r}")
        return cls(crawler, int(raw))

    def open_spider(self) -> None:
        if self.workers and not self.pool_after:
            self.start_pool()

    def start_pool(self) -> None:
        # spawn, not fork: the parent runs an event loop and threads a fork would copy.
        self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        logger.info("extraction runs in %d worker processes", self.workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def in_pool(self, args: tuple[Any, ...]) -> dict[str, Any]:
        """The worker's record for a page; a worker that died is replaced and the page tried once
        more (the pages in flight with it fail too, through no fault of theirs)."""
        for attempt in (1, 2):
            pool = self.pool
            assert pool is not None
            try:
                return await asyncio.wrap_future(pool.submit(self.work, *args))
            except BrokenProcessPool:
                if self.pool is pool:  # the first of the failed pages to get here replaces it
                    logger.warning("an extraction worker died (on %s or a page beside it): restarting the pool",
                                   args[1])  # fmt: skip
                    self.inc("news/extract_pool_restarts")
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.start_pool()
                if attempt == 2:
                    raise ExtractionCrashed(
                        f"extraction killed its worker process twice: {args[1]}"
                    ) from None
        raise AssertionError("unreachable")

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
        self.pages += 1
        if self.pool is None and self.workers and self.pages > self.pool_after:
            self.start_pool()
        if self.pool is not None:
            record = await self.in_pool(args)
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
