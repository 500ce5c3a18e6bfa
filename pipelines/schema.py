"""The database schema, as named migrations applied in order, each once.

``open_database(path)`` opens (or creates) the SQLite file, sets WAL mode and a busy timeout so
readers are never blocked for long, and applies the migrations the file has not seen yet. Each
migration is recorded by name in ``_migrations``; ``PRAGMA user_version`` holds their count, so the
schema version is readable from the file (``sqlite3 news.db 'pragma user_version'``). An older
file is upgraded in place, never recreated. docs/schema.md describes every table and column; a
test keeps the two in step. No settings are read (the store passes the path).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 30_000


def _001_articles(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            fetched_url TEXT NOT NULL,
            outlet TEXT,
            title TEXT,
            lead TEXT,
            text TEXT,
            published TEXT,
            modified TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            section TEXT,
            lang TEXT,
            image_url TEXT,
            fetched_at TEXT NOT NULL,
            date_source TEXT,
            first_seen TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS articles_url ON articles(url)")
    db.execute("CREATE INDEX IF NOT EXISTS articles_fetched_url ON articles(fetched_url)")
    db.execute("CREATE INDEX IF NOT EXISTS articles_outlet_published ON articles(outlet, published)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS pages (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            fetched_url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            encoding TEXT,
            html_zlib BLOB NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS removals (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            rule TEXT NOT NULL,
            text TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS removals_article ON removals(article_id)")
    db.execute("CREATE INDEX IF NOT EXISTS removals_rule ON removals(rule)")


def _002_provenance(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS outlets (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            domains TEXT NOT NULL DEFAULT '[]',
            aliases TEXT NOT NULL DEFAULT '[]'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS citations (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            source TEXT,
            source_name TEXT NOT NULL,
            cited_by TEXT,
            relation TEXT NOT NULL,
            evidence TEXT,
            method TEXT NOT NULL,
            confidence REAL,
            cited_url TEXT,
            resolved_article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS citations_article ON citations(article_id, position)")
    db.execute("CREATE INDEX IF NOT EXISTS citations_source ON citations(source, resolved_article_id)")
    db.execute("DROP VIEW IF EXISTS article_chains")
    db.execute(
        """
        CREATE VIEW article_chains AS
        WITH hops AS (
            SELECT c.*, lag(coalesce(c.source, c.source_name)) OVER (
                PARTITION BY c.article_id ORDER BY c.position) AS previous
            FROM citations c
        )
        SELECT a.id AS article_id, a.outlet, a.url, a.title, a.published,
               count(h.id) AS hops,
               -- "A → B (cites) → C (interview)"; a hop not cited by the previous source starts
               -- a new branch: "; A → D (statement)".
               a.outlet || coalesce(group_concat(
                   CASE WHEN h.position = 1 OR h.cited_by = h.previous THEN ' → '
                        ELSE '; ' || coalesce(h.cited_by, '?') || ' → ' END
                   || coalesce(h.source, h.source_name) || ' (' || h.relation || ')', ''), '')
                   AS chain,
               json_group_array(json_object(
                   'position', h.position, 'source', h.source, 'source_name', h.source_name,
                   'cited_by', h.cited_by, 'relation', h.relation, 'method', h.method,
                   'evidence', h.evidence, 'resolved_article_id', h.resolved_article_id))
                   FILTER (WHERE h.id IS NOT NULL) AS chain_json
        FROM articles a
        LEFT JOIN (SELECT * FROM hops ORDER BY article_id, position) h ON h.article_id = a.id
        GROUP BY a.id
        """
    )


def _003_incremental(db: Database) -> None:
    from pipelines.dedupe import content_hash
    from pipelines.urls import url_key

    columns = {column.name for column in db["articles"].columns}
    for name in ("url_key", "content_hash", "last_seen", "gone_at"):
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} TEXT")
    # Older rows get their keys now: the upgrade is in place, nothing is recreated.
    for row in db.execute("SELECT id, url, title, text, fetched_at FROM articles").fetchall():
        db.execute(
            "UPDATE articles SET url_key = ?, content_hash = ?, last_seen = coalesce(last_seen, ?) "
            "WHERE id = ?",
            [url_key(row[1]), content_hash(row[2], row[3]), row[4], row[0]],
        )
    db.execute("CREATE INDEX IF NOT EXISTS articles_url_key ON articles(url_key)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS revisions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            detected_at TEXT NOT NULL,
            changed TEXT NOT NULL,
            title TEXT,
            text TEXT,
            published TEXT,
            modified TEXT
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS revisions_article ON revisions(article_id, revision)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS minhashes (article_id INTEGER PRIMARY KEY "
        "REFERENCES articles(id) ON DELETE CASCADE, signature BLOB NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS lsh_buckets (band INTEGER NOT NULL, bucket INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS lsh_buckets_lookup ON lsh_buckets(band, bucket)")
    db.execute("CREATE INDEX IF NOT EXISTS lsh_buckets_article ON lsh_buckets(article_id)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS similar_articles (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            similar_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            similarity REAL NOT NULL,
            first_id INTEGER NOT NULL,
            PRIMARY KEY (article_id, similar_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS http_validators (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            checked_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS crawl_runs (
            id INTEGER PRIMARY KEY,
            spider TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            finish_reason TEXT,
            discovered INTEGER NOT NULL DEFAULT 0,
            fetched INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0,
            new INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            dropped TEXT NOT NULL DEFAULT '{}',
            errors INTEGER NOT NULL DEFAULT 0,
            citations_resolved INTEGER NOT NULL DEFAULT 0,
            stats TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS skipped_pages (
            url_key TEXT PRIMARY KEY,
            outlet TEXT,
            fetched_url TEXT NOT NULL,
            reason TEXT NOT NULL,
            seen_at TEXT NOT NULL
        )
        """
    )
    if "articles_fts" not in db.table_names():
        db.table("articles").enable_fts(["title", "text"], create_triggers=True)


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("001_articles", _001_articles),
    ("002_provenance", _002_provenance),
    ("003_incremental", _003_incremental),
]


def applied_migrations(db: Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY name")]


def migrate(db: Database) -> list[str]:
    """Apply the migrations ``db`` has not had yet; returns their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = set(applied_migrations(db))
    applied: list[str] = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with db.atomic():
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                [name, datetime.now(timezone.utc).isoformat(timespec="seconds")],
            )
            db.execute(f"PRAGMA user_version = {len(done) + len(applied) + 1}")
        applied.append(name)
    return applied


def open_database(path: str | Path) -> Database:
    """The database at ``path``, created if needed, in WAL mode and migrated to the current schema."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    # NORMAL is durable across application crashes in WAL mode (only power loss can lose the
    # last commits) and much faster than FULL.
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db
