"""Re-extraction of stored pages without fetching: improved rules reach old articles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, rows, run_crawl


def reextract(db: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipelines.reextract --db DB OPTIONS...`` as a user runs it."""
    command = [sys.executable, "-m", "pipelines.reextract", "--db", str(db), *options]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_reextract_applies_new_rules_to_stored_pages(vecher_mirror: str, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert run_crawl("vecher", vecher_mirror, db).returncode == 0
    before = rows(db, "SELECT id, url, text, first_seen FROM articles ORDER BY id")
    target = next(row for row in before if "Подробности – на сайте Vecher.kz." in (row["text"] or ""))

    # A new rule, written after the crawl: the «Подробности» line goes.
    rules = tmp_path / "rules.toml"
    original = (ROOT / "pipelines" / "data" / "cleaning_rules.toml").read_text("utf-8")
    rules.write_text(
        original
        + "\n[[rule]]\nname = \"details_on_site\"\npattern = 'Подробности\\s*[–—-]\\s*на сайте'\nmax_length = 60\n",
        "utf-8",
    )
    # The server is gone: re-extraction must not fetch anything.
    result = reextract(db, "--workers", "2", "--rules", str(rules))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "re-extracted 36/36 pages" in result.stderr  # progress
    assert "changed 5, unchanged 31" in result.stdout and "changed fields: text 5" in result.stdout

    after = {row["id"]: row for row in rows(db, "SELECT id, url, text, first_seen FROM articles")}
    assert set(after) == {row["id"] for row in before}
    assert "Подробности – на сайте" not in after[target["id"]]["text"]
    assert after[target["id"]]["first_seen"] == target["first_seen"]
    removed = rows(db, "SELECT count(*) AS n FROM removals WHERE rule = 'details_on_site'")
    assert removed[0]["n"] == 5
    assert rows(db, "SELECT count(*) AS n FROM revisions")[0]["n"] == 0  # our rules changed, not the site


def test_reextract_says_when_there_is_no_database(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pipelines.reextract", "--db", str(tmp_path / "missing.db")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "no database" in result.stderr


def test_reextract_reads_in_chunks_and_stops_at_the_limit(vecher_mirror: str, tmp_path: Path) -> None:
    from pipelines.reextract import _jobs

    db = tmp_path / "news.db"
    assert run_crawl("vecher", vecher_mirror, db).returncode == 0
    ids = [row["id"] for row in rows(db, "SELECT article_id AS id FROM pages ORDER BY article_id")]
    # Chunks smaller than the table: every page once, in order, across chunk boundaries.
    assert [job[0] for job in _jobs(db, None, chunk=7)] == ids
    assert [job[0] for job in _jobs(db, None, limit=10, chunk=7)] == ids[:10]
    assert [job[0] for job in _jobs(db, "kazinform", chunk=7)] == []

    result = reextract(db, "--workers", "1", "--limit", "10")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "re-extracted 10/10 pages" in result.stderr
    assert result.stdout.startswith("pages: 10; changed 0, unchanged 10,"), result.stdout
