"""Re-run extraction, cleaning and provenance over the stored pages, without fetching anything.

    python -m pipelines.reextract [--db output/news.db] [--outlet vecher_kz] [--workers 2] [--limit N]

Improved rules reach old articles: every stored page (table ``pages``) goes through
:func:`pipelines.article_from_html` again and its article row, removals and citations are updated
in place (same id, same ``first_seen``). A page that now yields no text keeps its old row and is
counted. Progress goes to stderr; a summary of what changed, field by field, ends the run.
Extraction runs in ``--workers`` processes (default: the machine's cores). ``--limit N`` stops after
the first N pages (a trial of new rules, or a benchmark). No settings are read.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pipelines.article import article_from_html
from pipelines.clean import Rule, load_rules
from pipelines.derived import decompress_html, derive
from pipelines.schema import open_database
from pipelines.store import ARTICLE_COLUMNS, ArticleStore

J = TypeVar("J")
R = TypeVar("R")
COMPARED = (
    "url",
    "title",
    "lead",
    "text",
    "published",
    "modified",
    "authors",
    "tags",
    "section",
    "lang",
    "image_url",
)


# A kill loses at most this many re-extracted pages (their old rows stay as they were); one commit
# per page would cost more than the writes.
COMMIT_EVERY = 200

RULES: tuple[Rule, ...] | None = None  # set in each worker by _init_worker


def _init_worker(rules_path: str | None) -> None:
    global RULES
    RULES = load_rules(Path(rules_path)) if rules_path else None


def _extract(job: tuple[int, bytes, str, str | None, str]) -> tuple[int, dict[str, Any] | None, str | None]:
    article_id, blob, fetched_url, outlet, fetched_at = job
    try:
        html = decompress_html(blob)
        now = datetime.fromisoformat(fetched_at) if fetched_at else None
        record = article_from_html(html, fetched_url, site=outlet, now=now, rules=RULES)
        # The store's signature and keys, here in the worker rather than in the writing process.
        record["derived"] = derive({**record, "fetched_url": fetched_url})
    except Exception as error:  # one bad page must not stop the run; it is counted and named
        return article_id, None, f"{type(error).__name__}: {error}"
    record.pop("jsonld", None)
    return article_id, record, None


def _jobs(
    db_path: Path, outlet: str | None, limit: int = 0, chunk: int = 500
) -> Iterator[tuple[int, bytes, str, str | None, str]]:
    """The stored pages in id order, read a chunk at a time: one long read would pin the
    database's write-ahead log, which then grows by every page the run rewrites."""
    db = open_database(db_path)
    sql = (
        "SELECT a.id, p.html_zlib, p.fetched_url, a.outlet, a.fetched_at FROM pages p "
        "JOIN articles a ON a.id = p.article_id WHERE a.id > ?"
    )
    if outlet:
        sql += " AND a.outlet = ?"
    sql += f" ORDER BY a.id LIMIT {int(chunk)}"
    last, left = 0, limit or -1
    try:
        while left:
            rows = db.execute(sql, [last, outlet] if outlet else [last]).fetchall()
            if not rows:
                return
            rows = rows[:left] if left > 0 else rows
            left -= len(rows) if left > 0 else 0
            last = rows[-1][0]
            yield from rows
    finally:
        db.close()


def bounded_map(pool: Executor, fn: Callable[[J], R], jobs: Iterable[J], window: int) -> Iterator[R]:
    """``pool.map`` that keeps at most ``window`` jobs in flight (Executor.map reads the whole
    iterable at once: every stored page would be in memory)."""
    pending: deque[Future[R]] = deque()
    for job in jobs:
        pending.append(pool.submit(fn, job))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def changed_fields(old: dict[str, Any], record: dict[str, Any]) -> list[str]:
    changed = []
    for field in COMPARED:
        new = record.get(field)
        if field in ("authors", "tags"):
            new = json.dumps(new or [], ensure_ascii=False)
        if old.get(field) != new:
            changed.append(field)
    return changed


def reextract(
    db_path: Path,
    outlet: str | None = None,
    workers: int | None = None,
    quiet: bool = False,
    rules_path: Path | None = None,
    limit: int = 0,
) -> Counter[str]:
    """Re-extract every stored page of ``db_path``; returns the counts of the summary."""
    store = ArticleStore(open_database(db_path), keep_html=False)
    conn = store.db.conn
    counts: Counter[str] = Counter()
    total = store.db.execute("SELECT count(*) FROM pages").fetchone()[0]
    total = min(total, limit) if limit else total
    started = time.monotonic()
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    select_old = f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id = ?"
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(rules_path) if rules_path else None,)) as pool:  # fmt: skip
        results = bounded_map(pool, _extract, _jobs(db_path, outlet, limit), window=workers * 8)
        for done, (article_id, record, error) in enumerate(results, 1):
            if record is None or not record.get("text"):
                counts["failed" if error else "no_text_kept_old"] += 1
                if error and not quiet:
                    print(f"article {article_id}: {error}", file=sys.stderr)
            else:
                found = conn.execute(select_old, [article_id]).fetchone()
                if found is None:  # deleted meanwhile (by a user, or a crawl's cleanup)
                    counts["vanished"] += 1
                    continue
                old = dict(zip(ARTICLE_COLUMNS, found, strict=True))
                record["fetched_url"] = old["fetched_url"]
                record["fetched_at"] = old["fetched_at"]
                fields = changed_fields(old, record)
                if not conn.in_transaction:
                    conn.execute("BEGIN")  # pages are committed in batches (save nests a savepoint)
                store.save({**old, **record}, revise=False, derived=record.pop("derived", None))
                counts["changed" if fields else "unchanged"] += 1
                counts.update(f"field:{field}" for field in fields)
            if done % COMMIT_EVERY == 0 and conn.in_transaction:
                conn.commit()
            if not quiet and (done % 100 == 0 or done == total):
                rate = done / max(time.monotonic() - started, 1e-9)
                print(f"\rre-extracted {done}/{total} pages ({rate:.1f}/s)", end="", file=sys.stderr)
    if conn.in_transaction:
        conn.commit()
    if not quiet:
        print(file=sys.stderr)
    counts["citations_resolved"] = store.resolved
    store.db.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=Path("output/news.db"))
    parser.add_argument("--outlet", help="only this outlet's pages (e.g. vecher_kz)")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: cores)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (default: all)")
    parser.add_argument(
        "--rules", type=Path, default=None, help="cleaning rules file (default: the bundled one)"
    )
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 2
    counts = reextract(args.db, args.outlet, args.workers, rules_path=args.rules, limit=args.limit)
    fields = ", ".join(f"{key[6:]} {n}" for key, n in sorted(counts.items()) if key.startswith("field:"))
    print(
        f"pages: {counts['changed'] + counts['unchanged'] + counts['failed'] + counts['no_text_kept_old'] + counts['vanished']}; "
        f"changed {counts['changed']}, unchanged {counts['unchanged']}, "
        f"no text now (old row kept) {counts['no_text_kept_old']}, failed {counts['failed']}, "
        f"deleted meanwhile {counts['vanished']}; "
        f"citations resolved {counts['citations_resolved']}"
    )
    if fields:
        print(f"changed fields: {fields}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
