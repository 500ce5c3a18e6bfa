"""Kazinform (МИА «Казинформ», inform.kz): the national news agency, Russian and Kazakh editions.

Russian articles: /ru/<slug>-<6 or 8 hex>; the feed /ru/lenta?page=N. Kazakh articles live on
kaz.inform.kz at /news/<slug>-<hex>/, which a mirror serves under /kz/ (see ``host_prefixes``).
Old-design URLs (/ru/<slug>_a<7 digits>, AMP /amp) redirect to current ones on the real site.
"""

from __future__ import annotations

from crawler.sites import Site

SITE = Site(
    id="kazinform",
    name="Kazinform",
    base_url="https://www.inform.kz",
    domains=("inform.kz",),
    article_patterns=(
        r"^/ru/[a-z0-9-]+-[0-9a-f]{6,8}/?$",
        r"^(?:/kz)?/news/[a-z0-9-]+-[0-9a-f]{6,8}/?$",
        r"^/ru/[a-z0-9-]+_a\d{7}(?:/amp)?/?$",
    ),
    languages=("ru", "kk"),
    sitemaps=("/sitemap.xml",),
    feeds=("/rss", "/ru/rss"),
    # Absolute URLs on another host of the site are mapped like links (host_prefixes).
    listings=("/", "/ru/lenta", "https://kaz.inform.kz/", "https://kaz.inform.kz/lenta"),
    skip_patterns=(
        r"^/(?:ru|kz)?/?search",
        r"^/(?:ru/)?archive\?",
        r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|docx?|xlsx?|css|js|ico|woff2?)$",
    ),
    host_prefixes={"kaz.inform.kz": "/kz"},
)
