"""Downloader middlewares: conditional GET, retries with backoff and Retry-After, strict robots.txt.

ConditionalGetMiddleware: conditional GET for discovery pages (sitemaps, feeds, listing pages).

Requests the spider marks with ``meta["conditional"]`` carry ``If-None-Match`` / ``If-Modified-Since``
from the validators (``ETag``, ``Last-Modified``) the server gave last time, kept in the database's
``http_validators`` table. A server that supports them answers ``304 Not Modified`` with no body,
and the spider skips the page: an unchanged sitemap or listing costs one small request.
Validators are written at the end of the run in one transaction (a killed run loses only them:
the next run fetches those pages in full once more).

Settings read: ``NEWSDB_PATH``, ``CONDITIONAL_GET_ENABLED`` (default True).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from pipelines.schema import open_database

logger = logging.getLogger(__name__)


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

    def spider_closed(self, spider: Spider, reason: str = "finished") -> None:
        if not self.pending:
            return
        if reason != "finished":
            # A 304 next time would skip the page's links; a run cut short (a CLOSESPIDER limit,
            # a shutdown, a full disk) may not have followed them all, so it keeps no validators.
            logger.info("run ended early (%s): the pages' validators are not kept", reason)
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


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a pause before each: the server's ``Retry-After`` when it sends one
    (429, 503), otherwise exponential backoff (RETRY_BACKOFF_BASE × 2^attempt seconds). The pause
    is an asyncio sleep: other requests go on meanwhile.

    Settings read: Scrapy's RETRY_* settings, RETRY_BACKOFF_BASE (default 1.0 s), RETRY_AFTER_MAX
    (default 120 s: a longer Retry-After gives up instead of waiting).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    def delay(self, request: Request, response: Response | None) -> float | None:
        """Seconds to wait before the retry; None when the server asks for more than we wait."""
        header = response.headers.get(b"Retry-After") if response is not None else None
        if header:
            seconds = retry_after_seconds(header.decode("latin-1"))
            if seconds is not None:
                return None if seconds > self.retry_after_max else seconds
        attempt = int(request.meta.get("retry_times", 0))
        return self.backoff_base * (2**attempt)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self.delay(request, response)
        if wait is None:
            logger.warning(
                "%s asks to retry after more than %s s: given up", request.url, self.retry_after_max
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"news/retry_wait/{response.status}")
        await asyncio.sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self.delay(request, None) or 0)
        return retry


def retry_after_seconds(value: str) -> float | None:
    """A Retry-After header: delta-seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with RFC 9309's rule for a robots.txt that answers 5xx: the site
    is unreachable for rules, so everything is disallowed (Scrapy would allow everything). A missing
    robots.txt (4xx) allows everything, as the RFC says."""

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if 500 <= response.status < 600:
            logger.warning("robots.txt of %s answered %s: the site is treated as disallowed (RFC 9309)",
                           netloc, response.status)  # fmt: skip
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("news/robots_unavailable")
            response = response.replace(body=b"User-agent: *\nDisallow: /\n")
        await super()._parse_robots(response, netloc, request)


class RedirectLoopMiddleware:
    """Names a redirect loop (A → B → A) instead of letting the duplicate filter swallow it:
    the page is dropped with ``news/failed/redirect_loop`` and a log line.

    Sits before Scrapy's RedirectMiddleware on the way back (a higher number). No settings."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = response.urljoin(location.decode("latin-1"))
        seen = {request.url, *request.meta.get("redirect_urls", [])}
        if target in seen:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("news/failed/redirect_loop")
            logger.warning("redirect loop (%s -> %s), skipped: %s", request.url, target, request.url)
            raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        return response
