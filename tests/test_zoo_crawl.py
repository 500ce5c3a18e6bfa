"""End to end: ``scrapy crawl vecher`` against the zoo of bad input (mirror/zoo.py).

One crawl of the whole zoo (robots "normal", slow pages 6 s) is shared by the tests of the zoo's
table, one test per category (discovery, charsets, broken documents, size and compression,
navigation, server behaviour), each parametrised over the zoo's ``PAGES``. Every row is checked for
the outcome the zoo's docstring documents:

- "stored": one row whose text is the story's paragraphs as correct Cyrillic (no mojibake, no
  U+FFFD), with the story's title and ``published``;
- "stored with X empty": the row, with the field NULL, and the reason counted
  (``news/field_empty/<reason>``) and logged with the URL;
- "skipped: ...": no row, a log line naming the URL and the reason, and a stat counting it;
- "retried then stored / counted": the zoo's request log shows the retries and their pauses.

That crawl's log is read at DEBUG: Scrapy's own filters (robots.txt, off-site, redirects, failed
discovery URLs) give their reasons at that level only. Stats are read from Scrapy's dump at the end
of the log.

Then: the robots.txt variants, each its own short crawl; politeness and identity (a per-site delay
through DOWNLOAD_SLOTS, the User-Agent, a proxy from the environment); and a known article that
disappears (a small mirror served by mirror.server, whose ``_routes.json`` turns two articles into
404/410 between two crawls).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import sqlite3
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from crawler import settings as crawler_settings
from mirror import zoo
from mirror.server import Mirror, make_handler, serve
from mirror.zoo import ARTICLE, PAGES, STORIES, ZooPage, article_html, serve_zoo
from tests.conftest import run_crawl

RETRIES = crawler_settings.RETRY_TIMES  # retries after the first request
BACKOFF_BASE = 0.2
RETRY_AFTER = float(zoo.RETRY_AFTER)
DEPTH_LIMIT = crawler_settings.DEPTH_LIMIT
MAX_LISTING_PAGES = crawler_settings.NEWS_MAX_LISTING_PAGES
MAX_SITEMAP_URLS = 200
SLOW_SECONDS = 6.0
DOWNLOAD_TIMEOUT = 3

MAIN_SETTINGS = (
    f"DOWNLOAD_TIMEOUT={DOWNLOAD_TIMEOUT}",  # under SLOW_SECONDS: the slow and drip pages time out
    "AUTOTHROTTLE_ENABLED=False",  # no start delay of 1 s per request over ~300 requests
    f"RETRY_BACKOFF_BASE={BACKOFF_BASE}",  # pauses of 0.2 s and 0.4 s instead of 1 s and 2 s
    f"NEWS_MAX_SITEMAP_URLS={MAX_SITEMAP_URLS}",  # 200 of the 100,000 bulk pages, not all of them
    "LOG_LEVEL=DEBUG",  # Scrapy's filters (robots.txt, off-site, redirects) log their reasons at DEBUG
)
# Nothing else is needed to stay under ~40 s (the run takes ~12 s, most of it the slow page's three
# 3-second timeouts). The traps (calendar, lenta) are left to the project's own bounds, DEPTH_LIMIT
# and NEWS_MAX_LISTING_PAGES, because bounding them is what the navigation rows check.
SHORT_SETTINGS = (
    f"DOWNLOAD_TIMEOUT={DOWNLOAD_TIMEOUT}",
    "AUTOTHROTTLE_ENABLED=False",
    f"RETRY_BACKOFF_BASE={BACKOFF_BASE}",
    "NEWS_MAX_SITEMAP_URLS=10",
)
MOJIBAKE = re.compile(
    r"[ÐÑÃ][\x80-\xbf]|Р[°±µ¶·ЂЃ‚„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—™љ›њќћџ]|С[ЂЃ‚„…†‡€‰Љ‹ЊЌЋЏђ‘’“”•–—™љ›њќћџ]"
)
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[")
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                   "no_proxy", "NO_PROXY")  # fmt: skip


# --- Running a crawl against a zoo --------------------------------------------------------------


def fetch_json(url: str) -> dict[str, Any]:
    """GET a JSON URL directly (never through a proxy the environment may name)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        data: dict[str, Any] = json.loads(response.read().decode("utf-8"))
    return data


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def scrapy_stats(log: str) -> dict[str, int | str]:
    """The numbers and strings of the stats Scrapy dumps at the end of a run (keys may hold dots
    and spaces: ``retry/reason_count/429 Unknown Status``)."""
    assert "Dumping Scrapy stats:" in log, log[-3000:]
    text = log.split("Dumping Scrapy stats:", 1)[1]
    stats: dict[str, int | str] = {}
    for key, number, string in re.findall(r"'([^'\n]+)': (?:(\d+)|'([^'\n]*)')[,}]", text):
        stats[key] = int(number) if number else string
    return stats


