"""The zoo server itself (mirror/zoo.py): every page answers as its row of the docstring says.

These tests are about the server, not the crawler: statuses and headers, the bytes of each charset,
bombs that really expand, counters and the request log, and that every endpoint ends (and that
closing the server does not wait for its slow pages). The slow and drip pages run with
``slow_seconds=1`` so the whole file stays fast; nothing large is held in memory (big bodies are
read and decompressed in pieces).
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from lxml import etree

from mirror import zoo
from mirror.zoo import PAGES, STORIES, ZooServer, serve_zoo
from tests.conftest import ROOT

MB = 1024 * 1024


@contextmanager
def running_zoo(**options: Any) -> Iterator[ZooServer]:
    server, _ = serve_zoo(**options)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def zoo_server() -> Iterator[ZooServer]:
    with running_zoo(slow_seconds=1.0) as server:
        yield server


@pytest.fixture
def fresh(zoo_server: ZooServer) -> ZooServer:
    """The module's zoo with its counters cleared (the 429/503/500 pages fail again)."""
    zoo_server.reset()
    return zoo_server


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding)


def fetch(
    server: ZooServer,
    target: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    limit: int | None = None,
    timeout: float = 10,
) -> Fetched:
    """One request on its own connection (closed before returning); reads at most ``limit`` bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        body = response.read() if limit is None else response.read(limit)
        return Fetched(response.status, response.headers, body)
    finally:
        connection.close()


def hrefs(page: str) -> set[str]:
    return {html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)}


def page_for(label: str) -> zoo.ZooPage:
    return next(page for page in PAGES if page.label == label)


# --- The table ---------------------------------------------------------------------------------


def test_the_docstring_tables_and_pages_agree() -> None:
    assert zoo.__doc__ is not None
    rows = re.findall(r"^\| `([^`]+)` \| .+? \| ([^|]+?) \|$", zoo.__doc__, re.MULTILINE)
    assert dict(rows) == {page.label: page.outcome for page in PAGES}
    assert len(rows) == len(PAGES)


def test_outcomes_use_the_agreed_words() -> None:
    words = ("stored", "skipped: ", "retried then counted", "retried then stored", "followed, not stored")
    assert [page.label for page in PAGES if not page.outcome.startswith(words)] == []


def test_article_candidates_follow_the_real_sites_url_pattern() -> None:
    from crawler.sites.vecher_kz import SITE

    candidates = [page for page in PAGES if page.path.startswith("/ru/article/") and "?" not in page.path]
    assert all(SITE.is_article_path(page.href) for page in candidates)
    assert len(candidates) >= 45


def test_the_server_listens_on_loopback_only(zoo_server: ZooServer) -> None:
    assert zoo_server.server_address[0] == "127.0.0.1"
    assert zoo_server.base_url == f"http://127.0.0.1:{zoo_server.port}"


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="robots"):
        serve_zoo(robots="sometimes")
    with pytest.raises(ValueError, match="slow_seconds"):
        serve_zoo(slow_seconds=3600)


@pytest.mark.parametrize("page", PAGES, ids=[page.label[:60] for page in PAGES])
def test_every_page_answers_its_first_status(fresh: ZooServer, page: zoo.ZooPage) -> None:
    # limit=0: the status is the point; huge, dripping and resetting bodies are left unread.
    assert fetch(fresh, page.href, limit=0).status == page.status


def test_head_answers_headers_only(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/ru/article/zoo-control.html", method="HEAD")
    assert answer.status == 200
    assert answer.body == b""
    assert int(answer.headers["Content-Length"]) > 1000


def test_the_home_page_links_every_linked_page(zoo_server: ZooServer) -> None:
    links = hrefs(fetch(zoo_server, "/").text())
    assert {page.href for page in PAGES if page.linked} <= links
    # "/" is linked by the site header of every page, as on the real site.
    assert not {page.href for page in PAGES if not page.linked} - {"/"} & links
    assert fetch(zoo_server, "/ru").body == fetch(zoo_server, "/").body


def test_the_sitemap_lists_the_linked_article_candidates(zoo_server: ZooServer) -> None:
    root = etree.fromstring(fetch(zoo_server, "/sitemap.xml").body)
    locs = {loc.text for loc in root.iter("{*}loc")}
    expected = {
        zoo_server.base_url + page.href
        for page in PAGES
        if page.linked and page.path.startswith("/ru/article/")
    }
    assert locs == expected
    no_date = zoo_server.base_url + "/ru/article/zoo-no-date.html"
    dated = [url for url in root.iter("{*}url") if url.findtext("{*}loc") == no_date]
    assert dated[0].find("{*}lastmod") is None  # no lastmod to fall back on


# --- robots.txt ----------------------------------------------------------------------------------


def test_robots_normal_names_the_sitemaps_and_disallows_one_article(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/robots.txt")
    assert answer.headers["Content-Type"].startswith("text/plain")
    lines = answer.text().splitlines()
    assert "Disallow: /ru/article/zoo-robots-disallowed.html" in lines
    sitemaps = [line.removeprefix("Sitemap: ") for line in lines if line.startswith("Sitemap: ")]
    assert f"{zoo_server.base_url}/sitemap.xml" in sitemaps
    assert f"{zoo_server.base_url}/sitemaps/entity-bomb.xml" in sitemaps
    assert "http://example.invalid/sitemap.xml" in sitemaps
    assert not any("bulk-100k" in url for url in sitemaps)  # only with list_huge_sitemap=True


def test_the_huge_sitemap_is_named_on_request() -> None:
    with running_zoo(list_huge_sitemap=True) as server:
        assert f"Sitemap: {server.base_url}/sitemaps/bulk-100k.xml" in fetch(server, "/robots.txt").text()


@pytest.mark.parametrize(
    ("mode", "status", "says"),
    [
        ("missing", 404, None),
        ("broken", 200, None),
        ("server_error", 500, None),
        ("disallow_all", 200, "User-agent: *\nDisallow: /\n"),
        ("disallow_crawler", 200, "User-agent: kz-news-crawler\nDisallow: /\n\nUser-agent: *\nDisallow:\n"),
        ("forbidden_all", 403, None),
    ],
)
def test_robots_modes(mode: str, status: int, says: str | None) -> None:
    with running_zoo(robots=mode) as server:
        answer = fetch(server, "/robots.txt")
        assert answer.status == status
        if says is not None:
            assert answer.text().startswith(says)
        if mode == "broken":
            assert answer.body == zoo.GARBAGE
        home = fetch(server, "/ru/article/zoo-control.html").status
        assert home == (403 if mode == "forbidden_all" else 200)
        assert fetch(server, "/__stats").status == 200  # the test's own endpoint always answers


# --- Charsets ------------------------------------------------------------------------------------


CHARSET_PAGES = [
    # slug, Content-Type, encoding of the bytes, declaration inside the page (or None)
    ("zoo-cp1251-meta", "text/html", "cp1251", '<meta charset="windows-1251">'),
    ("zoo-cp1251-header", "text/html; charset=windows-1251", "cp1251", None),
    ("zoo-koi8r-meta", "text/html", "koi8-r", 'content="text/html; charset=koi8-r"'),
    ("zoo-koi8r-header", "text/html; charset=koi8-r", "koi8-r", None),
    ("zoo-cp1251-undeclared", "text/html", "cp1251", None),
    ("zoo-cp1251-header-says-utf8", "text/html; charset=utf-8", "cp1251", None),
    (
        "zoo-cp1251-meta-header-says-utf8",
        "text/html; charset=utf-8",
        "cp1251",
        '<meta charset="windows-1251">',
    ),
]


@pytest.mark.parametrize(("slug", "content_type", "encoding", "declared"), CHARSET_PAGES)
def test_charset_pages_really_are_in_their_charset(
    zoo_server: ZooServer, slug: str, content_type: str, encoding: str, declared: str | None
) -> None:
    answer = fetch(zoo_server, f"/ru/article/{slug}.html")
    assert answer.headers["Content-Type"] == content_type
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    page = answer.body.decode(encoding)  # strict: every byte is of this charset
    story = STORIES[slug]
    assert f'<h1 class="article__title">{html.escape(story.title)}</h1>' in page
    assert story.byline in page
    assert all(html.escape(paragraph) in page for paragraph in story.paragraphs)
    assert 4 <= len(story.paragraphs) <= 6
    assert '<meta property="og:type" content="article">' in page
    if declared is None:
        assert "charset" not in page.lower()
    else:
        assert declared in page


def test_the_bom_page_is_utf8_with_a_bom_and_no_declaration(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/ru/article/zoo-utf8-bom.html")
    assert answer.headers["Content-Type"] == "text/html"
    assert answer.body.startswith(b"\xef\xbb\xbf<!DOCTYPE html>")
    page = answer.body[3:].decode("utf-8")
    assert "charset" not in page.lower()
    assert STORIES["zoo-utf8-bom"].title in page


def test_the_mixed_page_has_one_windows_1251_paragraph(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/ru/article/zoo-mixed-encodings.html")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    odd = STORIES["zoo-mixed-encodings"].paragraphs[1]
    before, after = answer.body.split(f"<p>{odd}</p>".encode("cp1251"))
    assert STORIES["zoo-mixed-encodings"].paragraphs[0] in before.decode("utf-8")
    assert STORIES["zoo-mixed-encodings"].paragraphs[2] in after.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")


# --- Broken documents ------------------------------------------------------------------------------


def test_the_truncated_page_stops_mid_sentence(zoo_server: ZooServer) -> None:
    page = fetch(zoo_server, "/ru/article/zoo-truncated.html").text()
    assert page.endswith(zoo.TRUNCATE_AFTER)
    last = page.rsplit("<p>", 1)[1]
    assert "</p>" not in last
    assert "</html>" not in page and "</body>" not in page


def test_the_unclosed_page_closes_nothing_but_title(zoo_server: ZooServer) -> None:
    page = fetch(zoo_server, "/ru/article/zoo-unclosed-tags.html").text()
    closing = set(re.findall(r"</(\w+)>", page))
    assert closing == {"title"}
    assert all(html.escape(p) in page for p in STORIES["zoo-unclosed-tags"].paragraphs)


def test_the_empty_page_is_empty(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/ru/article/zoo-empty-body.html")
    assert (answer.status, answer.headers["Content-Length"], answer.body) == (200, "0", b"")


def test_the_js_shell_has_no_text(zoo_server: ZooServer) -> None:
    page = fetch(zoo_server, "/ru/article/zoo-js-shell.html").text()
    assert '<div id="app"></div>' in page and "<script" in page
    assert "<p" not in page
    visible = re.sub(r"<script.*?</script>|<title>.*?</title>|<[^>]+>", "", page, flags=re.S)
    assert visible.strip() == ""


def test_the_no_title_page_has_no_title_anywhere(zoo_server: ZooServer) -> None:
    page = fetch(zoo_server, "/ru/article/zoo-no-title.html").text()
    assert "<title" not in page and "<h1" not in page and "og:title" not in page
    assert STORIES["zoo-no-title"].byline in page


@pytest.mark.parametrize("slug", ["zoo-no-date", "zoo-impossible-date", "zoo-future-date"])
def test_pages_without_a_valid_date_show_only_the_bad_one(zoo_server: ZooServer, slug: str) -> None:
    page = fetch(zoo_server, f"/ru/article/{slug}.html").text()
    expected_years = {"zoo-no-date": set(), "zoo-impossible-date": {"2023"}, "zoo-future-date": {"2031"}}[
        slug
    ]
    assert set(re.findall(r"\b(?:19|20)\d\d\b", page)) == expected_years
    assert not re.search(r"сегодня|вчера|datetime=|published_time", page, re.IGNORECASE)
    assert STORIES[slug].published is None


def test_the_impossible_and_future_dates_are_the_ones_described(zoo_server: ZooServer) -> None:
    assert "17:00, 31 февраля 2023" in fetch(zoo_server, "/ru/article/zoo-impossible-date.html").text()
    page = fetch(zoo_server, "/ru/article/zoo-future-date.html").text()
    jsonld = json.loads(re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)[0])
    assert jsonld["datePublished"].startswith("2031-")
    assert "10:15, 12 марта 2031" in page


def test_the_short_page_is_one_sentence(zoo_server: ZooServer) -> None:
    page = fetch(zoo_server, "/ru/article/zoo-too-short.html").text()
    assert page.count("<p>") == 1
    assert STORIES["zoo-too-short"].text.count(".") == 1


def test_the_duplicate_is_the_same_bytes_under_three_urls(zoo_server: ZooServer) -> None:
    bodies = {
        fetch(zoo_server, path).body
        for path in (
            "/ru/article/zoo-duplicate.html",
            "/ru/article/zoo-duplicate.html?utm_source=x",
            "/ru/article/zoo-duplicate-copy.html",
        )
    }
    assert len(bodies) == 1
    canonical = f'<link rel="canonical" href="{zoo_server.base_url}/ru/article/zoo-duplicate.html">'
    assert canonical.encode() in bodies.pop()


# --- Size and compression -------------------------------------------------------------------------


def read_all_counting(response: http.client.HTTPResponse) -> int:
    total = 0
    while piece := response.read(MB):
        total += len(piece)
    return total


@pytest.mark.parametrize("declared", [True, False])
def test_the_huge_page_is_12_mib_streamed(zoo_server: ZooServer, declared: bool) -> None:
    path = "/ru/article/zoo-huge.html" if declared else "/ru/article/zoo-huge-undeclared.html"
    connection = http.client.HTTPConnection("127.0.0.1", zoo_server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        if declared:
            assert response.headers["Content-Length"] == str(zoo.HUGE_BYTES)
        else:
            assert response.headers["Content-Length"] is None
            assert response.headers["Connection"] == "close"
        first = response.read(4096)
        assert first.startswith(b"<!DOCTYPE html>")
        assert len(first) + read_all_counting(response) == zoo.HUGE_BYTES > 10 * MB
    finally:
        connection.close()


def expanded_size(data: bytes, wbits: int, stop: int) -> int:
    """Decompress ``data`` 1 MiB of output at a time, without keeping it; stop once past ``stop``."""
    inflater = zlib.decompressobj(wbits)
    total = 0
    pending = data
    while total <= stop:
        out = inflater.decompress(pending, MB)
        pending = inflater.unconsumed_tail
        total += len(out)
        if not out and not pending:
            break
    return total


@pytest.mark.parametrize(
    ("path", "encoding", "wbits"),
    [("/ru/article/zoo-gzip-bomb.html", "gzip", 31), ("/ru/article/zoo-deflate-bomb.html", "deflate", 15)],
)
def test_the_bombs_expand_past_100_mb(zoo_server: ZooServer, path: str, encoding: str, wbits: int) -> None:
    answer = fetch(zoo_server, path)
    assert answer.headers["Content-Encoding"] == encoding
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert len(answer.body) < 1.1 * MB
    assert expanded_size(answer.body, wbits, stop=100 * MB) > 100 * MB


def test_the_nested_bomb_is_small_and_expands_twice(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/ru/article/zoo-gzip-bomb-nested.html")
    assert answer.headers["Content-Encoding"] == "gzip, gzip"
    assert len(answer.body) < 20_000
    inner = zlib.decompressobj(31).decompress(answer.body, 2 * MB)
    assert inner == zoo.GZIP_BOMB
    assert expanded_size(inner, 31, stop=100 * MB) > 100 * MB


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 5 * 1000 + 17, zoo.BOMB_BLOCK + 3])
def test_crc_of_zeros_matches_zlib(size: int) -> None:
    assert zoo.crc32_of_zeros(size, block=1000) == zlib.crc32(bytes(size))


@pytest.mark.parametrize("size", [0, 10, zoo.BOMB_BLOCK, 3 * zoo.BOMB_BLOCK + 5])
def test_the_bomb_builders_make_valid_streams(size: int) -> None:
    assert gzip.decompress(zoo.gzip_bomb(size)) == bytes(size)  # checks CRC and length too
    assert zlib.decompress(zoo.deflate_bomb(size)) == bytes(size)  # checks Adler-32


def test_the_full_bombs_announce_1_gib() -> None:
    size = int.from_bytes(zoo.GZIP_BOMB[-4:], "little")
    assert size == zoo.BOMB_BYTES == 1 << 30
    assert zoo.GZIP_BOMB[-8:-4] == zoo.crc32_of_zeros(zoo.BOMB_BYTES).to_bytes(4, "little")


# --- Sitemaps and feeds -----------------------------------------------------------------------------


def test_the_gzipped_sitemap_names_three_real_articles(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/sitemaps/articles.xml.gz")
    assert answer.headers["Content-Encoding"] is None
    assert answer.headers["Content-Type"] == "application/x-gzip"
    root = etree.fromstring(gzip.decompress(answer.body))
    locs = [loc.text or "" for loc in root.iter("{*}loc")]
    assert len(locs) == 3
    assert all(fetch(zoo_server, urlsplit(loc).path).status == 200 for loc in locs)


def test_the_gzipped_sitemap_bomb_has_no_content_encoding(zoo_server: ZooServer) -> None:
    answer = fetch(zoo_server, "/sitemaps/bomb.xml.gz")
    assert answer.headers["Content-Encoding"] is None
    assert answer.body == zoo.GZIP_BOMB


def test_the_entity_bomb_nests_ten_levels_and_parses_unexpanded(zoo_server: ZooServer) -> None:
    body = fetch(zoo_server, "/sitemaps/entity-bomb.xml").body
    assert len(body) < 2000
    assert b'<!ENTITY lol0 "lol">' in body
    assert b"<!ENTITY lol9 " + b'"' + b"&lol8;" * 10 + b'"' in body
    assert body.count(b"<loc>&lol9;") == 2
    # libxml2 refuses the document outright (entity amplification limit) even without resolving;
    # in recover mode, as sitemap parsers run, it keeps the structure and expands nothing.
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    assert etree.QName(root).localname == "urlset"
    assert all(loc.text is None for loc in root.iter("{*}loc"))


def test_the_not_quite_sitemaps_and_feeds(zoo_server: ZooServer) -> None:
    html_sitemap = fetch(zoo_server, "/sitemaps/html.xml")
    assert html_sitemap.headers["Content-Type"].startswith("text/html")
    assert html_sitemap.body.startswith(b"<!DOCTYPE html>")
    garbage = fetch(zoo_server, "/sitemaps/garbage.xml")
    assert garbage.headers["Content-Type"] == "application/xml"
    assert len(garbage.body) == 4096 and not garbage.body.lstrip().startswith((b"<", b"\x1f\x8b"))
    html_feed = fetch(zoo_server, "/rss")
    assert html_feed.headers["Content-Type"].startswith("text/html")
    garbage_feed = fetch(zoo_server, "/rss.xml")
    assert garbage_feed.headers["Content-Type"].startswith("application/rss+xml")
    assert not garbage_feed.body.lstrip().startswith(b"<")


def test_the_good_feed_names_two_articles(zoo_server: ZooServer) -> None:
    root = etree.fromstring(fetch(zoo_server, "/feed").body)
    assert root.tag == "rss"
    links = [item.findtext("link") or "" for item in root.iter("item")]
    assert len(links) == 2
    assert all(fetch(zoo_server, urlsplit(link).path).status == 200 for link in links)
    assert root.findtext("channel/item/pubDate") == "Sun, 12 Mar 2023 10:15:00 +0600"


def test_the_bulk_sitemap_has_100000_locs(zoo_server: ZooServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", zoo_server.port, timeout=10)
    try:
        connection.request("GET", "/sitemaps/bulk-100k.xml")
        response = connection.getresponse()
        assert response.headers["Transfer-Encoding"] == "chunked"
        locs, carry, size = 0, b"", 0
        while piece := response.read(256 * 1024):
            size += len(piece)
            text = carry + piece
            locs += text.count(b"<loc>")
            carry = text[-4:]  # a "<loc>" cut between two pieces is counted once, with the next
        assert locs == 100_000
        assert 5 * MB < size < 10 * MB
    finally:
        connection.close()


def test_bulk_pages_exist_within_the_range(zoo_server: ZooServer) -> None:
    assert fetch(zoo_server, "/ru/article/bulk-1.html").status == 200
    assert fetch(zoo_server, "/ru/article/bulk-100000.html").status == 200
    assert fetch(zoo_server, "/ru/article/bulk-100001.html").status == 404
    page = fetch(zoo_server, "/ru/article/bulk-77.html").text()
    assert "og:type" not in page and page.count("<p>") == 1


# --- Navigation -------------------------------------------------------------------------------------


def follow(server: ZooServer, path: str, hops: int) -> list[tuple[int, str]]:
    """Follow redirects by hand for at most ``hops`` steps: [(status, path), ...]."""
    seen = []
    for _ in range(hops):
        answer = fetch(server, path)
        seen.append((answer.status, path))
        location = answer.headers["Location"]
        if answer.status not in (301, 302) or not location:
            break
        path = urlsplit(location).path
    return seen


def test_the_redirect_loop_loops(zoo_server: ZooServer) -> None:
    seen = follow(zoo_server, "/ru/article/zoo-redirect-loop-a.html", hops=6)
    assert [status for status, _ in seen] == [302] * 6
    assert [path[-6:] for _, path in seen] == ["a.html", "b.html"] * 3


def test_the_redirect_chain_has_ten_hops(zoo_server: ZooServer) -> None:
    seen = follow(zoo_server, "/ru/article/zoo-redirect-chain-1.html", hops=20)
    assert [status for status, _ in seen] == [301] * 10 + [200]
    assert seen[-1][1] == "/ru/article/zoo-redirect-chain-end.html"


def test_the_other_redirects(zoo_server: ZooServer) -> None:
    offsite = fetch(zoo_server, "/ru/article/zoo-redirect-offsite.html")
    assert (offsite.status, offsite.headers["Location"]) == (302, zoo.OFFSITE_URL)
    assert follow(zoo_server, "/ru/article/zoo-redirect-ok.html", hops=5) == [
        (301, "/ru/article/zoo-redirect-ok.html"),
        (200, "/ru/article/zoo-redirect-target.html"),
    ]


def test_the_links_page_has_every_kind_of_foreign_link(zoo_server: ZooServer) -> None:
    links = hrefs(fetch(zoo_server, "/ru/links.html").text())
    for start in ("file:", "ftp:", "javascript:", "data:", "mailto:", "tel:", "//example.invalid/"):
        assert any(link.startswith(start) for link in links), start
    assert f"http://localhost:{zoo_server.port}/ru/article/zoo-offsite-only.html" in links
    assert "https://vecher.kz/ru/article/zoo-control.html" in links


def test_the_long_and_the_cyrillic_urls(zoo_server: ZooServer) -> None:
    assert len(zoo.LONG_PATH) == 3000
    assert fetch(zoo_server, zoo.LONG_PATH).status == 200
    encoded = quote(zoo.NON_ASCII_PATH)
    assert encoded.startswith("/ru/article/%D0%BD")
    assert STORIES["новость-дня"].title in fetch(zoo_server, encoded).text()
    assert fetch(zoo_server, encoded.lower()).status == 200  # %d0%bd is the same path
    # Raw UTF-8 in the request line, as some clients send it.
    with socket.create_connection(("127.0.0.1", zoo_server.port), timeout=5) as sock:
        sock.sendall(
            b"GET " + zoo.NON_ASCII_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        assert sock.recv(64).startswith(b"HTTP/1.1 200")


def test_the_calendar_goes_on_both_ways(zoo_server: ZooServer) -> None:
    assert {"/calendar/2023/11/", "/calendar/2024/01/"} <= hrefs(
        fetch(zoo_server, "/calendar/2023/12/").text()
    )
    assert "/calendar/0000/12/" not in hrefs(fetch(zoo_server, "/calendar/0001/01/").text())
    assert not any("/10000/" in link for link in hrefs(fetch(zoo_server, "/calendar/9999/12/").text()))
    assert fetch(zoo_server, "/calendar/2023/13/").status == 404


def test_the_lenta_always_links_a_new_page(zoo_server: ZooServer) -> None:
    path, sessions = "/ru/lenta", set()
    for page in range(1, 5):
        links = [link for link in hrefs(fetch(zoo_server, path).text()) if link.startswith("/ru/lenta?")]
        assert len(links) == 1
        path = links[0]
        query = dict(part.split("=") for part in urlsplit(path).query.split("&"))
        assert query["page"] == str(page + 1)
        sessions.add(query["session"])
    assert len(sessions) == 4


# --- Server behaviour -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_then_the_article(fresh: ZooServer, status: int) -> None:
    path = f"/ru/article/zoo-{status}.html"
    first = fetch(fresh, path)
    assert (first.status, first.headers["Retry-After"]) == (status, "2")
    second = fetch(fresh, path)
    assert second.status == 200 and second.headers["Retry-After"] is None
    assert STORIES[f"zoo-{status}"].title in second.text()
    assert json.loads(fetch(fresh, "/__stats").body)["counts"][path] == 2


def test_500_twice_then_the_article_and_500_always(fresh: ZooServer) -> None:
    assert [fetch(fresh, "/ru/article/zoo-500-twice.html").status for _ in range(4)] == [500, 500, 200, 200]
    assert [fetch(fresh, "/ru/article/zoo-500-always.html").status for _ in range(3)] == [500] * 3


def test_counters_survive_a_query_and_reset_clears_them(fresh: ZooServer) -> None:
    fetch(fresh, "/ru/article/zoo-429.html?utm_source=x")  # the path's first request: 429
    assert fetch(fresh, "/ru/article/zoo-429.html").status == 200
    counts = json.loads(fetch(fresh, "/__stats").body)["counts"]
    assert counts == {"/ru/article/zoo-429.html?utm_source=x": 1, "/ru/article/zoo-429.html": 1}
    assert fetch(fresh, "/__reset").status == 200
    assert json.loads(fetch(fresh, "/__stats").body)["total"] == 0
    assert fetch(fresh, "/ru/article/zoo-429.html").status == 429


def test_stats_record_time_user_agent_and_proxy_headers(fresh: ZooServer) -> None:
    headers = {"User-Agent": "zoo-test/1.0", "Via": "1.1 squid", "Proxy-Authorization": "Basic c2VjcmV0"}
    fetch(fresh, "/ru/article/zoo-control.html", headers=headers)
    time.sleep(0.2)
    fetch(fresh, "/ru/article/zoo-control.html", headers={"User-Agent": "other/2.0"})
    stats = json.loads(fetch(fresh, "/__stats").body)
    assert stats["counts"] == {"/ru/article/zoo-control.html": 2}
    first, second = stats["requests"]
    assert first["user_agent"] == "zoo-test/1.0" and second["user_agent"] == "other/2.0"
    assert first["proxy_headers"] == {"Via": "1.1 squid", "Proxy-Authorization": "<redacted, 14 characters>"}
    assert second["proxy_headers"] == {}
    assert 0.15 < second["time"] - first["time"] < 5
    assert (first["method"], first["status"], first["absolute_form"]) == ("GET", 200, False)


def test_requests_in_proxy_form(fresh: ZooServer) -> None:
    own = f"{fresh.base_url}/ru/article/zoo-control.html"
    assert fetch(fresh, own).status == 200
    assert fetch(fresh, "http://example.invalid/ru/article/zoo-control.html").status == 502
    requests = json.loads(fetch(fresh, "/__stats").body)["requests"]
    assert [(r["path"], r["status"], r["absolute_form"]) for r in requests] == [
        ("/ru/article/zoo-control.html", 200, True),
        ("http://example.invalid/ru/article/zoo-control.html", 502, True),
    ]


def test_the_slow_page_waits_slow_seconds(zoo_server: ZooServer) -> None:
    with pytest.raises(TimeoutError):
        fetch(zoo_server, "/ru/article/zoo-slow.html", timeout=0.3)
    started = time.monotonic()
    answer = fetch(zoo_server, "/ru/article/zoo-slow.html", timeout=5)
    assert answer.status == 200 and 0.9 < time.monotonic() - started < 3
    assert STORIES["zoo-slow"].title in answer.text()


def test_the_drip_page_drips_then_ends(zoo_server: ZooServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", zoo_server.port, timeout=5)
    try:
        started = time.monotonic()
        connection.request("GET", "/ru/article/zoo-drip.html")
        response = connection.getresponse()
        assert time.monotonic() - started < 0.4  # headers at once
        assert response.read(1) == b"<"
        assert time.monotonic() - started < 0.4  # and the first byte
        body = b"<" + response.read()
        assert 0.9 < time.monotonic() - started < 3  # slow_seconds=1: two bytes, 0.5 s apart
        assert body.endswith(b"</html>\n") and len(body) == int(response.headers["Content-Length"])
    finally:
        connection.close()


def test_the_reset_page_breaks_off(zoo_server: ZooServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", zoo_server.port, timeout=5)
    try:
        connection.request("GET", "/ru/article/zoo-reset.html")
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
            response.read()
    finally:
        connection.close()


def test_closing_does_not_wait_for_slow_pages_or_idle_connections() -> None:
    server, _ = serve_zoo(slow_seconds=30)
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow,
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as idle,
    ):
        slow.sendall(b"GET /ru/article/zoo-slow.html HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(12) == b"HTTP/1.1 200"  # served, then kept alive
        deadline = time.monotonic() + 5
        while server.stats()["total"] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        server.shutdown()
        server.server_close()
        assert time.monotonic() - started < 3
        assert slow.recv(100) == b""  # the slow page gave up without a word


def test_python_m_mirror_zoo_prints_its_base_url() -> None:
    command = [sys.executable, "-m", "mirror.zoo", "--port", "0", "--slow-seconds", "1"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
            port = int(base_url.rsplit(":", 1)[1])
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("GET", "/robots.txt")
                assert connection.getresponse().status == 200
            finally:
                connection.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
