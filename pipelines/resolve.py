"""Resolution: point a citation to the cited outlet's own article when that article is stored.

A citation «со ссылкой на Kazinform» of a Vecher.kz article resolves to the Kazinform article that
tells the same story: an article of the cited outlet, published at most ``window`` before the citing
one (and not after it, beyond clock skew), whose text the citing text largely repeats. "Largely" is
found first among the near-duplicates pipelines.dedupe linked (MinHash LSH), then, for rewrites
that fall below its threshold, among the source's articles of the window, measured on word
3-shingles with the overlap coefficient |A ∩ B| / min(|A|, |B|), which stays high
when a republication drops or rewrites a paragraph or two. A citation with a URL resolves to the
article stored under that URL first.

Resolution runs both ways each time an article is stored: the new article's citations look for
their originals, and stored citations of the new article's outlet that are still unresolved look at
the new article. So the order in which sites are crawled does not matter. No settings are read; the
store passes ``window`` and ``threshold``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

DEFAULT_WINDOW = timedelta(days=7)
DEFAULT_THRESHOLD = 0.35
CLOCK_SKEW = timedelta(hours=1)
WORD = re.compile(r"\w+")


def shingles(text: str | None, size: int = 3) -> set[str]:
    words = WORD.findall((text or "").casefold().replace("ё", "е"))
    return {" ".join(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _moment(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _in_window(original: str | None, citing: str | None, window: timedelta) -> bool:
    a, b = _moment(original), _moment(citing)
    if a is None or b is None:
        return True  # no dates to compare: similarity alone decides
    return b - window <= a <= b + CLOCK_SKEW


def _linked_original(db: Database, citing: dict[str, Any], source: str, window: timedelta) -> int | None:
    """The source's article that near-duplicate detection already linked to the citing one."""
    rows = db.execute(
        "SELECT a.id, a.published FROM similar_articles s JOIN articles a ON a.id = s.similar_id "
        "WHERE s.article_id = ? AND a.outlet = ? ORDER BY s.similarity DESC",
        [citing["id"], source],
    ).fetchall()
    return next((int(row[0]) for row in rows if _in_window(row[1], citing["published"], window)), None)


def _best_original(db: Database, citing: dict[str, Any], source: str, window: timedelta,
                   threshold: float) -> tuple[int, float] | None:  # fmt: skip
    linked = _linked_original(db, citing, source, window)
    if linked is not None:
        return linked, 1.0
    citing_shingles: set[str] | None = None  # computed only when there is a candidate
    published = _moment(citing["published"])
    params: list[Any] = [source, citing["id"]]
    where = "outlet = ? AND id != ?"
    if published is not None:
        where += " AND (published IS NULL OR published BETWEEN ? AND ?)"
        params += [(published - window).isoformat(), (published + CLOCK_SKEW).isoformat()]
    best: tuple[int, float] | None = None
    for row in db.execute(f"SELECT id, text, published FROM articles WHERE {where}", params).fetchall():
        if not _in_window(row[2], citing["published"], window):
            continue
        citing_shingles = citing_shingles if citing_shingles is not None else shingles(citing["text"])
        score = overlap(citing_shingles, shingles(row[1]))
        if score >= threshold and (best is None or score > best[1]):
            best = (int(row[0]), score)
    return best


def resolve_article(db: Database, article_id: int, window: timedelta = DEFAULT_WINDOW,
                    threshold: float = DEFAULT_THRESHOLD) -> int:  # fmt: skip
    """Resolve the citations of ``article_id`` and the open citations of its outlet; returns how
    many citations were resolved. Call inside the store's transaction."""
    resolved = 0
    article = db.execute(
        "SELECT id, outlet, text, published, url, fetched_url FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    if article is None:
        return 0
    me = dict(zip(("id", "outlet", "text", "published", "url", "fetched_url"), article, strict=True))
    open_citations = db.execute(
        "SELECT id, source, cited_url FROM citations WHERE article_id = ? AND resolved_article_id IS NULL "
        "AND source IS NOT NULL",
        [article_id],
    ).fetchall()
    for citation_id, source, cited_url in open_citations:
        target: int | None = None
        if cited_url:
            row = db.execute(
                "SELECT id FROM articles WHERE (url = ? OR fetched_url = ?) AND id != ?",
                [cited_url, cited_url, article_id],
            ).fetchone()
            target = int(row[0]) if row else None
        if target is None:
            best = _best_original(db, me, source, window, threshold)
            target = best[0] if best else None
        if target is not None:
            db.execute("UPDATE citations SET resolved_article_id = ? WHERE id = ?", [target, citation_id])
            resolved += 1
    # The other way: stored citations of this article's outlet that wait for their original.
    if me["outlet"]:
        waiting = db.execute(
            "SELECT c.id, a.id, a.text, a.published FROM citations c JOIN articles a ON a.id = c.article_id "
            "WHERE c.source = ? AND c.resolved_article_id IS NULL AND a.id != ?",
            [me["outlet"], article_id],
        ).fetchall()
        mine: set[str] | None = None
        for citation_id, _citing_id, citing_text, citing_published in waiting:
            if not _in_window(me["published"], citing_published, window):
                continue
            mine = mine if mine is not None else shingles(me["text"])
            if overlap(mine, shingles(citing_text)) >= threshold:
                db.execute(
                    "UPDATE citations SET resolved_article_id = ? WHERE id = ?", [article_id, citation_id]
                )
                resolved += 1
    return resolved