def page_path(url: str) -> str:
    """The decoded path (and query) of a URL: how the zoo names a page."""
    parts = urlsplit(url)
    return unquote(parts.path) + ("?" + parts.query if parts.query else "")


@dataclass
class ZooRun:
    """One crawl: the crawler's exit status, log, stats and database, and what the zoo saw."""

    base: str
    db: Path
    returncode: int
    log: str
    zoo: dict[str, Any]
    stats: dict[str, int | str] = field(init=False)

    def __post_init__(self) -> None:
        self.stats = scrapy_stats(self.log)

    def stat(self, key: str) -> int:
        value = self.stats.get(key, 0)
        return value if isinstance(value, int) else 0

    def stats_matching(self, pattern: str) -> dict[str, int]:
        return {k: v for k, v in self.stats.items() if re.fullmatch(pattern, k) and isinstance(v, int)}

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/?=&%")

    def hits(self, path: str) -> int:
        return int(self.zoo["counts"].get(path, 0))

    def requests_for(self, path: str) -> list[dict[str, Any]]:
        return [entry for entry in self.zoo["requests"] if entry["path"] == path]

    def paths(self) -> list[str]:
        return list(self.zoo["counts"])

    @cached_property
    def articles(self) -> list[dict[str, Any]]:
        return query(self.db, "SELECT * FROM articles ORDER BY id") if self.db.exists() else []

    def rows_for(self, path: str) -> list[dict[str, Any]]:
        """The rows whose canonical or fetched URL is this page."""
        return [
            row for row in self.articles if path in (page_path(row["url"]), page_path(row["fetched_url"]))
        ]

    @cached_property
    def records(self) -> list[str]:
        """The first line of every log record (item dumps on the following lines are left out)."""
        return [line for line in self.log.splitlines() if LOG_RECORD.match(line)]

    def logged(self, urls: tuple[str, ...], reason: str) -> list[str]:
        """Log records naming one of the URLs and matching the reason."""
        named = re.compile("|".join(re.escape(u) + r"(?=$|[\s>)'\":,])" for u in urls))
        return [line for line in self.records if named.search(line) and re.search(reason, line)]

    @cached_property
    def ledger(self) -> list[dict[str, Any]]:
        return query(self.db, "SELECT * FROM crawl_runs ORDER BY id") if self.db.exists() else []


def crawl_zoo(
    tmp: Path,
    *settings: str,
    robots: str = "normal",
    slow_seconds: float = 0.0,
    environ: dict[str, str] | None = None,
) -> ZooRun:
    """Serve a fresh zoo, crawl it once with these settings (and environment variables), and return
    what happened; the zoo is closed before returning."""
    server, base = serve_zoo(robots=robots, slow_seconds=slow_seconds)
    db = tmp / "news.db"
    try:
        with pytest.MonkeyPatch.context() as patch:
            if environ is not None:
                for name in PROXY_VARIABLES:
                    patch.delenv(name, raising=False)
                for name, value in environ.items():
                    patch.setenv(name, value)
            result = run_crawl("vecher", base, db, *settings)
        seen = fetch_json(base + "/__stats")
    finally:
        server.shutdown()
        server.server_close()
    return ZooRun(base, db, result.returncode, result.stderr, seen)


@pytest.fixture(scope="module")
def main_run(tmp_path_factory: pytest.TempPathFactory) -> ZooRun:
    return crawl_zoo(tmp_path_factory.mktemp("zoo-main"), *MAIN_SETTINGS, slow_seconds=SLOW_SECONDS)


# --- What each outcome means ----------------------------------------------------------------------


def slug_of(path: str) -> str:
    return path[len(ARTICLE) :].removesuffix(".html")


def expected_text(slug: str) -> str:
    text = STORIES[slug].text
    if slug == "zoo-truncated":  # the page ends mid-sentence: so does the article
        return text[: text.index(zoo.TRUNCATE_AFTER) + len(zoo.TRUNCATE_AFTER)]
    return text


