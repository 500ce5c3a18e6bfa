"""The item pipelines of the news crawler, one module per stage, and the pure functions behind them.

``article_from_html(html, url)`` does to one page what the crawl does, without Scrapy.
Stages: extract_stage (extract, metadata, dates) -> clean -> provenance -> store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.article import article_from_html

__all__ = ["article_from_html"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `python -m pipelines.<stage>` does not import the stage twice.
    if name == "article_from_html":
        from pipelines.article import article_from_html

        return article_from_html
    raise AttributeError(f"module 'pipelines' has no attribute {name!r}")
