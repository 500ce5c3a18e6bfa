"""``scrapy crawl vecher [-a base_url=URL]``: Vecher.kz, or a mirror of it served at URL."""

from __future__ import annotations

from crawler.sites.vecher_kz import SITE
from crawler.spiders.news import NewsSpider


class VecherSpider(NewsSpider):
    name = "vecher"
    site = SITE
