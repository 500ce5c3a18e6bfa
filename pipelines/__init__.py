"""The item pipelines of the news crawler, one module per stage, and the pure functions behind them.

``article_from_html(html, url)`` does to one page what the crawl does, without Scrapy.
Stages: extract_stage (extract, metadata, dates) -> clean -> store.
"""

from __future__ import annotations

from pipelines.article import article_from_html

__all__ = ["article_from_html"]
