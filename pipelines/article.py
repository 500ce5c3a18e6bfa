"""One page in, one article record out: the pure functions the crawl's pipelines are made of.

``article_from_html(html, url)`` = ``clean_article(extract_article(html, url))``: metadata from
JSON-LD / meta / byline (pipelines.metadata), main text from trafilatura plus structural pruning
(pipelines.extract), then the named cleaning rules (pipelines.clean). The crawl's ExtractPipeline
and CleanPipeline call exactly these two functions, so a page gives the same record in a test, a
benchmark and a crawl. Nothing here imports Scrapy. No settings are read.

A record is a plain dict with the columns of the ``articles`` table (see docs/schema.md) plus:
``paragraphs`` (clean text as a list), ``raw_paragraphs`` (before cleaning, for provenance),
``removals``, ``citations`` (the provenance chain), ``declares_article`` / ``declares_non_article`` (what the page says it is),
``date_source`` and ``problems`` (named reasons a field is empty, e.g. ``no_date``).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from pipelines.clean import Rule, clean_article, normalize_paragraph
from pipelines.dates import DEFAULT_TZ, to_iso
from pipelines.extract import extract_paragraphs
from pipelines.metadata import clean_space, guess_lang, parse_html, read_metadata
from pipelines.provenance import outbound_links, page_citations
from pipelines.urls import host_of

# Share of U+FFFD replacement characters above which a page counts as undecodable.
MAX_REPLACEMENT_SHARE = 0.01


def site_for_host(url: str) -> str | None:
    """The id of the known site that serves ``url`` (crawler.sites registry), if any."""
    try:
        from crawler.sites import site_for_url
    except ImportError:  # the extraction functions also work outside the Scrapy project
        return None
    site = site_for_url(url)
    return site.id if site else None


def _same_site(canonical: str, url: str, site: str | None) -> bool:
    """The canonical URL is on the page's own site (its host, or a host of the same outlet:
    a mirror's pages may name the real site as canonical)."""
    host = host_of(canonical)
    if host is None or urlsplit(canonical).scheme not in ("http", "https"):
        return False
    if host == host_of(url):
        return True
    return site is not None and site_for_host(canonical) == site


def looks_undecodable(html: str) -> bool:
    """Text with many replacement characters was decoded with the wrong charset."""
    if not html:
        return False
    return html.count("\ufffd") > max(3, len(html) * MAX_REPLACEMENT_SHARE)


def extract_article(
    html: str,
    url: str,
    *,
    site: str | None = None,
    tz: tzinfo = DEFAULT_TZ,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Metadata and uncleaned main text of one decoded page (see the module docstring)."""
    record: dict[str, Any] = {
        "url": url, "fetched_url": url, "outlet": site or site_for_host(url), "title": None,
        "lead": None, "text": None, "published": None, "modified": None, "authors": [],
        "tags": [], "section": None, "lang": None, "image_url": None, "paragraphs": [],
        "raw_paragraphs": [], "removals": [], "declares_article": False,
        "declares_non_article": False, "date_source": None, "problems": [],
    }  # fmt: skip
    if looks_undecodable(html):
        record["problems"].append("undecodable")
        return record
    tree = parse_html(html)
    if tree is None:
        record["problems"].append("empty_page")
        return record
    meta = read_metadata(tree, url, tz, now)
    canonical = meta.canonical
    if canonical and _same_site(canonical, url, record["outlet"]):
        record["url"] = canonical
    elif canonical:
        record["foreign_canonical"] = canonical  # another site's original: a provenance signal
    paragraphs = [p for p in (normalize_paragraph(x) for x in extract_paragraphs(html, url)) if p]
    paragraphs = _with_lead(paragraphs, meta.description, tree)
    record.update(
        title=meta.title,
        published=to_iso(meta.published),
        modified=to_iso(meta.modified),
        date_source=meta.published_source,
        authors=meta.authors,
        tags=meta.tags,
        section=meta.section,
        image_url=meta.image_url,
        lang=meta.lang or guess_lang(" ".join(paragraphs)),
        raw_paragraphs=paragraphs,
        declares_article=meta.declares_article,
        declares_non_article=meta.declares_non_article,
        jsonld=meta.jsonld,
        # Read now, from the tree already parsed, so provenance needs no second parse of the page.
        links=outbound_links(tree, url, paragraphs),
    )
    if meta.published is None:
        record["problems"].append("future_date" if meta.rejected_dates else "no_date")
    if not meta.title:
        record["problems"].append("no_title")
    return record


def _with_lead(paragraphs: list[str], description: str | None, tree: Any) -> list[str]:
    """Put the lead back when the extractor missed it.

    Many CMSs print the lead in its own block above the body (a «description» element), which
    extractors often leave out. When the page's description is also visible as a block of its own
    and none of the extracted paragraphs holds it, it is the lead and goes first.
    """
    if not description or len(description) < 40:
        return paragraphs
    head = description.rstrip(".…").strip()[:60].casefold()
    if any(head in p.casefold() for p in paragraphs[:3]):
        return paragraphs
    body = tree.find("body")
    if body is None:
        return paragraphs
    for element in body.iter("p", "div", "h2", "strong", "span"):
        text = clean_space(element.text_content())
        if text.casefold().startswith(head) and len(text) <= len(description) * 1.5 + 20:
            return [text, *paragraphs]
    return paragraphs


def article_from_html(
    html: str,
    url: str,
    *,
    site: str | None = None,
    tz: tzinfo = DEFAULT_TZ,
    now: datetime | None = None,
    rules: tuple[Rule, ...] | None = None,
) -> dict[str, Any]:
    """Do to one decoded page what the crawl does; returns the article record (a dict).

    ``site`` is the site id (``vecher_kz``); by default it is looked up from the URL's host.
    ``now`` is the fetch time, for relative dates and the no-future check (default: now).
    ``rules`` are the cleaning rules (default: the bundled file, as the crawl's default).
    """
    record = clean_article(extract_article(html, url, site=site, tz=tz, now=now), rules=rules)
    record["citations"] = page_citations(record)
    return record
