"""The run ledger: one row per crawl in ``crawl_runs``, a lock against overlapping runs, the verdict.

On open, the extension takes an exclusive lock on ``<NEWSDB_PATH>.<spider>.lock`` (fcntl, released by
the kernel even on kill -9); a second run of the same spider finds it held, says so and stops with a
non-zero exit. Rows left "running" by a killed run are marked "killed" by the next run. On close it
writes the counts (discovered, fetched, not modified, new, updated, unchanged, duplicates, dropped
by reason, errors, citations resolved) and a status (pages dropped as not articles go to
``skipped_pages``, so that later runs do not fetch them again):
- ``ok``;
- ``failed``: the spider closed for another reason than "finished";
- ``blocked``: most answers were 403/401 (the site is blocking us);
- ``disallowed``: robots.txt forbids us everything (or answered 5xx, which RFC 9309 reads so);
- ``no_articles``: article pages were fetched but not one article came out of them (the site
  changed its layout);
- ``storage_failed``: the database refused writes (read-only, disk full);
- ``refused``: another run of the same spider holds the lock.
Every status but ``ok`` sets ``news/exit_status`` to 1, which crawler.commands.crawl turns into the
process's exit status.

Settings read: ``NEWSDB_PATH``, ``LEDGER_ENABLED`` (default True).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from pipelines.schema import open_database
from pipelines.urls import url_key

logger = logging.getLogger(__name__)
# A run cut short by a limit the user set (CLOSESPIDER_ITEMCOUNT, _PAGECOUNT, _TIMEOUT) ended as
# asked: its status follows from what it did, and ``finish_reason`` names the limit. Too many
# errors (CLOSESPIDER_ERRORCOUNT) is a failure.
LIMIT_REASONS = ("closespider_itemcount", "closespider_pagecount", "closespider_timeout")


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class RunLedger:
    def __init__(self, crawler: Crawler, db_path: Path) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.lock_file: IO[str] | None = None
        self.run_id: int | None = None
        self.refused = False
        self.not_articles: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLedger:
        if not crawler.settings.getbool("LEDGER_ENABLED", True):
            raise NotConfigured("LEDGER_ENABLED is off")
        ledger = cls(crawler, Path(crawler.settings.get("NEWSDB_PATH") or "output/news.db"))
        crawler.signals.connect(ledger.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ledger.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ledger.item_dropped, signal=signals.item_dropped)
        return ledger

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Spider) -> None:
        # Pages that look like articles by their URL but are not: remembered, so that an
        # incremental run does not fetch them again (see crawler.known).
        from pipelines.drops import NotAnArticle

        if isinstance(exception, NotAnArticle):
            adapter = ItemAdapter(item)
            self.not_articles.append(
                {"url_key": url_key(adapter["fetched_url"]), "outlet": adapter.get("outlet"),
                 "fetched_url": adapter["fetched_url"], "reason": str(exception)[:200], "seen_at": now()}
            )  # fmt: skip

    def stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats() if self.crawler.stats is not None else {}

    def set_stat(self, key: str, value: Any) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(key, value)

    def spider_opened(self, spider: Spider) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.db_path.with_name(f"{self.db_path.name}.{spider.name}.lock")
        handle = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            self.refused = True
            logger.error(
                "another 'scrapy crawl %s' is running on %s (lock %s held by pid %s): this run stops",
                spider.name, self.db_path, lock_path, holder,
            )  # fmt: skip
            self.set_stat("news/exit_status", 1)
            self.set_stat("news/run_status", "refused")
            self._schedule_close()
            return
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.lock_file = handle
        try:
            db = open_database(self.db_path)
        except (sqlite3.Error, OSError) as error:
            logger.error("cannot open the database %s for the run ledger: %s", self.db_path, error)
            return  # the store pipeline stops the crawl and says why
        try:
            with db.atomic():
                last = db.execute(
                    "SELECT status, finish_reason FROM crawl_runs WHERE spider = ? ORDER BY id DESC LIMIT 1",
                    [spider.name],
                ).fetchone()
                # What the spider may trust of the stored articles: after a run that did not go
                # through the whole site (killed, failed, stopped by a CLOSESPIDER limit), known
                # articles are no proof that older ones are stored too.
                if last is not None:
                    status, reason = last
                    complete = status == "ok" and reason == "finished"
                    self.set_stat("news/previous_run", "complete" if complete else reason or "killed")
                db.execute(
                    "UPDATE crawl_runs SET status = 'killed' WHERE spider = ? AND status = 'running'",
                    [spider.name],
                )
                self.run_id = int(
                    db.table("crawl_runs")
                    .insert({"spider": spider.name, "started_at": now(), "status": "running"})
                    .last_rowid
                    or 0
                )
        finally:
            db.close()

    def _schedule_close(self) -> None:
        # As Scrapy's own CloseSpider extension does it.
        from scrapy.utils.defer import _schedule_coro

        assert self.crawler.engine is not None
        _schedule_coro(self.crawler.engine.close_spider_async(reason="already_running"))

    def verdict(self, reason: str, stats: dict[str, Any]) -> str:
        if self.refused:
            return "refused"
        responses = int(stats.get("downloader/response_count", 0))
        forbidden = sum(int(stats.get(f"downloader/response_status_count/{code}", 0)) for code in (401, 403))
        if responses and forbidden >= max(3, responses * 0.8):
            return "blocked"
        if stats.get("news/run_status") == "storage_failed":
            return "storage_failed"
        if reason != "finished" and reason not in LIMIT_REASONS:
            return "failed"
        # robots.txt forbids everything (or answered 5xx): requests were refused and no page,
        # sitemap or feed was read.
        read = sum(
            int(stats.get(k, 0))
            for k in ("news/pages_seen", "news/discovered/sitemap", "news/discovered/feed")
        )
        if int(stats.get("robotstxt/forbidden", 0)) and not read:
            return "disallowed"
        article_pages = int(stats.get("news/article_pages", 0))
        extracted = sum(int(stats.get(f"news/stored/{k}", 0)) for k in ("new", "updated", "unchanged"))
        extracted += int(stats.get("item_dropped_reasons_count/DuplicateArticle", 0))
        if article_pages and not extracted:
            return "no_articles"
        return "ok"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.stats()
        status = self.verdict(reason, stats)
        if status != "ok":
            self.set_stat("news/exit_status", 1)
            logger.error("crawl of %s ended with status %r (reason %r)", spider.name, status, reason)
        self.set_stat("news/run_status", status)
        if self.refused or self.run_id is None:
            self.release()
            return
        dropped = {
            key.rsplit("/", 1)[1]: value
            for key, value in stats.items()
            if key.startswith("item_dropped_reasons_count/")
        }
        row = {
            "finished_at": now(),
            "status": status,
            "finish_reason": reason,
            "discovered": sum(v for k, v in stats.items() if k.startswith("news/discovered/")),
            "fetched": stats.get("downloader/response_count", 0),
            "not_modified": stats.get("downloader/response_status_count/304", 0),
            "new": stats.get("news/stored/new", 0),
            "updated": stats.get("news/stored/updated", 0),
            "unchanged": stats.get("news/stored/unchanged", 0),
            "duplicates": dropped.get("DuplicateArticle", 0),
            "dropped": json.dumps(dropped),
            "errors": stats.get("log_count/ERROR", 0),
            "citations_resolved": stats.get("news/citations_resolved", 0),
            "stats": json.dumps(
                {k: v for k, v in stats.items() if isinstance(v, int | float | str)}, default=str
            ),
        }
        try:
            db = open_database(self.db_path)
        except (sqlite3.Error, OSError) as error:
            logger.error("cannot write the run ledger to %s: %s", self.db_path, error)
            self.release()
            return
        try:
            with db.atomic():
                db.table("crawl_runs").update(self.run_id, row)
                if self.not_articles:
                    db.table("skipped_pages").upsert_all(self.not_articles, pk="url_key")
        except sqlite3.Error as error:
            logger.error("cannot write the run ledger to %s: %s", self.db_path, error)
        finally:
            db.close()
            self.release()

    def release(self) -> None:
        if self.lock_file is not None:
            self.lock_file.close()  # closing releases the lock
            self.lock_file = None
