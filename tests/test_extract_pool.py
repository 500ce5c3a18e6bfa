"""Extraction in worker processes (EXTRACT_WORKERS): when the pool starts, and what happens when a
page kills its worker."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from pipelines.drops import ExtractionCrashed
from pipelines.extract_stage import ExtractPipeline
from pipelines.worker import pure_chain_in_worker
from tests.test_pipelines import item, page


def crash_on_marked_pages(html: str, url: str, *rest: Any) -> dict[str, Any]:
    """A worker function that dies, as a parser crash would, on pages marked CRASH."""
    if "CRASH" in html:
        os._exit(1)
    return pure_chain_in_worker(html, url, *rest)


def pipeline(**settings: Any) -> ExtractPipeline:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()  # type: ignore[union-attr]
    extract = ExtractPipeline.from_crawler(crawler)
    extract.open_spider()
    return extract


def test_a_page_that_kills_its_worker_is_dropped_and_the_crawl_goes_on() -> None:
    extract = pipeline(EXTRACT_WORKERS=1)
    extract.work = crash_on_marked_pages

    async def crawl() -> None:
        good = await extract.process_item(item(page()))
        assert good.title == "Ремонт дорог в Алматы" and good.extra["precomputed"]
        with pytest.raises(ExtractionCrashed, match="killed its worker process twice"):
            await extract.process_item(item(page(title="CRASH"), "https://vecher.kz/ru/article/crash.html"))
        after = await extract.process_item(item(page(title="Снова работает")))
        assert after.title == "Снова работает"

    try:
        asyncio.run(crawl())
    finally:
        extract.close_spider()
    # Tried twice, in two fresh pools; a third pool serves the pages after it.
    assert extract.crawler.stats.get_value("news/extract_pool_restarts") == 2  # type: ignore[union-attr]


def test_auto_starts_the_pool_only_after_enough_article_pages() -> None:
    extract = pipeline(EXTRACT_WORKERS="auto", EXTRACT_POOL_AFTER=2)
    cores = os.cpu_count() or 1

    async def crawl() -> list[bool]:
        started = []
        for n in range(4):
            await extract.process_item(item(page(), f"https://vecher.kz/ru/article/{n}.html"))
            started.append(extract.pool is not None)
        return started

    try:
        started = asyncio.run(crawl())
    finally:
        extract.close_spider()
    assert started == ([False, False, True, True] if cores > 1 else [False] * 4)


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_worker_count_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="EXTRACT_WORKERS must be a number of processes or 'auto'"):
        pipeline(EXTRACT_WORKERS=value)
