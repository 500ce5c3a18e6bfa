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


def test_a_run_cut_short_by_a_user_limit_is_not_a_failure(vecher_mirror: str, tmp_path: Path) -> None:
    result = run_crawl("vecher", vecher_mirror, tmp_path / "news.db", "CLOSESPIDER_ITEMCOUNT=5")
    assert result.returncode == 0, result.stderr[-2000:]
    run = rows(tmp_path / "news.db", "SELECT status, finish_reason, new FROM crawl_runs")[0]
    assert (run["status"], run["finish_reason"]) == ("ok", "closespider_itemcount")
    assert 5 <= run["new"] < 36  # requests in flight when the limit struck still finish
    # Nor is it a whole run: it keeps no HTTP validators (a 304 next time would skip the links of
    # pages it may not have followed), and the next run does not stop pagination early.
    assert rows(tmp_path / "news.db", "SELECT count(*) AS n FROM http_validators")[0]["n"] == 0
    again = run_crawl("vecher", vecher_mirror, tmp_path / "news.db")
    assert again.returncode == 0 and "news/pagination_stopped" not in again.stderr
    assert rows(tmp_path / "news.db", "SELECT count(*) AS n FROM articles")[0]["n"] == 36
    assert rows(tmp_path / "news.db", "SELECT count(*) AS n FROM http_validators")[0]["n"] > 0


def test_which_finish_reasons_fail_a_run(tmp_path: Path) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.ledger import RunLedger

    ledger = RunLedger(get_crawler(settings_dict={}), tmp_path / "news.db")
    stored = {"downloader/response_count": 10, "news/article_pages": 5, "news/stored/new": 5}
    for reason in ("finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"):
        assert ledger.verdict(reason, stored) == "ok", reason
    for reason in ("closespider_errorcount", "shutdown", "cancelled", "storage_failed"):
        assert ledger.verdict(reason, stored) == "failed", reason
