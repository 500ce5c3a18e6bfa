"""``scrapy crawl kazinform [-a base_url=URL]``: inform.kz (Russian and Kazakh editions)."""

from __future__ import annotations

from crawler.sites.kazinform import SITE
from crawler.spiders.news import NewsSpider


class KazinformSpider(NewsSpider):
    name = "kazinform"
    site = SITE