def check_stored(run: ZooRun, path: str, empty: str | None = None) -> None:
    """One row for the page, with the story's text, title and date (``empty``: that field NULL)."""
    found = run.rows_for(path)
    assert len(found) == 1, f"{path}: expected one stored row, found {len(found)}"
    row = found[0]
    slug = slug_of(path)
    story = STORIES[slug]
    text = row["text"] or ""
    assert "\ufffd" not in text, f"{path}: U+FFFD in the stored text: {text[:300]!r}"
    assert not MOJIBAKE.search(text), f"{path}: mojibake in the stored text: {text[:300]!r}"
    assert text == expected_text(slug), f"{path}: stored text differs from the story:\n{text!r}"
    if empty == "title":
        assert row["title"] is None, f"{path}: title should be NULL, is {row['title']!r}"
    else:
        assert row["title"] == story.title, f"{path}: title {row['title']!r}"
    if empty == "published":
        assert row["published"] is None, f"{path}: published should be NULL, is {row['published']!r}"
    else:
        assert row["published"] == story.published, f"{path}: published {row['published']!r}"
    if empty is not None:
        # The reason is logged with the URL by the store ("stored with a field empty (no_title): URL").
        word = "date" if empty == "published" else empty
        url = re.escape(run.url(path))
        reasons = [
            m[1] for line in run.records if (m := re.search(rf"field empty \((\w*{word}\w*)\): {url}$", line))
        ]
        assert reasons, f"{path}: no log line names why {empty} is empty"
        for reason in reasons:
            assert run.stat(f"news/field_empty/{reason}") >= 1, f"news/field_empty/{reason} not counted"


def check_followed(run: ZooRun, page: ZooPage) -> None:
    assert run.hits(page.path) >= 1, f"{page.path} was never fetched"
    assert run.rows_for(page.path) == [], f"{page.path} was stored"
    extra = FOLLOWED_EXTRAS.get(page.path)
    if extra is not None:
        extra(run)


def check_retried(run: ZooRun, page: ZooPage) -> None:
    entries = run.requests_for(page.path)
    times = [entry["time"] for entry in entries]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    statuses = [entry["status"] for entry in entries]
    if page.status in (429, 503):  # one Retry-After: 2, then the article
        assert statuses == [page.status, 200], f"{page.path}: statuses {statuses}"
        assert gaps[0] >= RETRY_AFTER - 0.05, f"{page.path}: retried after {gaps[0]:.2f} s, not Retry-After"
        assert run.stat(f"news/retry_wait/{page.status}") >= 1
    else:
        assert len(entries) == RETRIES + 1, f"{page.path}: {len(entries)} requests, statuses {statuses}"
    if page.status == 500:
        # Exponential backoff: each pause at least RETRY_BACKOFF_BASE × 2^attempt (10% slack for
        # the clock); the floors double, so the gaps grow.
        for attempt, gap in enumerate(gaps):
            floor = BACKOFF_BASE * 2**attempt
            assert gap >= 0.9 * floor, f"{page.path}: pause {attempt + 1} was {gap:.2f} s (< {floor} s)"
    url = run.url(page.path)
    if page.outcome == "retried then stored":
        check_stored(run, page.path)
        return
    assert run.rows_for(page.path) == [], f"{page.path} was stored"
    assert run.logged((url,), rf"Gave up retrying .*\(failed {RETRIES + 1} times\)"), (
        f"no give-up line: {url}"
    )
    counted = sum(1 for p in PAGES if p.outcome == "retried then counted")
    assert run.stat("retry/max_reached") == counted
    assert run.stat(f"retry/reason_count/{RETRY_REASONS[page.path]}") >= RETRIES


RETRY_REASONS = {
    ARTICLE + "zoo-500-always.html": "500 Internal Server Error",
    ARTICLE + "zoo-slow.html": "scrapy.exceptions.DownloadTimeoutError",
    ARTICLE + "zoo-drip.html": "scrapy.exceptions.DownloadTimeoutError",
    ARTICLE + "zoo-reset.html": "scrapy.exceptions.ResponseDataLossError",
}


@dataclass(frozen=True)
class Skip:
    """How a skipped page shows: a log record naming it and its reason, a stat counting it."""

    reason: str | None  # regex on the log record; None: nothing to log (never fetched)
    stat: str | None  # regex on stat keys: at least one of them counts it
    fetched: bool = True  # False: the zoo must never have been asked for it
    also: tuple[str, ...] = ()  # other URLs (paths or absolute) the record may name instead


