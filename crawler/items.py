"""Items: what a spider hands to the pipelines, and what the pipelines fill in.

A spider only navigates: it yields a :class:`PageItem` with the fetched page and what discovery
learned about it (sitemap ``lastmod``, feed date). The extraction and cleaning pipelines fill in the
article fields; the store writes them. Items are dataclasses read and written through itemadapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GoneItem:
    """An article page that now answers 404 or 410: its stored row is kept, marked gone."""

    fetched_url: str
    outlet: str
    status: int
    seen_at: str


@dataclass
class PageItem:
    # Set by the spider.
    fetched_url: str
    html: str
    outlet: str
    fetched_at: str
    discovered_via: str | None = None  # "sitemap", "feed", "listing", "link"
    sitemap_lastmod: str | None = None
    feed_published: str | None = None
    encoding: str | None = None
    # Filled by the pipelines (the columns of the `articles` table and what goes with them).
    url: str | None = None
    title: str | None = None
    lead: str | None = None
    text: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    lang: str | None = None
    image_url: str | None = None
    date_source: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    raw_paragraphs: list[str] = field(default_factory=list)
    removals: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def is_page(item: Any) -> bool:
    """A fetched page for the pipelines to process, not a note such as GoneItem."""
    return isinstance(item, PageItem) or (isinstance(item, dict) and "html" in item)
