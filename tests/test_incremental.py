"""Scheduled crawls: a second run fetches only discovery pages; a third, after the site gained an
article and edited another, fetches just those two; rows stay one per article, edits become
revisions. Also: overlapping runs are refused, and readers are never locked out."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from mirror.server import serve
from tests.conftest import MIRRORS, rows, run_crawl

EDITED = "smog-nad-almaty-pochemu-gorod-zadykhaetsya-zimoy.html"
ADDED = "v-almaty-otkrylsya-novyy-park.html"


def stats_of(log: str) -> dict[str, Any]:
    """The stats Scrapy dumps at the end of a run."""
    text = log.split("Dumping Scrapy stats:", 1)[1]
    return {key: int(value) for key, value in re.findall(r"'([\w/]+)': (\d+),?\n", text)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("site") / "vecher"
    shutil.copytree(MIRRORS / "vecher", root)
    server, base_url = serve(root)  # one server for every run: its ETags stay valid
    yield {"root": root, "base": base_url, "db": root.parent / "news.db", "runs": []}
    server.shutdown()
    server.server_close()


def crawl(site: dict[str, Any]) -> dict[str, Any]:
    result = run_crawl("vecher", site["base"], site["db"])
    assert result.returncode == 0, result.stderr[-3000:]
    site["runs"].append(stats_of(result.stderr))
    return site["runs"][-1]


def change_the_site(root: Path) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    # Edit an article: a paragraph rewritten, the sitemap's lastmod moved.
    page = root / "ru" / "article" / EDITED
    html = page.read_text("utf-8")
    html = html.replace("Смог над Алматы:", "Смог над Алматы снова:")
    page.write_text(html.replace("<p>", "<p>Обновлено: синоптики дали новый прогноз. ", 1), "utf-8")
    sitemap = root / "sitemaps" / "articles-2023.xml"
    text = sitemap.read_text("utf-8")
    text = re.sub(
        rf"(<loc>__BASE__/ru/article/{re.escape(EDITED)}</loc>\s*<lastmod>)[^<]+", rf"\g<1>{now}", text
    )
    # Add an article: a new page, listed in the sitemap.
    template = (root / "ru" / "article" / "sel-soshel-v-urochishche-kimasar.html").read_text("utf-8")
    new_page = template.replace("sel-soshel-v-urochishche-kimasar", ADDED.removesuffix(".html"))
    new_page = new_page.replace("Сель сошел в урочище Кимасар", "В Алматы открылся новый парк")
    (root / "ru" / "article" / ADDED).write_text(new_page, "utf-8")
    entry = f"  <url>\n    <loc>__BASE__/ru/article/{ADDED}</loc>\n    <lastmod>{now}</lastmod>\n  </url>\n"
    sitemap.write_text(text.replace("</urlset>", entry + "</urlset>"), "utf-8")
    time.sleep(1.1)  # Last-Modified has a one-second resolution


def test_first_second_and_third_run(site: dict[str, Any]) -> None:
    first = crawl(site)
    count = rows(site["db"], "SELECT count(*) AS n FROM articles")[0]["n"]
    assert first["news/stored/new"] == count == 36

    second = crawl(site)
    assert "news/stored/new" not in second and "news/article_pages" not in second
    assert second["downloader/request_count"] <= 10  # robots.txt twice, sitemaps, the home page
    assert second["news/not_modified"] >= 3
    assert second["news/skipped/known"] >= 1  # the articles of the sitemaps read in full

    change_the_site(site["root"])
    third = crawl(site)
    assert third["news/article_pages"] == 2
    assert third["news/stored/new"] == 1 and third["news/stored/updated"] == 1
    # The two article pages, and the feed they link (answered 304).
    assert third["downloader/request_count"] <= second["downloader/request_count"] + 3

    found = rows(
        site["db"], "SELECT id, title, text, modified FROM articles WHERE fetched_url LIKE ?", (f"%{EDITED}",)
    )
    assert len(found) == 1 and found[0]["title"].startswith("Смог над Алматы снова")
    assert found[0]["modified"] is not None
    history = rows(site["db"], "SELECT * FROM revisions WHERE article_id = ?", (found[0]["id"],))
    assert len(history) == 1 and json.loads(history[0]["changed"]) == ["title", "text"]
    assert history[0]["title"].startswith("Смог над Алматы:")
    assert rows(site["db"], "SELECT count(*) AS n FROM articles")[0]["n"] == 37

    ledger = rows(
        site["db"], "SELECT status, new, updated, fetched, not_modified FROM crawl_runs ORDER BY id"
    )
    assert [run["status"] for run in ledger] == ["ok", "ok", "ok"]
    assert [(run["new"], run["updated"]) for run in ledger] == [(36, 0), (0, 0), (1, 1)]
    print("request counts of the three runs:", [run["fetched"] for run in ledger])


def test_the_new_article_is_searchable(site: dict[str, Any]) -> None:
    found = rows(
        site["db"],
        "SELECT title FROM articles WHERE id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
        ("парк",),
    )
    assert [row["title"] for row in found if row["title"].startswith("В Алматы открылся новый парк")]


def test_an_overlapping_run_is_refused(site: dict[str, Any], tmp_path: Path) -> None:
    lock = site["db"].with_name(f"{site['db'].name}.vecher.lock")
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import fcntl,time; f=open({str(lock)!r},'a+'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_crawl("vecher", site["base"], site["db"])
        assert result.returncode == 1
        assert "another 'scrapy crawl vecher' is running" in result.stderr
        assert "news/article_pages" not in stats_of(result.stderr)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert rows(site["db"], "SELECT count(*) AS n FROM crawl_runs WHERE status = 'running'")[0]["n"] == 0


def test_readers_are_never_locked_out_during_a_crawl(kazinform_mirror: str, tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    errors: list[str] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not done.is_set():
            if not db.exists():
                time.sleep(0.01)
                continue
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    if "articles" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}:
                        conn.execute("SELECT count(*), max(length(text)) FROM articles").fetchone()
                reads += 1
            except sqlite3.OperationalError as error:
                errors.append(str(error))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = run_crawl("kazinform", kazinform_mirror, db)
    finally:
        done.set()
        thread.join()
    assert result.returncode == 0
    assert errors == []
    assert reads > 50


@pytest.mark.parametrize("previous", ["ok", "running", "cut"])
def test_after_a_killed_run_listings_are_walked_to_the_end(
    kazinform_mirror: str, tmp_path: Path, previous: str
) -> None:
    """A listing page of known articles ends pagination: older pages hold older, known articles.
    A killed run, or one cut short by a CLOSESPIDER limit, breaks that promise (it may have stored
    the newest articles and stopped before the older ones), so after one the listings are followed
    to their end."""
    db = tmp_path / "news.db"
    assert run_crawl("kazinform", kazinform_mirror, db).returncode == 0
    older = "%/ru/v-shymkente-zaderzhali-podozrevaemyh-v-serii-krazh-avtomobiley-e233ee%"  # listings only
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("DELETE FROM articles WHERE fetched_url LIKE ?", [older]).rowcount == 1
        if previous == "cut":  # stopped by CLOSESPIDER_ITEMCOUNT: "ok", but not the whole site
            conn.execute("UPDATE crawl_runs SET finish_reason = 'closespider_itemcount'")
        else:  # "running": the run was killed
            conn.execute("UPDATE crawl_runs SET status = ?", [previous])
        # A killed run saves no HTTP validators: the listings are fetched again, not answered 304.
        conn.execute("DELETE FROM http_validators")
    result = run_crawl("kazinform", kazinform_mirror, db)
    assert result.returncode == 0, result.stderr[-3000:]
    back = rows(db, "SELECT count(*) AS n FROM articles WHERE fetched_url LIKE ?", (older,))[0]["n"]
    stats = stats_of(result.stderr)
    assert back == 1
    if previous in ("running", "cut"):
        assert "news/pagination_stopped" not in stats
    else:  # after a run that finished, pagination stops where the known articles begin
        assert stats["news/pagination_stopped"] >= 1