_CHAIN = tuple(f"{ARTICLE}zoo-redirect-chain-{n}.html" for n in range(1, 11))
_DROPPED = "item_dropped_reasons_count/"
_TOO_BIG = Skip(
    r"larger than download max size",
    r"downloader/exception_type_count/scrapy\.exceptions\.DownloadCancelledError",
)
# Decompression bombs, redirect loops and chains: Scrapy names no stat for them, any stat whose name
# says so is taken.
_BOMB = Skip(
    r"exceeded DOWNLOAD_MAXSIZE .*during decompression", r"(?i).*(max_?size|decompress|too_?large|bomb).*"
)
SKIPS: dict[str, Skip] = {
    "/sitemaps/bomb.xml.gz": Skip(r"gzip body too large", r"news/bad_sitemap"),
    # The zoo calls it a bad sitemap; the crawler counts a sitemap whose every loc lxml refused to
    # expand as empty (its log line names the entities): both counters are taken.
    "/sitemaps/entity-bomb.xml": Skip(r"entit", r"news/bad_sitemap|news/empty_sitemap"),
    "/sitemaps/html.xml": Skip(r"not a sitemap", r"news/bad_sitemap"),
    "/sitemaps/garbage.xml": Skip(r"not a sitemap", r"news/bad_sitemap"),
    "/sitemaps/missing.xml": Skip(r"\b404\b|non-200", r"news/discovery_failed"),
    ARTICLE + "bulk-1.html": Skip(r"no article signals", _DROPPED + "NotAnArticle"),
    "/rss.xml": Skip(r"not an RSS/Atom feed", r"news/bad_feed"),
    "/ru/rss": Skip(r"\b404\b", r"httperror/response_ignored_status_count/404|news/discovery_failed"),
    ARTICLE + "zoo-robots-disallowed.html": Skip(r"Forbidden by robots\.txt", r"robotstxt/forbidden", False),
    ARTICLE + "zoo-empty-body.html": Skip(r"Dropped: empty page", _DROPPED + "EmptyText"),
    ARTICLE + "zoo-js-shell.html": Skip(r"Dropped: .*(no text|empty)", _DROPPED + "EmptyText"),
    ARTICLE + "zoo-too-short.html": Skip(r"Dropped: text of \d+ characters", _DROPPED + "TooShort"),
    ARTICLE + "zoo-huge.html": _TOO_BIG,
    ARTICLE + "zoo-huge-undeclared.html": _TOO_BIG,
    ARTICLE + "zoo-gzip-bomb.html": _BOMB,
    ARTICLE + "zoo-gzip-bomb-nested.html": _BOMB,
    ARTICLE + "zoo-deflate-bomb.html": _BOMB,
    ARTICLE + "zoo-redirect-loop-a.html": Skip(
        r"(?i)redirect(ion)? loop|max redirections", r"(?i).*(redirect|loop).*",
        also=(ARTICLE + "zoo-redirect-loop-b.html",),
    ),
    ARTICLE + "zoo-redirect-chain-1.html": Skip(
        r"(?i)max redirections|too many redirects", r"(?i).*redirect.*", also=_CHAIN
    ),
    ARTICLE + "zoo-redirect-chain-end.html": Skip(None, None, False),
    ARTICLE + "zoo-redirect-offsite.html": Skip(r"(?i)offsite", r"offsite/filtered", also=(zoo.OFFSITE_URL,)),
    ARTICLE + "zoo-offsite-only.html": Skip(None, None, False),
    zoo.LONG_PATH: Skip(r"url length > \d+", r"urllength/request_ignored_count", False),
    ARTICLE + "zoo-404.html": Skip(r"\b404\b", r"news/gone/404|httperror/response_ignored_status_count/404"),
    ARTICLE + "zoo-410.html": Skip(r"\b410\b", r"news/gone/410|httperror/response_ignored_status_count/410"),
}  # fmt: skip


def check_skipped(run: ZooRun, page: ZooPage) -> None:
    if page.outcome.startswith("skipped: duplicate of "):
        check_duplicate(run, page)
        return
    if page.path == "/rss":
        # The zoo names no feed at /rss: the crawler reaches it through a plain link from the home
        # page, as an ordinary page, and reads it as a feed only if something calls it one. Either
        # way it is not stored, and if it was read as a feed it was refused with a reason.
        assert run.rows_for(page.path) == []
        if run.logged((run.url(page.path),), r"(?i)feed"):
            assert run.stat("news/bad_feed") >= 1
        return
    spec = SKIPS[page.path]
    url = run.url(page.path)
    assert run.rows_for(page.path) == [], f"{page.path} was stored"
    if spec.fetched:
        assert run.hits(page.path) >= 1, f"{page.path} was never fetched"
    else:
        assert run.hits(page.path) == 0, f"{page.path} was fetched {run.hits(page.path)} times"
    if spec.reason is not None:
        urls = (url, *(u if u.startswith("http") else run.url(u) for u in spec.also))
        assert run.logged(urls, spec.reason), f"no log line names {url} and the reason /{spec.reason}/"
    if spec.stat is not None:
        counted = run.stats_matching(spec.stat)
        assert sum(counted.values()) >= 1, f"{page.path}: no stat /{spec.stat}/ counts it"


