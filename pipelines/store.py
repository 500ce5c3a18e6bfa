"""Storage stage: one row per article in SQLite, with its raw page and its cleaning removals.

:class:`ArticleStore` writes a record (see pipelines.article) in one transaction: the ``articles``
row, the zlib-compressed page in ``pages``, the rows of ``removals`` and of ``citations``
(whose hops are then resolved to stored originals, see pipelines.resolve). Either all of it is
committed or none of it: there are no half-written rows. An article already stored (same URL key of
its canonical or fetched URL, see pipelines.urls) keeps its row: unchanged, only ``last_seen`` moves;
changed (title or text), the old values go to ``revisions``. ``first_seen`` keeps the first fetch
time. Each save also links near-duplicates (pipelines.dedupe) and resolves citations
(pipelines.resolve), inside the same transaction.

Settings read by :class:`StorePipeline`: ``NEWSDB_PATH`` (default output/news.db),
``STORE_ENABLED`` (default True), ``STORE_RAW_HTML`` (default True), ``NEWSDB_MAX_PAGES`` (default
0: no cap; else the database may grow to that many pages, for a disk quota). A database that
refuses writes (read-only, disk full) stops the crawl with status ``storage_failed`` and exit 1.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.items import GoneItem
from pipelines.dedupe import link_near_duplicates
from pipelines.derived import derive, still_valid
from pipelines.outlets import load_registry
from pipelines.resolve import resolve_article
from pipelines.schema import open_database
from pipelines.urls import url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from sqlite_utils import Database

logger = logging.getLogger(__name__)

ARTICLE_COLUMNS = (
    "url", "fetched_url", "outlet", "title", "lead", "text", "published", "modified",
    "authors", "tags", "section", "lang", "image_url", "fetched_at", "date_source",
)  # fmt: skip
JSON_COLUMNS = {"authors", "tags"}
CITATION_COLUMNS = (
    "position", "source", "source_name", "cited_by", "relation", "evidence", "method",
    "confidence", "cited_url", "resolved_article_id",
)  # fmt: skip


# The statements of a save, written out once: sqlite-utils' insert and upsert look the table up
# again on every call, which on a large crawl cost more than the writes themselves.
STORED_COLUMNS = (*ARTICLE_COLUMNS, "url_key", "content_hash", "last_seen")
INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join((*STORED_COLUMNS, 'first_seen'))}) "
    f"VALUES ({', '.join('?' * (len(STORED_COLUMNS) + 1))})"
)
UPDATE_ARTICLE = (
    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in (*STORED_COLUMNS, 'gone_at'))} WHERE id = ?"
)
INSERT_REMOVAL = "INSERT INTO removals (article_id, position, rule, text) VALUES (?, ?, ?, ?)"
INSERT_CITATION = (
    f"INSERT INTO citations (article_id, {', '.join(CITATION_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' * len(CITATION_COLUMNS))})"
)
UPSERT_PAGE = (
    "INSERT INTO pages (article_id, fetched_url, fetched_at, encoding, html_zlib) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(article_id) DO UPDATE SET fetched_url = excluded.fetched_url, "
    "fetched_at = excluded.fetched_at, encoding = excluded.encoding, html_zlib = excluded.html_zlib"
)


class ArticleStore:
    """Writes article records into a database opened with pipelines.schema.open_database."""

    def __init__(self, db: Database, keep_html: bool = True) -> None:
        self.db = db
        self.keep_html = keep_html
        self.resolved = 0  # citations resolved to a stored original, in this session
        self.near_duplicates = 0  # near-duplicate links made, in this session
        self.sync_outlets()

    def sync_outlets(self) -> None:
        """Keep the ``outlets`` table equal to the registry file (it is the registry's copy)."""
        rows = [
            {"id": o.id, "name": o.name, "kind": o.kind, "domains": json.dumps(list(o.domains), ensure_ascii=False),
             "aliases": json.dumps(list(o.aliases), ensure_ascii=False)}
            for o in load_registry()
        ]  # fmt: skip
        with self.db.atomic():
            self.db.table("outlets").upsert_all(rows, pk="id")

    def row_for(self, record: dict[str, Any]) -> dict[str, Any]:
        row = {column: record.get(column) for column in ARTICLE_COLUMNS}
        for column in JSON_COLUMNS:
            row[column] = json.dumps(row[column] or [], ensure_ascii=False)
        return row

    def find(self, keys: list[str]) -> dict[str, Any] | None:
        """The stored article with one of these URL keys (canonical or fetched), if any."""
        marks = ",".join("?" * len(keys))
        found = self.db.execute(
            f"SELECT id, title, text, published, modified, content_hash FROM articles "
            f"WHERE url_key IN ({marks}) ORDER BY id LIMIT 1",
            keys,
        ).fetchone()
        columns = ("id", "title", "text", "published", "modified", "content_hash")
        return dict(zip(columns, found, strict=True)) if found else None

    def save(
        self,
        record: dict[str, Any],
        html: str | None = None,
        encoding: str | None = None,
        revise: bool = True,
        derived: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """Insert or update the article; returns (article id, "new", "updated" or "unchanged").

        An article whose title or text changed since it was stored keeps its row: the old values
        go to ``revisions`` and ``modified`` is set (the page's own date, else the fetch time).
        ``revise=False`` (re-extraction of stored pages) updates the row without a revision.
        ``derived``: pipelines.derived values computed already (in an extraction worker); used
        only when they still describe the record.
        """
        row = self.row_for(record)
        if not row["url"] or not row["fetched_url"] or not row["fetched_at"]:
            raise ValueError("an article record needs url, fetched_url and fetched_at")
        keep = html if self.keep_html else None
        if not still_valid(derived, record, keep):
            derived = derive(record, keep)
        assert derived is not None
        row["url_key"] = derived["url_key"]
        row["content_hash"] = derived["content_hash"]
        row["last_seen"] = row["fetched_at"]
        keys = sorted({row["url_key"], derived["fetched_key"]})
        conn = self.db.conn
        with self.db.atomic():
            old = self.find(keys)
            if old is None:
                values = [row[c] for c in STORED_COLUMNS]
                article_id = int(conn.execute(INSERT_ARTICLE, [*values, row["fetched_at"]]).lastrowid or 0)
                outcome = "new"
            elif old["content_hash"] == row["content_hash"] and revise:
                article_id = old["id"]
                conn.execute(
                    "UPDATE articles SET last_seen = ?, fetched_at = ?, gone_at = NULL WHERE id = ?",
                    [row["fetched_at"], row["fetched_at"], article_id],
                )
                return article_id, "unchanged"
            else:
                article_id = old["id"]
                if revise and old["content_hash"] != row["content_hash"]:
                    self.add_revision(old, row)
                    row["modified"] = row["modified"] or row["fetched_at"]
                conn.execute(UPDATE_ARTICLE, [*(row[c] for c in STORED_COLUMNS), None, article_id])
                outcome = "updated"
            self.replace_children(article_id, record, new=outcome == "new")
            self.near_duplicates += link_near_duplicates(
                self.db, article_id, row["text"], row["published"], new=outcome == "new", derived=derived
            )
            self.resolved += resolve_article(self.db, article_id)
            if keep is not None:
                conn.execute(
                    UPSERT_PAGE,
                    [article_id, row["fetched_url"], row["fetched_at"], encoding, derived["html_zlib"]],
                )
        return article_id, outcome

    def add_revision(self, old: dict[str, Any], row: dict[str, Any]) -> None:
        changed = [field for field in ("title", "text") if old[field] != row[field]]
        number = self.db.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM revisions WHERE article_id = ?", [old["id"]]
        ).fetchone()[0]
        self.db.table("revisions").insert(
            {
                "article_id": old["id"],
                "revision": number,
                "detected_at": row["fetched_at"],
                "changed": json.dumps(changed),
                "title": old["title"],
                "text": old["text"],
                "published": old["published"],
                "modified": old["modified"],
            }
        )

    def replace_children(self, article_id: int, record: dict[str, Any], new: bool = False) -> None:
        """The article's removals and citations, as extracted this time."""
        if not new:
            self.db.execute("DELETE FROM removals WHERE article_id = ?", [article_id])
            self.db.execute("DELETE FROM citations WHERE article_id = ?", [article_id])
        conn = self.db.conn
        removals = record.get("removals") or []
        if removals:
            conn.executemany(
                INSERT_REMOVAL, [(article_id, r["position"], r["rule"], r["text"]) for r in removals]
            )
        citations = record.get("citations") or []
        if citations:
            conn.executemany(
                INSERT_CITATION,
                [(article_id, *(c.get(key) for key in CITATION_COLUMNS)) for c in citations],
            )

    def mark_gone(self, url: str, when: str) -> bool:
        """An article whose page now answers 404/410 keeps its row, marked gone."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE articles SET gone_at = ? WHERE url_key = ? AND gone_at IS NULL", [when, url_key(url)]
            )
        return cursor.rowcount > 0


class StorePipeline:
    """Saves each item that reached the end of the pipeline chain."""

    def __init__(self, crawler: Crawler, path: Path, keep_html: bool, max_pages: int = 0) -> None:
        self.crawler = crawler
        self.path = path
        self.keep_html = keep_html
        self.max_pages = max_pages
        self.failed = False
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        if not settings.getbool("STORE_ENABLED", True):
            from scrapy.exceptions import NotConfigured  # here: re-extraction imports no Scrapy

            raise NotConfigured("STORE_ENABLED is off")
        path = Path(settings.get("NEWSDB_PATH") or "output/news.db")
        return cls(
            crawler, path, settings.getbool("STORE_RAW_HTML", True), settings.getint("NEWSDB_MAX_PAGES", 0)
        )

    def open_spider(self) -> None:
        try:
            db = open_database(self.path)
            if self.max_pages:
                db.execute(f"PRAGMA max_page_count = {int(self.max_pages)}")
            self.store = ArticleStore(db, keep_html=self.keep_html)
        except (sqlite3.Error, OSError) as error:
            self.fail(f"cannot write the database {self.path}: {error}")
            return
        logger.info("storing articles in %s", self.path)

    def fail(self, message: str) -> None:
        """The database cannot take writes (read-only, disk full): stop the crawl, loudly.

        Whatever was committed stays intact (each article is its own transaction); the next run
        on a healthy disk fetches what this one could not store."""
        logger.error("%s: the crawl stops", message)
        self.failed = True
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("news/exit_status", 1)
            stats.set_value("news/run_status", "storage_failed")
        if self.crawler.engine is not None:
            from scrapy.utils.defer import _schedule_coro

            _schedule_coro(self.crawler.engine.close_spider_async(reason="storage_failed"))

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.db.close()

    def process_item(self, item: Any) -> Any:
        from pipelines.drops import StorageFailed

        if self.store is None or self.failed:
            raise StorageFailed(f"the database cannot be written: {getattr(item, 'fetched_url', '')}")
        if isinstance(item, GoneItem):
            if self.store.mark_gone(item.fetched_url, item.seen_at) and self.crawler.stats is not None:
                self.crawler.stats.inc_value("news/marked_gone")
            return item
        from itemadapter import ItemAdapter

        adapter = ItemAdapter(item)
        # A shallow copy: asdict() would rebuild every nested list and dict of the item.
        record = dict(adapter.items())
        derived = (record.get("extra") or {}).get("derived")
        try:
            article_id, outcome = self.store.save(
                record, adapter.get("html"), adapter.get("encoding"), derived=derived
            )
        except sqlite3.OperationalError as error:
            # The transaction was rolled back: nothing of this article is in the database.
            self.fail(f"the database {self.path} refused a write ({error})")
            raise StorageFailed(f"not stored ({error}): {record.get('fetched_url')}") from error
        stats = self.crawler.stats
        for problem in record.get("problems") or []:
            # Stored with a field empty: counted here, so that pages dropped later are not.
            logger.info("stored with a field empty (%s): %s", problem, record.get("fetched_url"))
            if stats is not None:
                stats.inc_value(f"news/field_empty/{problem}")
        if stats is not None:
            stats.inc_value(f"news/stored/{outcome}")
            stats.set_value("news/citations_resolved", self.store.resolved)
            stats.set_value("news/near_duplicate_links", self.store.near_duplicates)
        logger.debug("stored article %s (%s): %s", article_id, outcome, record.get("url"))
        return item
