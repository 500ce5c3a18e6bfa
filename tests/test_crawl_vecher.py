"""End to end: ``scrapy crawl vecher -a base_url=...`` against the served mirror, rows checked
against the mirror's ground truth (mirror/vecher/_articles.json)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT, ground_truth, non_articles, rows, run_crawl

SEED = (ROOT / "tests" / "data" / "vecher-kz-seed-article.txt").read_text("utf-8").splitlines()


@pytest.fixture(scope="module")
def crawled(vecher_mirror: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("crawl") / "news.db"
    result = run_crawl("vecher", vecher_mirror, db)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": db, "log": result.stderr, "base": vecher_mirror}


def by_path(crawled: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = rows(crawled["db"], "SELECT * FROM articles")
    return {row["fetched_url"].removeprefix(crawled["base"]): row for row in found}


def test_every_article_is_stored_once_and_nothing_else(crawled: dict[str, Any]) -> None:
    stored = by_path(crawled)
    expected = {article["path"] for article in ground_truth("vecher")}
    assert set(stored) == expected
    urls = [row["url"] for row in rows(crawled["db"], "SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    assert not set(non_articles("vecher")) & set(stored)


@pytest.mark.parametrize("field", ["title", "published", "modified", "section", "lang", "image_url"])
def test_fields_match_the_ground_truth(crawled: dict[str, Any], field: str) -> None:
    stored = by_path(crawled)
    wrong = {
        article["path"]: (stored[article["path"]][field], article[field])
        for article in ground_truth("vecher")
        if stored[article["path"]][field] != expected_value(article, field, crawled["base"])
    }
    assert wrong == {}


@pytest.mark.parametrize("field", ["authors", "tags"])
def test_lists_match_the_ground_truth(crawled: dict[str, Any], field: str) -> None:
    stored = by_path(crawled)
    wrong = {
        article["path"]: (json.loads(stored[article["path"]][field]), article[field])
        for article in ground_truth("vecher")
        if json.loads(stored[article["path"]][field]) != article[field]
    }
    assert wrong == {}


def test_text_is_exactly_the_paragraphs_a_reader_sees(crawled: dict[str, Any]) -> None:
    stored = by_path(crawled)
    wrong = {}
    for article in ground_truth("vecher"):
        row = stored[article["path"]]
        if row["text"] != "\n".join(article["paragraphs"]) or row["lead"] != article["lead"]:
            wrong[article["path"]] = row["text"]
    assert wrong == {}


def test_the_seed_article_is_stored_as_written(crawled: dict[str, Any]) -> None:
    found = rows(crawled["db"], "SELECT * FROM articles WHERE title = ?", (SEED[0],))
    assert len(found) == 1
    assert found[0]["text"] == "\n".join(SEED[1:-1])
    assert "Telegram" not in found[0]["text"]
    removed = rows(crawled["db"], "SELECT rule, text FROM removals WHERE article_id = ?", (found[0]["id"],))
    assert {"rule": "vecher_telegram_footer", "text": SEED[-1]} in removed


def test_raw_pages_are_kept_compressed(crawled: dict[str, Any]) -> None:
    counts = rows(
        crawled["db"], "SELECT count(*) AS n FROM pages JOIN articles ON articles.id = pages.article_id"
    )
    assert counts[0]["n"] == len(ground_truth("vecher"))


def test_the_crawl_counts_and_logs_what_it_skipped(crawled: dict[str, Any]) -> None:
    log = crawled["log"]
    assert "'item_dropped_reasons_count/NotAnArticle': 1" in log
    assert "page declares og:type other than article" in log
    assert "Spider error" not in log and "Traceback" not in log


def test_a_second_crawl_updates_rows_instead_of_adding(crawled: dict[str, Any], vecher_mirror: str) -> None:
    before = rows(crawled["db"], "SELECT id, url, first_seen FROM articles ORDER BY id")
    result = run_crawl("vecher", vecher_mirror, crawled["db"])
    assert result.returncode == 0
    after = rows(crawled["db"], "SELECT id, url, first_seen FROM articles ORDER BY id")
    assert after == before


def expected_value(article: dict[str, Any], field: str, base: str) -> Any:
    value = article[field]
    return value.replace("__BASE__", base) if isinstance(value, str) else value


def test_a_crawl_with_extraction_workers_stores_exactly_the_same(
    crawled: dict[str, Any], vecher_mirror: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """EXTRACT_WORKERS moves extraction, cleaning, provenance and the store's derived values into
    worker processes; what lands in the database must not depend on where they ran."""
    from pipelines.derived import decompress_html

    db = tmp_path_factory.mktemp("workers") / "news.db"
    result = run_crawl("vecher", vecher_mirror, db, "EXTRACT_WORKERS=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "extraction runs in 2 worker processes" in result.stderr
    # Ids follow the order pages finished in, which differs: rows are compared by URL.
    queries = [
        "SELECT url, fetched_url, outlet, title, lead, text, published, modified, authors, tags, section, "
        "lang, image_url, date_source, url_key, content_hash FROM articles ORDER BY url",
        "SELECT a.url, r.position, r.rule, r.text FROM removals r JOIN articles a ON a.id = r.article_id "
        "ORDER BY a.url, r.position, r.rule",
        "SELECT a.url, c.position, c.source, c.source_name, c.cited_by, c.relation, c.evidence, c.method, "
        "c.cited_url, o.url AS original FROM citations c JOIN articles a ON a.id = c.article_id "
        "LEFT JOIN articles o ON o.id = c.resolved_article_id ORDER BY a.url, c.position",
        "SELECT a.url, m.signature FROM minhashes m JOIN articles a ON a.id = m.article_id ORDER BY a.url",
        "SELECT a.url, s.similarity FROM similar_articles s JOIN articles a ON a.id = s.article_id "
        "ORDER BY a.url, s.similarity",
    ]
    for query in queries:
        assert rows(db, query) == rows(crawled["db"], query), query
    pages = "SELECT a.url, p.html_zlib FROM pages p JOIN articles a ON a.id = p.article_id ORDER BY a.url"
    assert [(r["url"], decompress_html(r["html_zlib"])) for r in rows(db, pages)] == [
        (r["url"], decompress_html(r["html_zlib"])) for r in rows(crawled["db"], pages)
    ]