def check_duplicate(run: ZooRun, page: ZooPage) -> None:
    original = ARTICLE + "zoo-duplicate.html"
    canonical = [row for row in run.articles if page_path(row["url"]) == original]
    assert len(canonical) == 1, f"zoo-duplicate stored {len(canonical)} times"
    assert all(page_path(row["url"]) != page.path for row in run.articles)
    if run.hits(page.path) == 0:
        # A tracking variant (utm_*) is never fetched: the site's skip patterns leave it out.
        assert "utm_" in page.path
        return
    # Fetched: dropped as a duplicate of whichever copy the run stored first.
    urls = (run.url(page.path), run.url(original))
    assert run.logged(urls, r"Dropped: .*already stored in this run"), "no duplicate drop logged"
    assert run.stat("item_dropped_reasons_count/DuplicateArticle") == 1


def check_page(run: ZooRun, page: ZooPage) -> None:
    outcome = page.outcome
    if outcome == "stored":
        check_stored(run, page.path)
    elif match := re.fullmatch(r"stored \(as (.+)\)", outcome):
        check_stored(run, ARTICLE + match[1])
        assert all(page_path(row["fetched_url"]) != page.path for row in run.articles)
        assert run.hits(page.path) == 1
    elif match := re.fullmatch(r"stored with (\w+) empty", outcome):
        check_stored(run, page.path, empty=match[1])
    elif outcome.startswith("followed, not stored"):
        check_followed(run, page)
    elif outcome.startswith("retried then "):
        check_retried(run, page)
    elif outcome.startswith("skipped: "):
        check_skipped(run, page)
    else:
        pytest.fail(f"no check for the outcome {outcome!r}")


# --- Extra checks of the followed pages --------------------------------------------------------


def _bulk_sitemap(run: ZooRun) -> None:
    bulk = [p for p in run.paths() if p.startswith(ARTICLE + "bulk-")]
    assert 0 < len(bulk) <= MAX_SITEMAP_URLS
    assert run.stat("news/sitemap_truncated") == 1
    assert run.logged((run.url("/sitemaps/bulk-100k.xml"),), rf"more than {MAX_SITEMAP_URLS} URLs")


def _calendar(run: ZooRun) -> None:
    months = [p for p in run.paths() if p.startswith("/calendar/")]
    # From one month, DEPTH_LIMIT steps each way at most.
    assert 0 < len(months) <= 2 * DEPTH_LIMIT + 1, f"{len(months)} calendar pages"
    assert run.stat("depth/request_ignored_count") >= 1


def _lenta(run: ZooRun) -> None:
    pages = [p for p in run.paths() if p.startswith("/ru/lenta")]
    assert 0 < len(pages) <= MAX_LISTING_PAGES + 1, f"{len(pages)} lenta pages"


def _links(run: ZooRun) -> None:
    assert run.hits(ARTICLE + "zoo-offsite-only.html") == 0
    odd = [p for p in run.paths() if re.search(r"passwd|alert|mailto|tel:|data:|zoo-no-scheme|^https?:", p)]
    assert odd == [], f"links to other hosts or schemes were requested: {odd}"


def _feed(run: ZooRun) -> None:
    assert run.stat("news/discovered/feed") == 2


def _sitemaps(run: ZooRun) -> None:
    assert run.stat("news/discovered/sitemap") >= 1
    assert not run.logged((run.url("/sitemap.xml"), run.url("/sitemaps/articles.xml.gz")), r"not a sitemap")


FOLLOWED_EXTRAS: dict[str, Callable[[ZooRun], None]] = {
    "/sitemaps/bulk-100k.xml": _bulk_sitemap,
    "/calendar/2023/03/": _calendar,
    "/ru/lenta": _lenta,
    "/ru/links.html": _links,
    "/feed": _feed,
    "/sitemap.xml": _sitemaps,
    "/sitemaps/articles.xml.gz": _sitemaps,
}


