"""The news spider all sites share: discovery from standard signals, no article parsing.

Discovery, in order of trust: robots.txt and its ``Sitemap:`` lines, sitemap indexes and sitemaps
(``lastmod`` and ``news:publication_date`` carried along), RSS/Atom feeds (``pubDate``), listing
pages and their pagination, and the links of every fetched page. A page is handed to the pipelines
when its path matches the site's article pattern or the page declares itself an article (og:type
``article``, JSON-LD NewsArticle); every other page is only followed. Extraction happens in the
pipelines, never here.

``-a base_url=URL`` crawls a mirror served at URL as if it were the site: links to the site's hosts
are rewritten to the mirror (hosts in ``Site.host_prefixes`` under their prefix), and the mirror's
host becomes the only allowed domain.

Settings read: NEWS_MAX_LISTING_PAGES (pagination depth of one listing), NEWS_MAX_SITEMAP_URLS (URLs
read from one sitemap, default 50,000 as the protocol allows), DOWNLOAD_MAXSIZE (for gzipped
sitemaps), NEWSDB_PATH and NEWS_RECHECK_DAYS (what is known already, see crawler.known). Stats written under ``news/``: discovered URLs by source, pages seen, bad
sitemaps and feeds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from html import unescape as html_unescape
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import scrapy
from lxml import etree
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.decoding import recover
from crawler.items import GoneItem, PageItem
from crawler.known import KnownArticles, load_known
from crawler.sites import Site
from pipelines.dates import parse_iso, parse_rfc822, to_iso
from pipelines.urls import url_key

logger = logging.getLogger(__name__)

ARTICLE_DECLARATION = re.compile(
    r"""<meta[^>]+(?:property|name)=["']og:type["'][^>]+content=["']article["']"""
    r"""|<meta[^>]+content=["']article["'][^>]+(?:property|name)=["']og:type["']"""
    r"""|"@type"\s*:\s*\[?\s*"(?:News|Reportage|Analysis|Opinion)?(?:Article|NewsArticle)\"""",
    re.IGNORECASE,
)
NEXT_PAGE_WORDS = re.compile(r"^\s*(?:следующая|далее|вперед|вперёд|next|келесі|›|»|>|→)", re.I)
PRIORITY_ARTICLE = 20
PRIORITY_DISCOVERY = 10  # sitemaps, feeds, listing pagination: they lead to articles
LINK_CACHE_SIZE = 200_000
HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"'#][^"']*)["']""", re.IGNORECASE)
LINK_TAG = re.compile(r"<link\s[^>]*>", re.IGNORECASE)
TAG_ATTRIBUTE = re.compile(r"""([a-zA-Z:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
NON_WEB_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "file:", "ftp:", "#")


class NewsSpider(scrapy.Spider):
    """Base of the per-site spiders: set ``name`` and ``site``."""

    site: ClassVar[Site]

    def __init__(self, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mirror = base_url is not None
        self.base_url = (base_url or self.site.base_url).rstrip("/")
        base = urlsplit(self.base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_host = base.hostname
        self.base_netloc = base.netloc
        self.allowed_domains = [self.base_host] if self.mirror else list(self.site.domains)
        self.tz = ZoneInfo(self.site.timezone)
        self.listing_pages: dict[str, int] = {}
        self.known = KnownArticles()
        self.feeds_guessed = False
        # Requests already made by this run, and what links mean (see classify): they spare
        # Scrapy's duplicate filter most of its work on link-heavy pages.
        self.requested: set[str] = set()
        self.link_cache: dict[str, tuple[str | None, bool]] = {}

    # --- URLs ------------------------------------------------------------------------------

    def crawl_url(self, url: str) -> str | None:
        """Where to fetch a site URL (on a mirror: rewritten to it); None when off-site."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if host == self.base_host and parts.port == urlsplit(self.base_url).port:
            return urlunsplit(parts._replace(fragment=""))
        if not self.site.owns_host(host):
            return None
        if not self.mirror:
            return urlunsplit(parts._replace(fragment=""))
        prefix = next((p for h, p in self.site.host_prefixes.items() if host == h or host == "www." + h), "")
        path = prefix + (parts.path or "/")
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, self.base_netloc, base.path + path, parts.query, ""))

    def site_path(self, url: str) -> str:
        """The path (and query) of a crawl URL, relative to the base URL: what patterns match."""
        parts = urlsplit(url)
        path = parts.path
        base_path = urlsplit(self.base_url).path
        if self.mirror and base_path and path.startswith(base_path):
            path = path[len(base_path) :] or "/"
        return path + ("?" + parts.query if parts.query else "")

    def is_article_url(self, url: str) -> bool:
        return self.site.is_article_path(self.site_path(url))

    def is_skipped_url(self, url: str) -> bool:
        return self.site.is_skipped_path(self.site_path(url))

    # --- Start -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.known = load_known(
            self.settings.get("NEWSDB_PATH") or "output/news.db",
            self.site.id,
            recheck_days=self.settings.getfloat("NEWS_RECHECK_DAYS", 2.0),
        )
        if len(self.known):
            logger.info("%d articles of %s already stored: only new or changed ones are fetched",
                        len(self.known), self.site.id)  # fmt: skip
        # robots.txt is read in full every run (it is small, and a 304 would hide its Sitemap:
        # lines); the guessed sitemap and feed addresses are tried only when nothing names one.
        # The listings wait for robots.txt: a link on them to a sitemap robots.txt names (a footer's
        # "Sitemap" link) must not be fetched first as a plain page.
        robots = self.discovery(self.base_url + "/robots.txt", self.parse_robots, "robots")
        robots.meta["conditional"] = False
        robots.errback = self.robots_failed
        yield robots

    def listings(self) -> Iterator[Request]:
        for path in self.site.listings:
            yield self.discovery(self.absolute(path), self.parse_page, "listing")

    def guessed(self, paths: tuple[str, ...], callback: Any, via: str) -> Iterator[Request]:
        for path in paths:
            yield self.discovery(self.absolute(path), callback, via)

    def robots_failed(self, failure: Any) -> Iterator[Request]:
        self.discovery_failed(failure)
        yield from self.guessed(self.site.sitemaps, self.parse_sitemap, "sitemap")
        yield from self.listings()

    def absolute(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return self.crawl_url(path_or_url) or path_or_url
        return self.base_url + path_or_url

    def discovery(self, url: str, callback: Any, via: str) -> Request:
        # Discovery pages are asked for conditionally: an unchanged one answers 304 with no body.
        return Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            priority=PRIORITY_DISCOVERY,
            meta={"via": via, "conditional": True, "handle_httpstatus_list": [304]},
        )

    def not_modified(self, response: Response) -> bool:
        if response.status == 304:
            self.inc("news/not_modified")
            return True
        return False

    def discovery_failed(self, failure: Any) -> None:
        # A guessed sitemap or feed address that does not exist is normal; count it, go on.
        request = getattr(failure, "request", None)
        self.inc("news/discovery_failed")
        logger.debug("discovery URL failed: %s (%s)", getattr(request, "url", "?"), failure.value)

    def page_failed(self, failure: Any) -> None:
        """A page that could not be had: too large, a decompression bomb, too many redirects, a
        timeout or reset after the retries. Counted by cause, logged with the URL."""
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        error = failure.value
        message = str(error)
        if isinstance(error, HttpError) or message.startswith("redirect loop"):
            return  # counted already: Scrapy's httperror/* stats, RedirectLoopMiddleware
        if "decompress" in message or "max_size" in message or "DOWNLOAD_MAXSIZE" in message:
            cause = "too_large"
        elif "redirection" in message or "redirect" in message:
            cause = "redirects"
        else:
            cause = type(error).__name__
        self.inc(f"news/failed/{cause}")
        logger.warning("page not fetched (%s: %s): %s", cause, message[:200] or type(error).__name__, url)

    def inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    # --- robots.txt, sitemaps, feeds -------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        named = 0
        if isinstance(response, TextResponse) and response.status == 200:
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                target = self.crawl_url(url)
                if target:
                    named += 1
                    # Top-level sitemaps are read in full: an index that did not change may
                    # still point to sitemaps that did. The sitemaps it names are conditional.
                    request = self.discovery(target, self.parse_sitemap, "sitemap")
                    request.meta["conditional"] = False
                    yield request
        if not named:
            yield from self.guessed(self.site.sitemaps, self.parse_sitemap, "sitemap")
        yield from self.listings()

    def sitemap_body(self, response: Response) -> bytes | None:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception:  # a bomb or a broken archive: scrapy raises its own private type
                logger.warning("sitemap %s: gzip body too large or broken, skipped", response.url)
                return None
        head = body[:512].lstrip().lower()
        if not (head.startswith(b"<?xml") or b"<urlset" in head or b"<sitemapindex" in head):
            return None
        return body

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if self.not_modified(response):
            return
        body = self.sitemap_body(response)
        if body is None:
            self.inc("news/bad_sitemap")
            logger.warning("not a sitemap, skipped: %s", response.url)
            return
        try:
            sitemap = Sitemap(body)
        except (etree.XMLSyntaxError, StopIteration, ValueError):
            self.inc("news/bad_sitemap")
            logger.warning("unreadable sitemap, skipped: %s", response.url)
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            self.inc("news/bad_sitemap")
            logger.warning("not a sitemap (root <%s>), skipped: %s", sitemap.type, response.url)
            return
        news_dates = news_publication_dates(body)
        entries = 0
        limit = self.settings.getint("NEWS_MAX_SITEMAP_URLS", 50_000)
        try:
            for entry in sitemap:
                entries += 1
                if entries > limit:
                    # The sitemap protocol allows 50,000 URLs a file; more is a trap or a mistake.
                    self.inc("news/sitemap_truncated")
                    logger.warning(
                        "sitemap lists more than %d URLs, the rest ignored: %s", limit, response.url
                    )
                    break
                loc = entry.get("loc", "")
                target = self.crawl_url(urljoin(response.url, loc))
                if sitemap.type == "sitemapindex":
                    if target:
                        yield self.discovery(target, self.parse_sitemap, "sitemap")
                    continue
                if not target or self.is_skipped_url(target):
                    continue
                self.inc("news/discovered/sitemap")
                request = self.page_request(
                    target, via="sitemap", lastmod=entry.get("lastmod"), published=news_dates.get(loc)
                )
                if request is not None:
                    yield request
        except etree.XMLSyntaxError:
            # lxml stops on what it will not parse (an entity bomb among them): what was read counts.
            self.inc("news/bad_sitemap")
            logger.warning("sitemap broken after %d entries: %s", entries, response.url)
            return
        if not entries:
            self.inc("news/empty_sitemap")
            logger.warning(
                "sitemap lists nothing (empty, or entities lxml refused to expand): %s", response.url
            )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if self.not_modified(response):
            return
        try:
            root = etree.fromstring(
                response.body,
                etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False),
            )
        except etree.XMLSyntaxError:
            root = None
        if root is None or etree.QName(root).localname.lower() not in ("rss", "feed", "rdf"):
            self.inc("news/bad_feed")
            logger.warning("not an RSS/Atom feed, skipped: %s", response.url)
            return
        for item in root.iter("{*}item", "{*}entry"):
            link = _child_text(item, "link") or _atom_link(item)
            target = self.crawl_url(urljoin(response.url, link or ""))
            if not target or self.is_skipped_url(target):
                continue
            raw_date = _child_text(item, "pubDate") or _child_text(item, "published") or ""
            moment = parse_rfc822(raw_date, self.tz) or parse_iso(raw_date, self.tz)
            self.inc("news/discovered/feed")
            request = self.page_request(target, via="feed", published=to_iso(moment))
            if request is not None:
                yield request

    # --- HTML pages ------------------------------------------------------------------------

    def page_request(
        self,
        url: str,
        via: str,
        lastmod: str | None = None,
        published: str | None = None,
    ) -> Request | None:
        """The request for a page, or None for a known article outside its re-check window."""
        article = self.is_article_url(url)
        if article and not self.known.should_fetch(self.identity(url), lastmod):
            self.inc("news/skipped/known")
            return None
        return Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            priority=PRIORITY_ARTICLE if article else 0,
            # A known article that disappeared answers 404/410: the callback marks it gone.
            meta={
                "via": via,
                "lastmod": lastmod,
                "published": published,
                "handle_httpstatus_list": [404, 410] if article else [],
            },
        )

    def parse_page(self, response: Response) -> Iterator[Any]:
        if self.not_modified(response):
            return
        if response.status in (404, 410):
            self.inc(f"news/gone/{response.status}")
            logger.info("article page answers %s (gone): %s", response.status, response.url)
            yield GoneItem(fetched_url=response.url, outlet=self.site.id, status=response.status,
                           seen_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())  # fmt: skip
            return
        self.inc("news/pages_seen")
        head = response.body[:512].lstrip()
        if head[:2] == b"\x1f\x8b" or b"<urlset" in head or b"<sitemapindex" in head:
            # A sitemap reached through a plain link (a footer's "Sitemap" link, say).
            yield from self.parse_sitemap(response)
            return
        if not isinstance(response, TextResponse):
            self.inc("news/skipped/not_text")
            logger.info("not a text page, skipped: %s", response.url)
            return
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if "xml" in ctype and ("rss" in ctype or "atom" in ctype):
            yield from self.parse_feed(response)
            return
        decoded = recover(response.body, response.text, response.encoding)
        if decoded is None:
            self.inc("news/skipped/undecodable")
            logger.warning("undecodable page (no charset reads as text), skipped: %s", response.url)
            return
        html, decoding = decoded
        if decoding != "declared":
            self.inc("news/charset_recovered")
            logger.info(
                "declared charset %s was wrong, decoded as %s: %s", response.encoding, decoding, response.url
            )
        is_article = self.is_article_url(response.url) or bool(ARTICLE_DECLARATION.search(html[:200_000]))
        if is_article:
            self.inc("news/article_pages")
            yield PageItem(
                fetched_url=response.url,
                html=html,
                outlet=self.site.id,
                fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                discovered_via=response.meta.get("via"),
                sitemap_lastmod=response.meta.get("lastmod"),
                feed_published=response.meta.get("published"),
                encoding=response.encoding if decoding == "declared" else decoding,
            )
        else:
            self.inc("news/pages_followed_only")
        yield from self.follow_links(response, from_article=is_article)

    def follow_links(self, response: TextResponse, from_article: bool = False) -> Iterator[Request]:
        articles: list[str] = []
        pagination: list[str] = []
        others: list[str] = []
        feeds = 0
        for attributes in self.link_tags(response, from_article):
            rel = attributes.get("rel", "").lower()
            if rel not in ("alternate", "next"):
                continue
            kind = attributes.get("type", "").lower()
            target = self.crawl_url(urljoin(response.url, attributes.get("href", "")))
            if not target:
                continue
            if "rss" in kind or "atom" in kind:
                feeds += 1
                yield self.discovery(target, self.parse_feed, "feed")
            elif rel == "next":
                pagination.append(target)
        if not feeds and not self.feeds_guessed and response.meta.get("via") == "listing":
            self.feeds_guessed = True  # the site names no feed: try the usual addresses, once
            yield from self.guessed(self.site.feeds, self.parse_feed, "feed")
        if from_article:
            # An article page's links matter only for the articles they name (related news):
            # a regular expression finds them at a fraction of the cost of parsing the page.
            for href in HREF.findall(response.text):
                target, is_article = self.classify(response.url, html_unescape(href.strip()))
                if target is not None and is_article:
                    articles.append(target)
                elif target is not None and not len(self.known):
                    others.append(target)
            yield from self.request_links(response, articles, pagination, others, from_article)
            return
        for anchor in response.selector.root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.lower().startswith(NON_WEB_SCHEMES):
                continue
            target, is_article = self.classify(response.url, href)
            if target is None:
                continue
            if is_article:
                articles.append(target)
                continue
            rel = anchor.get("rel") or ""
            words = " ".join(anchor.text_content().split())
            if "next" in rel or NEXT_PAGE_WORDS.match(words) or _is_pagination(target):
                pagination.append(target)
            else:
                others.append(target)
        yield from self.request_links(response, articles, pagination, others, from_article)

    @staticmethod
    def link_tags(response: TextResponse, from_article: bool) -> Iterator[dict[str, str]]:
        """The attributes of the page's ``<link>`` tags. An article page is not parsed for them:
        a regular expression over its head is enough and costs a fraction of an HTML parse,
        which on a large crawl is a good part of the crawl process's time."""
        if not from_article:
            for link in response.xpath("//link"):
                yield {str(k).lower(): str(v) for k, v in link.attrib.items()}
            return
        text = response.text
        head_end = text.find("</head>")
        for tag in LINK_TAG.findall(text if head_end < 0 else text[:head_end]):
            yield {
                match[0].lower(): html_unescape(match[1] or match[2] or match[3])
                for match in TAG_ATTRIBUTE.findall(tag[5:])
            }

    def previous_run_finished(self) -> bool:
        """Did the spider's previous run go through the whole site (or is there no ledger to say)?"""
        stats = self.crawler.stats
        previous = stats.get_value("news/previous_run") if stats is not None else None
        return previous in (None, "complete")

    def request_links(self, response: TextResponse, articles: list[str], pagination: list[str],
                      others: list[str], from_article: bool) -> Iterator[Request]:  # fmt: skip
        unknown_articles = 0
        for target in dict.fromkeys(articles):
            self.inc("news/discovered/link")
            if target in self.requested:
                unknown_articles += 1  # requested already in this run, so not known before it
                continue
            request = self.page_request(target, via="link")
            if request is not None:
                unknown_articles += 1
                self.requested.add(target)
                yield request
        # A listing page that holds only known articles ends its pagination: older pages hold
        # older articles, all known too. Not after a run that did not go through the whole site
        # (killed, failed, cut by a limit): it may have stored a listing's newest articles only.
        if (
            articles
            and not unknown_articles
            and response.meta.get("via") == "listing"
            and self.previous_run_finished()
        ):
            self.inc("news/pagination_stopped")
        else:
            for target in dict.fromkeys(pagination):
                if self.allow_listing_page(target):
                    yield self.discovery(target, self.parse_page, "listing")
        # An article's other links (tags, sections, authors, old addresses) are followed on the
        # first crawl of a site; once articles are known, new ones come from sitemaps, feeds and
        # listings, and those links would only cost requests.
        if from_article and len(self.known):
            return
        for target in dict.fromkeys(others):
            if target not in self.requested:
                self.requested.add(target)
                yield Request(
                    target, callback=self.parse_page, errback=self.page_failed, meta={"via": "link"}
                )

    def classify(self, page_url: str, href: str) -> tuple[str | None, bool]:
        """(crawl URL or None when not to be followed, is it an article) of a link.

        Menus, related-news blocks and footers repeat the same links on every page: links that do
        not depend on the page's own URL (absolute, or from the site's root) are worked out once.
        """
        cacheable = href.startswith(("/", "http://", "https://")) and not href.startswith("//")
        if cacheable and href in self.link_cache:
            return self.link_cache[href]
        target = self.crawl_url(urljoin(page_url, href))
        result: tuple[str | None, bool] = (None, False)
        if target and not self.is_skipped_url(target):
            result = (target, self.is_article_url(target))
        if cacheable and len(self.link_cache) < LINK_CACHE_SIZE:
            self.link_cache[href] = result
        return result

    def identity(self, url: str) -> str:
        """The key under which a crawl URL is known (see crawler.known)."""
        if self.mirror:
            return "path:" + self.site_path(url)
        return url_key(url)

    def allow_listing_page(self, url: str) -> bool:
        """Follow pagination up to NEWS_MAX_LISTING_PAGES pages per listing (a trap guard)."""
        parts = urlsplit(url)
        listing = parts.path
        self.listing_pages[listing] = self.listing_pages.get(listing, 0) + 1
        limit = self.settings.getint("NEWS_MAX_LISTING_PAGES", 50)
        if self.listing_pages[listing] > limit:
            self.inc("news/skipped/pagination_limit")
            return False
        return True


def _is_pagination(url: str) -> bool:
    query = dict(parse_qsl(urlsplit(url).query))
    return bool(set(query) & {"page", "p", "PAGEN_1", "start", "offset"}) or bool(
        re.search(r"/page/\d+/?$", urlsplit(url).path)
    )


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            text = (child.text or "").strip()
            if text:
                return text
    return None


def _atom_link(entry: Any) -> str | None:
    for child in entry:
        if isinstance(child.tag, str) and etree.QName(child).localname == "link":
            if child.get("rel", "alternate") == "alternate" and child.get("href"):
                return str(child.get("href"))
    return None


def news_publication_dates(body: bytes) -> dict[str, str]:
    """``loc`` -> ``news:publication_date`` of a Google News sitemap (Scrapy's parser drops them)."""
    if b"publication_date" not in body:
        return {}
    dates: dict[str, str] = {}
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    for url in root.iter("{*}url"):
        loc = next((e.text for e in url.iter("{*}loc") if e.text), None)
        date = next((e.text for e in url.iter("{*}publication_date") if e.text), None)
        if loc and date:
            dates[loc.strip()] = date.strip()
    return dates
