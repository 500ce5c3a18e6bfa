"""What the database already holds, so an incremental crawl fetches only what is new or changed.

``load_known(db, outlet)`` reads, once per run, the URL keys of the outlet's stored articles with
their publication and last fetch times. A known article is fetched again only when it is inside the
re-check window (published less than ``recheck_days`` ago: fresh stories still get edited) or when
its sitemap ``lastmod`` is newer than our last fetch. Pages that were dropped as not articles
(``skipped_pages``) are known too. Keys are pipelines.urls keys of the canonical
and fetched URLs; for a mirror on 127.0.0.1, whose port changes from run to run, the fetched URL's
path stands for it ("path:/ru/article/x.html"). No settings are read (the spider passes them).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.dates import parse_iso
from pipelines.urls import url_key

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OLD = datetime(1970, 1, 1, tzinfo=timezone.utc)  # "published long ago": outside any re-check window


@dataclass
class KnownArticles:
    # identity -> (published, last fetched), both aware datetimes or None
    seen: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)
    recheck: timedelta = timedelta(days=2)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    count: int = 0  # articles added (each under several keys)

    def __len__(self) -> int:
        # Asked on every link of a page: a counter, not a pass over the keys.
        return self.count

    def add(self, keys: list[str], published: datetime | None, fetched: datetime | None) -> None:
        value = (published, fetched)
        for key in keys:
            self.seen[key] = value
        self.count += 1

    def should_fetch(self, identity: str, lastmod: str | None = None) -> bool:
        known = self.seen.get(identity)
        if known is None:
            return True
        published, fetched = known
        if published is None or published >= self.now - self.recheck:
            return True
        if lastmod and fetched is not None:
            changed = parse_iso(lastmod)
            if changed is not None and changed > fetched:
                return True
        return False


def identities(url: str, fetched_url: str) -> list[str]:
    keys = [url_key(url), url_key(fetched_url)]
    for address in (url, fetched_url):
        parts = urlsplit(address)
        if parts.hostname in LOOPBACK:
            keys.append("path:" + parts.path + ("?" + parts.query if parts.query else ""))
    return [key for key in keys if key]


def load_known(db_path: str | Path, outlet: str, recheck_days: float = 2.0) -> KnownArticles:
    known = KnownArticles(recheck=timedelta(days=recheck_days))
    path = Path(db_path)
    if not path.exists():
        return known
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute(
            "SELECT url, fetched_url, published, fetched_at FROM articles WHERE outlet = ?", [outlet]
        ).fetchall()
        skipped = conn.execute(
            "SELECT fetched_url, fetched_url, NULL, seen_at FROM skipped_pages WHERE outlet = ?", [outlet]
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before these tables: nothing known
        rows, skipped = [], []
    finally:
        conn.close()
    for fetched_url, _, _, seen_at in skipped:
        # Not articles: never re-checked for edits, only when the sitemap says they changed.
        known.add(identities(fetched_url, fetched_url), OLD, parse_iso(seen_at) if seen_at else None)
    for url, fetched_url, published, fetched_at in rows:
        known.add(
            identities(url, fetched_url),
            parse_iso(published) if published else None,
            parse_iso(fetched_at) if fetched_at else None,
        )
    return known