def zoo_pages(group: str) -> list[Any]:
    return [pytest.param(page, id=page.label) for page in PAGES if page.group == group]


# --- The zoo's table, one test per category -------------------------------------------------------


@pytest.mark.parametrize("page", zoo_pages("discovery"))
def test_discovery(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)


@pytest.mark.parametrize("page", zoo_pages("charset"))
def test_charsets(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)
    # The raw page kept for re-extraction is stored decoded too, not as mojibake.
    (row,) = main_run.rows_for(page.path)
    (kept,) = query(main_run.db, "SELECT html_zlib FROM pages WHERE article_id = ?", (row["id"],))
    page_html = zlib.decompress(kept["html_zlib"]).decode("utf-8")
    assert html.escape(STORIES[slug_of(page.path)].title) in page_html


@pytest.mark.parametrize("page", zoo_pages("broken"))
def test_broken_documents(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)


def test_field_empty_counts_only_stored_articles(main_run: ZooRun) -> None:
    """``news/field_empty/<reason>`` counts stored articles with an empty field, not pages dropped."""
    stored = {row["fetched_url"] for row in main_run.articles}
    counted: list[str] = []
    for line in main_run.records:
        if match := re.search(
            r"\[pipelines\.store\] INFO: stored with a field empty \((\w+)\): (\S+)$", line
        ):
            counted.append(match[2])
    assert counted, "no field_empty reasons logged"
    not_stored = [url for url in counted if url not in stored]
    assert not_stored == [], f"news/field_empty/* counted for pages that were not stored: {not_stored}"


@pytest.mark.parametrize("page", zoo_pages("size"))
def test_size_and_compression(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)
    assert main_run.hits(page.path) == 1, "an oversized page is not worth a retry"


@pytest.mark.parametrize("page", zoo_pages("navigation"))
def test_navigation(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)


@pytest.mark.parametrize("page", zoo_pages("server"))
def test_server_behaviour(main_run: ZooRun, page: ZooPage) -> None:
    check_page(main_run, page)


# --- The run as a whole --------------------------------------------------------------------------


def expected_stored_paths() -> set[str]:
    paths = set()
    for page in PAGES:
        if match := re.fullmatch(r"stored \(as (.+)\)", page.outcome):
            paths.add(ARTICLE + match[1])
        elif page.outcome.startswith(("stored", "retried then stored")):
            paths.add(page.path)
    return paths


def test_exactly_the_expected_articles_are_stored(main_run: ZooRun) -> None:
    stored = [page_path(row["url"]) for row in main_run.articles]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected_stored_paths()


def test_crawl_ends_ok_and_the_ledger_names_the_drop_reasons(main_run: ZooRun) -> None:
    assert main_run.returncode == 0, main_run.log[-3000:]
    assert main_run.stats.get("finish_reason") == "finished"
    assert main_run.stats.get("news/run_status") == "ok"
    (run,) = main_run.ledger
    assert run["status"] == "ok" and run["finish_reason"] == "finished"
    dropped = json.loads(run["dropped"])
    reasons = {
        key.rsplit("/", 1)[1]: value
        for key, value in main_run.stats_matching(r"item_dropped_reasons_count/.+").items()
    }
    assert dropped == reasons
    assert {"NotAnArticle", "EmptyText", "DuplicateArticle"} <= set(dropped)
    assert run["duplicates"] == dropped["DuplicateArticle"] == 1
    assert run["new"] == len(main_run.articles) == main_run.stat("news/stored/new")


def test_the_same_article_twice_in_one_run_is_stored_once(main_run: ZooRun) -> None:
    # zoo-duplicate.html and zoo-duplicate-copy.html are the same bytes under two addresses.
    original = ARTICLE + "zoo-duplicate.html"
    assert len([row for row in main_run.articles if page_path(row["url"]) == original]) == 1
    assert main_run.hits(original) == 1 and main_run.hits(ARTICLE + "zoo-duplicate-copy.html") == 1
    assert main_run.stat("item_dropped_reasons_count/DuplicateArticle") == 1
    # zoo-control is named by both sitemaps, the feed, the home page and every lenta page: fetched
    # once, stored once.
    control = ARTICLE + "zoo-control.html"
    assert main_run.hits(control) == 1
    assert len(main_run.rows_for(control)) == 1


def test_default_user_agent_names_the_project_and_a_contact(main_run: ZooRun) -> None:
    agent = crawler_settings.USER_AGENT
    assert agent.startswith(zoo.CRAWLER_TOKEN + "/")
    assert re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", agent), f"no contact address in {agent!r}"
    agents = {entry["user_agent"] for entry in main_run.zoo["requests"]}
    assert agents == {agent}


