"""The provenance stage: phrases and page structure together, the command line, and resolution to
originals whichever site is crawled first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipelines import article_from_html
from tests.conftest import MIRRORS, ROOT, rows, run_crawl

STORIES = json.loads((MIRRORS / "stories" / "republished.json").read_text("utf-8"))
BODY = " ".join(["Текст новости о ремонте дорог в Алматы, работы идут круглосуточно."] * 3)


def page(body: str, head: str = "") -> str:
    return (
        '<html lang="ru"><head><meta property="og:type" content="article"><title>Ремонт</title>'
        f'{head}</head><body><h1>Ремонт дорог</h1><div class="date">10:00, 02 мая 2024</div>'
        f"<article>{body}</article></body></html>"
    )


def test_the_command_line_prints_the_citations_as_json() -> None:
    text = "В Алматы выпал снег, сообщает Vecher.kz со ссылкой на МИА «Казинформ»."
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.provenance", "--publisher", "vecher.kz"],
        input=text, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    citations = json.loads(result.stdout)["citations"]
    assert [(c["source"], c["name"], c["cited_by"], c["relation"]) for c in citations] == [
        ("kazinform", "Kazinform", "vecher_kz", "cites")
    ]
    assert set(citations[0]) >= {"position", "source", "source_name", "name", "cited_by", "relation",
                                 "evidence", "method", "confidence", "cited_url", "resolved_article_id"}  # fmt: skip
    assert result.stderr == ""


def test_a_body_link_to_another_outlet_confirms_the_phrase_and_adds_its_url() -> None:
    body = (f"<p>{BODY}</p><p>Об этом пишет <a href='https://tengrinews.kz/kazakhstan_news/remont-123/'>"
            "Tengrinews.kz</a>, ссылаясь на акимат.</p>")  # fmt: skip
    record = article_from_html(page(body), "https://vecher.kz/ru/article/remont.html")
    tengri = [c for c in record["citations"] if c["source"] == "tengrinews"]
    assert len(tengri) == 1
    assert tengri[0]["cited_url"] == "https://tengrinews.kz/kazakhstan_news/remont-123/"


def test_original_article_links_canonical_and_json_ld_are_structural_citations() -> None:
    body = f"<p>{BODY}</p><p style='display:none'>Оригинал статьи: <a href='https://www.zakon.kz/6412345-remont.html'>zakon.kz</a></p>"
    head = ('<link rel="canonical" href="https://www.inform.kz/ru/remont-dorog-1a2b3c4d">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "isBasedOn": "https://orda.kz/remont-77/"}</script>')  # fmt: skip
    record = article_from_html(page(body, head), "https://vecher.kz/ru/article/remont.html")
    by_method = {c["method"]: c for c in record["citations"]}
    assert by_method["canonical"]["source"] == "kazinform"
    assert by_method["canonical"]["cited_url"] == "https://www.inform.kz/ru/remont-dorog-1a2b3c4d"
    assert by_method["jsonld"]["source"] == "orda_kz"
    assert by_method["source_link"]["source"] == "zakon_kz"
    assert all(c["cited_by"] == "vecher_kz" for c in record["citations"])
    assert record["url"] == "https://vecher.kz/ru/article/remont.html"  # another site's canonical is not ours


def test_links_to_the_outlets_own_pages_and_unknown_sites_are_not_citations() -> None:
    body = (f"<p>{BODY} <a href='https://vecher.kz/ru/article/other.html'>ранее</a> и "
            "<a href='https://example.org/x'>тут</a>.</p>")  # fmt: skip
    record = article_from_html(page(body), "https://vecher.kz/ru/article/remont.html")
    assert record["citations"] == []


def test_republications_resolve_when_the_copy_is_crawled_before_the_original(
    vecher_mirror: str, kazinform_mirror: str, tmp_path: Path
) -> None:
    db = tmp_path / "news.db"
    assert run_crawl("vecher", vecher_mirror, db).returncode == 0
    waiting = rows(
        db, "SELECT count(*) AS n FROM citations WHERE source = 'kazinform' AND resolved_article_id IS NULL"
    )
    assert waiting[0]["n"] >= len(STORIES)
    assert run_crawl("kazinform", kazinform_mirror, db).returncode == 0
    resolved = rows(
        db,
        """SELECT a.fetched_url AS copy, o.fetched_url AS original FROM citations c
           JOIN articles a ON a.id = c.article_id JOIN articles o ON o.id = c.resolved_article_id
           WHERE c.source = 'kazinform' AND a.outlet = 'vecher_kz'""",
    )
    assert {r["copy"].removeprefix(vecher_mirror) for r in resolved} == {
        "/ru/article/" + s["vecher"]["slug"] for s in STORIES
    }
    assert all(r["original"].startswith(kazinform_mirror + "/ru/") for r in resolved)
    ledger = rows(db, "SELECT spider, citations_resolved FROM crawl_runs ORDER BY id")
    assert [(r["spider"], r["citations_resolved"]) for r in ledger] == [
        ("vecher", 0),
        ("kazinform", len(STORIES)),
    ]
