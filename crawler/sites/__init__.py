"""The registry of sites: one module per site, each a declarative :class:`Site` description.

A site says where its articles are (URL patterns), where discovery starts (sitemaps, feeds, listing
pages besides what robots.txt names), which paths are never worth fetching, its time zone, and
how a mirror serves its other hosts (``host_prefixes``). Cleaning rules per site live in
``pipelines/data/cleaning_rules.toml`` under the site's id; the outlet's names live in
``pipelines/data/outlets.toml``. Adding a site: write ``crawler/sites/<id>.py`` with a ``SITE``,
list it in ``SITES`` below, and add a spider (``crawler/spiders/<name>.py``, three lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    id: str  # the outlet id stored in `articles.outlet`, e.g. "vecher_kz"
    name: str
    base_url: str  # the real site, e.g. "https://vecher.kz"
    domains: tuple[str, ...]  # hosts that belong to the site (subdomains included)
    article_patterns: tuple[str, ...]  # regexes on the URL path (+ query) of article pages
    languages: tuple[str, ...] = ("ru",)
    timezone: str = "Asia/Almaty"
    sitemaps: tuple[str, ...] = ()  # paths tried besides the robots.txt Sitemap: lines
    feeds: tuple[str, ...] = ()  # RSS/Atom paths
    listings: tuple[str, ...] = ("/",)  # listing pages where link-following starts
    skip_patterns: tuple[str, ...] = ()  # regexes on paths never fetched (search, print, login)
    # Where a mirror serves the site's other hosts: {"kaz.inform.kz": "/kz"}.
    host_prefixes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_articles", [re.compile(p) for p in self.article_patterns])
        object.__setattr__(self, "_skips", [re.compile(p) for p in self.skip_patterns])

    def owns_host(self, host: str | None) -> bool:
        host = (host or "").lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article_path(self, path: str) -> bool:
        return any(p.search(path) for p in self._articles)  # type: ignore[attr-defined]

    def is_skipped_path(self, path: str) -> bool:
        return any(p.search(path) for p in self._skips)  # type: ignore[attr-defined]


def _load() -> dict[str, Site]:
    from crawler.sites import kazinform, vecher_kz

    return {site.id: site for site in (vecher_kz.SITE, kazinform.SITE)}


SITES: dict[str, Site] = _load()


def site_for_url(url: str) -> Site | None:
    """The registered site that owns the URL's host, or None."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a host urllib cannot parse belongs to no site
        return None
    return next((site for site in SITES.values() if site.owns_host(host)), None)
