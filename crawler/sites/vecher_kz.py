"""Vecher.kz («Вечерний Алматы»): an Almaty city daily, Russian edition under /ru/.

Known from public page text (see the project's notes on the sites): articles live at
/ru/article/<slug>.html; 2016-era URLs were /incity/<slug> and /allnews/<section>/<slug> (they are
recognised as articles when the page says so in its metadata). Sitemap and feed addresses are
unknown, so discovery starts from robots.txt and tries the usual places.
"""

from __future__ import annotations

from crawler.sites import Site

SITE = Site(
    id="vecher_kz",
    name="Vecher.kz",
    base_url="https://vecher.kz",
    domains=("vecher.kz",),
    article_patterns=(r"^/ru/article/[^/?#]+\.html$",),
    languages=("ru",),
    sitemaps=("/sitemap.xml", "/sitemap_index.xml"),
    feeds=("/rss", "/ru/rss", "/rss.xml", "/feed"),
    listings=("/",),
    skip_patterns=(
        r"^/(?:ru/)?search",
        r"^/(?:admin|login|user|account|cabinet)",
        r"[?&](?:print|share|replytocom|utm_[a-z]+)=",
        r"\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|zip|docx?|xlsx?|css|js|ico|woff2?)$",
    ),
)
