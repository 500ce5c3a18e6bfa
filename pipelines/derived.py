"""What the store derives from an article record before it writes: the URL keys, the content hash,
the MinHash signature with its LSH band buckets, and the compressed page.

Pure and picklable, so that a worker process of the extraction pool (EXTRACT_WORKERS) computes it
next to the extraction and the crawl's own process, which also downloads and writes, does not:
compressing a 100 KB page and hashing a text's shingles are most of the store's CPU time. The store
takes these values only when they still describe the record (same URLs, same content hash); a stage
that changed the title or text after the worker ran makes the store derive them again.

No settings are read.
"""

from __future__ import annotations

import zlib
from typing import Any

from pipelines.dedupe import bands, content_hash, signature
from pipelines.urls import url_key


def compress_html(html: str) -> bytes:
    # Level 1: under a third of the page's size, at a third of the CPU time of the default level 6.
    return zlib.compress(html.encode("utf-8"), 1)


def decompress_html(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def derive(record: dict[str, Any], html: str | None = None) -> dict[str, Any]:
    """The derived values of an article record (see the module's docstring)."""
    sig = signature(record.get("text"))
    return {
        "url": record.get("url"),
        "fetched_url": record.get("fetched_url"),
        "content_hash": content_hash(record.get("title"), record.get("text")),
        "url_key": url_key(record.get("url") or ""),
        "fetched_key": url_key(record.get("fetched_url") or ""),
        "signature": sig.tobytes() if sig is not None else None,
        "buckets": bands(sig) if sig is not None else None,
        "html_zlib": compress_html(html) if html is not None else None,
    }


def still_valid(derived: dict[str, Any] | None, record: dict[str, Any], html: str | None) -> bool:
    """Do these derived values describe this record (and page) as it is now?"""
    return (
        derived is not None
        and derived.get("url") == record.get("url")
        and derived.get("fetched_url") == record.get("fetched_url")
        and derived.get("content_hash") == content_hash(record.get("title"), record.get("text"))
        and (html is None or derived.get("html_zlib") is not None)
    )
