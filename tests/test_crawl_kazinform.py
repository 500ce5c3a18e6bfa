"""End to end: ``scrapy crawl kazinform`` against its mirror (Russian and Kazakh editions under one
base URL), then ``scrapy crawl vecher`` into the same database: the republications resolve."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import MIRRORS, ROOT, ground_truth, non_articles, rows, run_crawl

SEED = (ROOT / "tests" / "data" / "vecher-kz-seed-article.txt").read_text("utf-8").splitlines()
STORIES = json.loads((MIRRORS / "stories" / "republished.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def both(
    kazinform_mirror: str, vecher_mirror: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("both") / "news.db"
    first = run_crawl("kazinform", kazinform_mirror, db)
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_crawl("vecher", vecher_mirror, db)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "kazinform": kazinform_mirror, "vecher": vecher_mirror, "log": first.stderr}


def test_kazinform_articles_of_both_editions_are_stored_once(both: dict[str, Any]) -> None:
    stored = {
        row["fetched_url"].removeprefix(both["kazinform"]): row
        for row in rows(both["db"], "SELECT * FROM articles WHERE outlet = 'kazinform'")
    }
    truth = {article["path"]: article for article in ground_truth("kazinform")}
    assert set(stored) == set(truth)
    assert not set(non_articles("kazinform")) & set(stored)
    assert {row["lang"] for row in stored.values()} == {"ru", "kk"}
    wrong = {
        path: field
        for path, article in truth.items()
        for field in ("title", "published", "section", "lang")
        if stored[path][field] != article[field]
    }
    assert wrong == {}
    assert "Spider error" not in both["log"] and "Traceback" not in both["log"]


def test_the_seed_chain_is_vecher_kazinform_khabar(both: dict[str, Any]) -> None:
    seed = rows(both["db"], "SELECT id FROM articles WHERE title = ?", (SEED[0],))
    assert len(seed) == 1
    chain = rows(
        both["db"],
        "SELECT position, source, cited_by, relation, evidence FROM citations WHERE article_id = ? ORDER BY position",
        (seed[0]["id"],),
    )
    assert [(c["source"], c["cited_by"], c["relation"]) for c in chain] == [
        ("kazinform", "vecher_kz", "cites"),
        ("khabar", "kazinform", "interview"),
    ]
    assert "со ссыылкой на МИА «Казинформ»" in chain[0]["evidence"]
    view = rows(both["db"], "SELECT chain FROM article_chains WHERE article_id = ?", (seed[0]["id"],))
    assert view[0]["chain"] == "vecher_kz → kazinform (cites) → khabar (interview)"


def test_every_republication_resolves_to_its_kazinform_original(both: dict[str, Any]) -> None:
    found = rows(
        both["db"],
        """SELECT a.fetched_url AS copy, o.fetched_url AS original FROM citations c
           JOIN articles a ON a.id = c.article_id LEFT JOIN articles o ON o.id = c.resolved_article_id
           WHERE a.outlet = 'vecher_kz' AND c.source = 'kazinform' AND c.cited_by = 'vecher_kz'""",
    )
    pairs = {row["copy"].removeprefix(both["vecher"]): row["original"] for row in found}
    expected = {
        "/ru/article/" + story["vecher"]["slug"]: both["kazinform"] + "/ru/" + story["kazinform"]["slug"]
        for story in STORIES
    }
    assert pairs == expected


def test_no_citation_resolves_to_an_unrelated_article(both: dict[str, Any]) -> None:
    resolved = rows(both["db"], "SELECT count(*) AS n FROM citations WHERE resolved_article_id IS NOT NULL")
    assert resolved[0]["n"] == len(STORIES)


def test_republications_are_linked_as_the_same_story_with_the_original_first(both: dict[str, Any]) -> None:
    links = rows(
        both["db"],
        """SELECT a.fetched_url AS copy, o.fetched_url AS original, f.outlet AS first FROM similar_articles s
           JOIN articles a ON a.id = s.article_id JOIN articles o ON o.id = s.similar_id
           JOIN articles f ON f.id = s.first_id WHERE a.outlet = 'vecher_kz' AND o.outlet = 'kazinform'""",
    )
    found = {
        (row["copy"].removeprefix(both["vecher"]), row["original"].removeprefix(both["kazinform"]))
        for row in links
    }
    expected = {("/ru/article/" + s["vecher"]["slug"], "/ru/" + s["kazinform"]["slug"]) for s in STORIES}
    assert found == expected
    assert {row["first"] for row in links} == {"kazinform"}
