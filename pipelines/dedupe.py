"""Dedupe stage: every article once in a run, and republications linked as the same story.

Two jobs:
- In one run, the same article reached twice (two URL variants, a sitemap and a listing, a
  redirect) is dropped with a counted reason (``DuplicateArticle``): the URL keys of
  pipelines.urls and the hash of the article's text tell.
- Across runs and outlets, near-duplicates (a Vecher.kz republication of a Kazinform story) are
  linked, not dropped: a MinHash signature of each article's word 3-shingles is stored,
  with its LSH band buckets in an indexed table, so finding the candidates of a new article is a
  fixed number of index lookups whatever the size of the database. Candidates whose estimated
  Jaccard similarity reaches the threshold are linked in ``similar_articles`` with the score and
  which of the two was published first.

Settings read by :class:`DedupePipeline`: ``DEDUPE_ENABLED`` (default True).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from crawler.items import is_page
from pipelines.urls import url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database

NUM_PERM = 64
BANDS = 16  # 16 bands of 4 rows: pairs with Jaccard ≥ ~0.5 share a bucket with high probability
ROWS = NUM_PERM // BANDS
SIMILARITY_THRESHOLD = 0.5
MIN_SHINGLES = 8  # shorter texts say too little to call two articles the same story
WORD = re.compile(r"\w+")
SEED = 1  # fixed: signatures stored in the database must stay comparable across runs
# CRC-32 as the shingle hash: stable across processes, and ten times cheaper than datasketch's SHA-1
# default; MinHash's own permutations spread the values, so a 32-bit hash is all it needs.

# The MinHash is datasketch's (2.0, its default "affine32" scheme: a MurmurHash3 finalizer, then
# h -> a·h + b mod 2^32 with odd a), written out here and checked against datasketch value for value
# (tests/test_dedupe.py). Importing datasketch loads scipy for its LSH classes, which this project
# does not use: 55 MB in each process, the crawl and every extraction worker.
_PERMUTATION_SOURCE = np.random.RandomState(SEED)
_A = _PERMUTATION_SOURCE.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
_B = _PERMUTATION_SOURCE.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (an avalanching bijection), element-wise; wraps by design."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash(grams: list[bytes]) -> np.ndarray:
    """The NUM_PERM minimum hash values of the shingles (uint64, as stored)."""
    hashed = _fmix32(np.array([zlib.crc32(gram) for gram in grams], dtype=np.uint32).reshape(-1, 1))
    return np.asarray((hashed * _A + _B).min(axis=0), dtype=np.uint64)


def shingles(text: str | None, size: int = 3) -> set[bytes]:
    words = WORD.findall((text or "").casefold().replace("ё", "е"))
    return {" ".join(words[i : i + size]).encode() for i in range(max(0, len(words) - size + 1))}


def content_hash(title: str | None, text: str | None) -> str:
    """What "the article changed" means: its title or its text changed."""
    return hashlib.sha1(f"{title or ''}\n{text or ''}".encode()).hexdigest()


def signature(text: str | None) -> np.ndarray | None:
    """The MinHash signature of the text, or None when the text is too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    return minhash(list(grams))


def bands(sig: np.ndarray) -> list[int]:
    """One bucket per band: a stable 63-bit hash of the band's rows (fits an SQLite integer)."""
    buckets = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).digest()
        buckets.append(struct.unpack("<q", digest)[0] >> 1)
    return buckets


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def link_near_duplicates(
    db: Database,
    article_id: int,
    text: str | None,
    published: str | None,
    new: bool = False,
    derived: dict[str, Any] | None = None,
) -> int:
    """Store the article's signature and link it to the stored near-duplicates; returns the number
    of links. ``new``: the article was just inserted (nothing of it to replace). ``derived``: the
    signature and buckets of ``text`` computed already (pipelines.derived). Call inside the
    store's transaction."""
    if derived is not None:
        sig = np.frombuffer(derived["signature"], dtype=np.uint64) if derived["signature"] else None
        buckets = derived["buckets"]
    else:
        sig = signature(text)
        buckets = bands(sig) if sig is not None else None
    if not new:
        db.execute("DELETE FROM lsh_buckets WHERE article_id = ?", [article_id])
        db.execute("DELETE FROM minhashes WHERE article_id = ?", [article_id])
        db.execute(
            "DELETE FROM similar_articles WHERE article_id = ? OR similar_id = ?", [article_id, article_id]
        )
    if sig is None or buckets is None:
        return 0
    # One query for the 16 bands; each (band, bucket) pair is an index lookup.
    where = " OR ".join(["(band = ? AND bucket = ?)"] * BANDS)
    params = [value for pair in enumerate(buckets) for value in pair]
    rows = db.execute(f"SELECT DISTINCT article_id FROM lsh_buckets WHERE {where}", params).fetchall()
    candidates = {row[0] for row in rows}
    candidates.discard(article_id)
    db.execute("INSERT INTO minhashes (article_id, signature) VALUES (?, ?)", [article_id, sig.tobytes()])
    db.conn.executemany(
        "INSERT INTO lsh_buckets (band, bucket, article_id) VALUES (?, ?, ?)",
        [(band, bucket, article_id) for band, bucket in enumerate(buckets)],
    )
    links = 0
    for other in sorted(candidates):
        row = db.execute(
            "SELECT m.signature, a.published FROM minhashes m JOIN articles a ON a.id = m.article_id "
            "WHERE m.article_id = ?",
            [other],
        ).fetchone()
        if row is None:
            continue
        score = similarity(sig, np.frombuffer(row[0], dtype=np.uint64))
        if score < SIMILARITY_THRESHOLD:
            continue
        first = _earlier(article_id, published, other, row[1])
        for a, b in ((article_id, other), (other, article_id)):
            db.execute(
                "INSERT OR REPLACE INTO similar_articles (article_id, similar_id, similarity, first_id) "
                "VALUES (?, ?, ?, ?)",
                [a, b, round(score, 3), first],
            )
        links += 1
    return links


def _earlier(a: int, a_published: str | None, b: int, b_published: str | None) -> int:
    if a_published and b_published and a_published != b_published:
        try:
            return a if datetime.fromisoformat(a_published) < datetime.fromisoformat(b_published) else b
        except ValueError:
            pass
    return min(a, b)  # no dates: the one stored first


class DedupePipeline:
    """Drops the second copy of an article within one run (same URL key, or same outlet and text)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen_keys: set[str] = set()
        self.seen_content: set[tuple[str | None, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("DEDUPE_ENABLED", True):
            raise NotConfigured("DEDUPE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not is_page(item):
            return item  # a GoneItem: nothing to extract, only the store acts on it
        from itemadapter import ItemAdapter  # here: the pure functions above need no Scrapy

        from pipelines.drops import DuplicateArticle

        adapter = ItemAdapter(item)
        keys = {url_key(adapter.get("url") or ""), url_key(adapter["fetched_url"])} - {""}
        content = (adapter.get("outlet"), content_hash(adapter.get("title"), adapter.get("text")))
        if keys & self.seen_keys:
            raise DuplicateArticle(f"same article URL already stored in this run: {adapter['fetched_url']}")
        if content in self.seen_content:
            raise DuplicateArticle(f"same text already stored in this run: {adapter['fetched_url']}")
        self.seen_keys |= keys
        self.seen_content.add(content)
        return item
