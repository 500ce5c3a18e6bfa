"""What an extraction worker process runs (EXTRACT_WORKERS): the pure functions of the extract,
clean and provenance stages and the store's derived values, for one page per call.

Kept apart from pipelines.extract_stage so that a worker imports no Scrapy: each worker is a
separate process, and every module it loads is memory it holds for the whole crawl. No settings are
read (the pipeline passes what a call needs as picklable arguments).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from pipelines.article import extract_article
from pipelines.clean import clean_article
from pipelines.dates import parse_iso
from pipelines.derived import derive
from pipelines.provenance import page_citations


def extract_in_worker(
    html: str, url: str, site: str | None, tz_name: str, fetched_at: str | None
) -> dict[str, Any]:
    """extract_article with picklable arguments (in-process extraction)."""
    now = parse_iso(fetched_at or "") or None
    return extract_article(html, url, site=site, tz=ZoneInfo(tz_name), now=now)


def pure_chain_in_worker(
    html: str, url: str, site: str | None, tz_name: str, fetched_at: str | None
) -> dict[str, Any]:
    """In a worker process: the pure functions of the extract, clean and provenance stages in one
    round trip (a page crosses the process boundary once); the later stages see ``precomputed``
    and only apply their checks. The store's derived values (pipelines.derived: the compressed
    page, the MinHash signature) are computed here too, off the crawl's process."""
    record = extract_in_worker(html, url, site, tz_name, fetched_at)
    if not record["problems"] or record["raw_paragraphs"]:
        clean_article(record)
        record["citations"] = page_citations(record)
        record["precomputed"] = True
        record["derived"] = derive({**record, "fetched_url": url}, html)
    record.pop("jsonld", None)  # only provenance needed it, and it is done
    return record