# --- robots.txt ------------------------------------------------------------------------------------


@pytest.mark.parametrize("robots", ["missing", "broken"])
def test_a_robots_txt_without_rules_allows_everything(tmp_path: Path, robots: str) -> None:
    run = crawl_zoo(tmp_path, *SHORT_SETTINGS, robots=robots)
    assert run.returncode == 0, run.log[-3000:]
    assert [row["status"] for row in run.ledger] == ["ok"]
    assert run.hits("/robots.txt") >= 1
    assert len(run.articles) >= 20
    # Nothing is disallowed, so the page "normal" disallows is fetched and stored too.
    assert len(run.rows_for(ARTICLE + "zoo-robots-disallowed.html")) == 1
    assert run.stat("robotstxt/forbidden") == 0


@pytest.mark.parametrize("robots", ["disallow_all", "disallow_crawler", "server_error"])
def test_a_robots_txt_that_forbids_everything_stops_the_crawl(tmp_path: Path, robots: str) -> None:
    run = crawl_zoo(tmp_path, *SHORT_SETTINGS, robots=robots)
    assert set(run.paths()) == {"/robots.txt"}, f"fetched besides robots.txt: {run.paths()}"
    assert run.articles == []
    assert run.stat("robotstxt/forbidden") >= 1
    if robots == "server_error":  # RFC 9309: a robots.txt answering 5xx means disallow all
        assert run.logged(("robots.txt",), r"answered 500: the site is treated as disallowed")
        assert run.stat("news/robots_unavailable") == 1
    responses = {k: v for k, v in run.stats.items() if k.startswith(("downloader/response", "robotstxt/"))}
    assert [row["status"] for row in run.ledger] == ["disallowed"], f"ledger status; stats {responses}"
    assert run.stats.get("news/run_status") == "disallowed"
    assert run.logged(("crawl of vecher",), r"ended with status 'disallowed'")
    assert run.returncode == 1


def test_a_site_that_forbids_every_page_is_reported_blocked(tmp_path: Path) -> None:
    run = crawl_zoo(tmp_path, *SHORT_SETTINGS, robots="forbidden_all")
    assert {entry["status"] for entry in run.zoo["requests"]} == {403}
    assert run.articles == []
    assert [row["status"] for row in run.ledger] == ["blocked"]
    assert run.logged(("crawl of vecher",), r"ended with status 'blocked'")
    assert run.returncode == 1


# --- Politeness and identity -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def polite_run(tmp_path_factory: pytest.TempPathFactory) -> ZooRun:
    # The project's own politeness settings (AutoThrottle on) plus a per-site slot for the zoo's
    # host, as a user would configure one. CONCURRENT_REQUESTS=4 bounds the queue the downloader
    # still works off after CLOSESPIDER_PAGECOUNT closes the spider.
    slots = json.dumps({"127.0.0.1": {"delay": 0.5, "concurrency": 1}})
    return crawl_zoo(
        tmp_path_factory.mktemp("zoo-polite"), f"DOWNLOAD_SLOTS={slots}", "CLOSESPIDER_PAGECOUNT=10",
        "CONCURRENT_REQUESTS=4",
    )  # fmt: skip


def test_a_per_site_delay_and_concurrency_are_honoured(polite_run: ZooRun) -> None:
    times = sorted(entry["time"] for entry in polite_run.zoo["requests"])
    assert len(times) >= 10
    gaps = [round(later - earlier, 3) for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.4, f"requests closer than the slot's 0.5 s delay: {gaps}"


AGENT = "zoo-tester/2.0 (+mailto:qa@example.org)"


@pytest.fixture(scope="module")
def proxy_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZooRun]:
    # The zoo is its own proxy: Scrapy's HttpProxyMiddleware reads http_proxy from the environment
    # and sends every request to it in absolute form (GET http://127.0.0.1:PORT/path).
    tmp = tmp_path_factory.mktemp("zoo-proxy")
    server, base = serve_zoo(robots="normal", slow_seconds=0.0)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name in PROXY_VARIABLES:
                patch.delenv(name, raising=False)
            patch.setenv("http_proxy", base)
            result = run_crawl(
                "vecher",
                base,
                tmp / "news.db",
                *SHORT_SETTINGS,
                "CLOSESPIDER_PAGECOUNT=15",
                f"USER_AGENT={AGENT}",
            )
        seen = fetch_json(base + "/__stats")
    finally:
        server.shutdown()
        server.server_close()
    yield ZooRun(base, tmp / "news.db", result.returncode, result.stderr, seen)


