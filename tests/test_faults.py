"""Faults of the machine: a full disk and a read-only database stop the crawl loudly, corrupt
nothing, and the next run on a healthy disk finishes the work."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ground_truth, rows, run_crawl


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def complete_articles(db: Path) -> int:
    """Articles with everything that belongs to them (their page): none is half-written."""
    found = rows(db, "SELECT count(*) AS n FROM articles WHERE id NOT IN (SELECT article_id FROM pages)")
    assert found[0]["n"] == 0, "an article row without its page"
    return int(rows(db, "SELECT count(*) AS n FROM articles")[0]["n"])


def test_a_full_disk_stops_the_crawl_and_the_next_run_finishes(kazinform_mirror: str, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    # NEWSDB_MAX_PAGES caps the file as a full disk would: SQLite answers SQLITE_FULL.
    full = run_crawl("kazinform", kazinform_mirror, db, "NEWSDB_MAX_PAGES=110")
    assert full.returncode == 1
    assert "database or disk is full" in full.stderr and "the crawl stops" in full.stderr
    assert integrity(db) == "ok"
    stored = complete_articles(db)
    assert 0 < stored < len(ground_truth("kazinform"))

    healthy = run_crawl("kazinform", kazinform_mirror, db)
    assert healthy.returncode == 0, healthy.stderr[-2000:]
    assert integrity(db) == "ok"
    assert complete_articles(db) == len(ground_truth("kazinform"))
    urls = [row["url"] for row in rows(db, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    statuses = [row["status"] for row in rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["storage_failed", "ok"]


def test_a_read_only_database_stops_the_crawl_and_the_next_run_finishes(
    kazinform_mirror: str, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    first = run_crawl("kazinform", kazinform_mirror, db, "CLOSESPIDER_ITEMCOUNT=5")
    assert first.returncode == 0  # a limit the user set (CLOSESPIDER_ITEMCOUNT) ends the run as asked
    before = complete_articles(db)
    # Read-only even for root: the immutable flag (ext4 and most Linux file systems).
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(db)], check=False).returncode:
        pytest.skip("cannot make a file read-only here (chattr +i)")
    try:
        readonly = run_crawl("kazinform", kazinform_mirror, db)
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert readonly.returncode == 1
    assert "the crawl stops" in readonly.stderr and "readonly" in readonly.stderr.lower()
    assert integrity(db) == "ok" and complete_articles(db) == before

    healthy = run_crawl("kazinform", kazinform_mirror, db)
    assert healthy.returncode == 0, healthy.stderr[-2000:]
    assert complete_articles(db) == len(ground_truth("kazinform"))
