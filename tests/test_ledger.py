"""The run ledger and the exit status cron acts on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from mirror.server import serve
from tests.conftest import MIRRORS, rows, run_crawl


def test_a_site_whose_layout_changed_fails_the_run(tmp_path: Path) -> None:
    root = tmp_path / "vecher"
    shutil.copytree(MIRRORS / "vecher", root)
    for page in (root / "ru" / "article").glob("*.html"):
        html = page.read_text("utf-8")
        # The new layout renders the article with JavaScript: the page carries no text any more.
        body = re.sub(
            r"<body.*</body>",
            '<body><div id="app"></div><script src="/app.js"></script></body>',
            html,
            flags=re.S,
        )
        page.write_text(body, "utf-8")
    server, base_url = serve(root)
    try:
        result = run_crawl("vecher", base_url, tmp_path / "news.db")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert "ended with status 'no_articles'" in result.stderr
    ledger = rows(tmp_path / "news.db", "SELECT status, new, dropped FROM crawl_runs")
    assert ledger[0]["status"] == "no_articles" and ledger[0]["new"] == 0
    assert "EmptyText" in ledger[0]["dropped"]


def test_a_good_run_is_ok_and_counted(vecher_mirror: str, tmp_path: Path) -> None:
    result = run_crawl("vecher", vecher_mirror, tmp_path / "news.db")
    assert result.returncode == 0
    ledger = rows(tmp_path / "news.db", "SELECT * FROM crawl_runs")
    assert len(ledger) == 1
    run = ledger[0]
    assert (run["spider"], run["status"], run["finish_reason"]) == ("vecher", "ok", "finished")
    assert run["new"] == 36 and run["fetched"] > 36 and run["discovered"] > 36
    assert run["finished_at"] >= run["started_at"]
    assert '"NotAnArticle": 1' in run["dropped"]