def test_the_user_agent_setting_replaces_the_default(proxy_run: ZooRun) -> None:
    agents = {entry["user_agent"] for entry in proxy_run.zoo["requests"]}
    assert agents == {AGENT}


def test_a_proxy_from_the_environment_is_used(proxy_run: ZooRun) -> None:
    entries = proxy_run.zoo["requests"]
    assert len(entries) >= 10
    assert all(entry["absolute_form"] for entry in entries), [
        e["path"] for e in entries if not e["absolute_form"]
    ]
    assert any(e["path"].startswith(ARTICLE) and e["status"] == 200 for e in entries)
    assert len(proxy_run.articles) >= 1


# --- A known article that disappears -----------------------------------------------------------------

GONE = {ARTICLE + "zoo-cp1251-meta.html": 410, ARTICLE + "zoo-koi8r-meta.html": 404}
STAYS = ARTICLE + "zoo-control.html"


def build_mirror(root: Path) -> None:
    """A three-article site in mirror.server's format (``__BASE__`` is the served base URL)."""
    paths = [STAYS, *GONE]
    for path in paths:
        page = root / path.lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(article_html(STORIES[slug_of(path)], "__BASE__" + path), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow:\n\nSitemap: __BASE__/sitemap.xml\n", "utf-8")
    entries = "".join(
        f"<url><loc>__BASE__{path}</loc><lastmod>{STORIES[slug_of(path)].published}</lastmod></url>\n"
        for path in paths
    )
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n',
        "utf-8",
    )
    links = "".join(f'<li><a href="{path}">{STORIES[slug_of(path)].title}</a></li>' for path in paths)
    (root / "index.html").write_text(zoo.simple_page("Вечерний Алматы", f"<ul>{links}</ul>"), "utf-8")


@dataclass
class GoneRuns:
    first: ZooRun
    second: ZooRun


@pytest.fixture(scope="module")
def gone_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GoneRuns]:
    tmp = tmp_path_factory.mktemp("gone")
    root = tmp / "site"
    build_mirror(root)
    db = tmp / "news.db"
    server, base = serve(root)
    empty_zoo: dict[str, Any] = {"counts": {}, "requests": []}
    try:
        first = run_crawl("vecher", base, db, "AUTOTHROTTLE_ENABLED=False")
        first_run = ZooRun(base, db, first.returncode, first.stderr, empty_zoo)
        _ = first_run.articles  # read now: the second crawl changes the database
        # The articles disappear: the same server (same port, so the same URL keys) answers them
        # with a bare status from _routes.json from now on.
        (root / "_routes.json").write_text(json.dumps({"status": GONE}), "utf-8")
        server.RequestHandlerClass = make_handler(Mirror(root), base)
        # A re-check window wide enough that the 2023 articles are fetched again.
        second = run_crawl("vecher", base, db, "AUTOTHROTTLE_ENABLED=False", "NEWS_RECHECK_DAYS=100000")
    finally:
        server.shutdown()
        server.server_close()
    yield GoneRuns(first_run, ZooRun(base, db, second.returncode, second.stderr, empty_zoo))


def test_a_known_article_that_disappears_is_marked_gone(gone_runs: GoneRuns) -> None:
    first, second = gone_runs.first, gone_runs.second
    assert first.returncode == 0, first.log[-3000:]
    assert sorted(page_path(row["url"]) for row in first.articles) == sorted([STAYS, *GONE])
    assert all(row["gone_at"] is None for row in first.articles)

    assert second.returncode == 0, second.log[-3000:]
    for path, status in GONE.items():
        assert second.logged((second.url(path),), rf"answers {status} \(gone\)"), f"{path} not re-fetched"
        assert second.stat(f"news/gone/{status}") == 1
    assert second.stat("news/marked_gone") == len(GONE)
    before = {row["id"]: row for row in first.articles}
    after = {row["id"]: row for row in second.articles}
    assert after.keys() == before.keys(), "a gone article lost its row"
    for article_id, row in after.items():
        path = page_path(row["url"])
        assert row["text"] == before[article_id]["text"]
        if path in GONE:
            assert row["gone_at"] is not None, f"{path}: gone_at not set"
        else:
            assert row["gone_at"] is None, f"{path}: marked gone but still there"
    assert [run["status"] for run in second.ledger] == ["ok", "ok"]
