"""Conditional GET for discovery pages: robots-named sitemaps, feeds, listing pages.

Requests the spider marks with ``meta["conditional"]`` carry ``If-None-Match`` / ``If-Modified-Since``
from the validators (``ETag``, ``Last-Modified``) the server gave last time, kept in the database's
``http_validators`` table. A server that supports them answers ``304 Not Modified`` with no body,
and the spider skips the page: an unchanged sitemap or listing costs one small request.
Validators are written at the end of the run in one transaction (a killed run loses only them:
the next run fetches those pages in full once more).

Settings read: ``NEWSDB_PATH``, ``CONDITIONAL_GET_ENABLED`` (default True).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from pipelines.schema import open_database


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler, db_path: Path) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.pending: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("CONDITIONAL_GET_ENABLED", True):
            raise NotConfigured("CONDITIONAL_GET_ENABLED is off")
        middleware = cls(crawler, Path(crawler.settings.get("NEWSDB_PATH") or "output/news.db"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        db = open_database(self.db_path)
        try:
            self.validators = {
                row[0]: (row[1], row[2])
                for row in db.execute("SELECT url, etag, last_modified FROM http_validators")
            }
        finally:
            db.close()

    def spider_closed(self, spider: Spider) -> None:
        if not self.pending:
            return
        checked = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        db = open_database(self.db_path)
        try:
            with db.atomic():
                db.table("http_validators").upsert_all(
                    [
                        {"url": url, "etag": etag, "last_modified": modified, "checked_at": checked}
                        for url, (etag, modified) in self.pending.items()
                    ],
                    pk="url",
                )
        finally:
            db.close()

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        etag, modified = self.validators.get(request.url, (None, None))
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = modified

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self.pending[request.url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response
