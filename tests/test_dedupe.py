"""One article, one row: in-run duplicates dropped with a reason; republications linked as the same
story (MinHash LSH) with which came first; an old database upgraded in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.items import PageItem
from pipelines.dedupe import DedupePipeline, content_hash, link_near_duplicates, signature, similarity
from pipelines.drops import DuplicateArticle
from pipelines.schema import MIGRATIONS, open_database
from pipelines.store import ArticleStore

STORY = [
    "В Алматы с понедельника меняется схема движения на проспекте Абая между Досмухамедова и Наурызбай батыра.",
    "Как сообщили в управлении городской мобильности, работы продлятся до конца октября.",
    "Общественный транспорт пойдет по временным маршрутам, остановки перенесут на соседние улицы.",
    "Водителей просят заранее выбирать объезды и следить за временными знаками на дорогах города.",
    "Жителей близлежащих домов предупредили о шуме в ночное время, когда будут укладывать асфальт.",
]


def record(
    url: str, text: list[str], outlet: str, published: str, title: str = "Схема движения"
) -> dict[str, Any]:
    return {"url": url, "fetched_url": url, "outlet": outlet, "title": title, "text": "\n".join(text),
            "published": published, "fetched_at": "2026-11-25T10:00:00+00:00"}  # fmt: skip


def dedupe_item(url: str, text: str = "Текст статьи.", canonical: str | None = None) -> PageItem:
    page = PageItem(fetched_url=url, html="", outlet="vecher_kz", fetched_at="2026-11-25T10:00:00+00:00")
    page.url, page.title, page.text = canonical or url, "Заголовок", text
    return page


def test_the_second_copy_in_a_run_is_dropped_with_a_reason() -> None:
    pipeline = DedupePipeline.from_crawler(get_crawler(settings_dict={}))
    pipeline.process_item(dedupe_item("https://vecher.kz/ru/article/a.html"))
    with pytest.raises(DuplicateArticle, match="same article URL"):
        pipeline.process_item(
            dedupe_item("https://www.vecher.kz/ru/article/a.html?utm_source=tg", "Другой текст.")
        )
    with pytest.raises(DuplicateArticle, match="same text"):
        pipeline.process_item(dedupe_item("https://vecher.kz/ru/article/copy.html"))
    pipeline.process_item(dedupe_item("https://vecher.kz/ru/article/b.html", "Совсем другая статья."))


def test_a_republication_is_linked_not_dropped(fresh_db: Database) -> None:
    store = ArticleStore(fresh_db)
    original, _ = store.save(
        record("https://www.inform.kz/ru/a-1a2b3c4d", STORY, "kazinform", "2024-05-02T09:00:00+05:00")
    )
    copy_text = [*STORY[:3], "Водителей просят заранее выбирать пути объезда.", STORY[4]]
    copy, outcome = store.save(
        record("https://vecher.kz/ru/article/a.html", copy_text, "vecher_kz", "2024-05-02T13:00:00+05:00")
    )
    assert outcome == "new" and fresh_db["articles"].count == 2
    links = list(fresh_db["similar_articles"].rows)
    assert {(link["article_id"], link["similar_id"]) for link in links} == {
        (original, copy),
        (copy, original),
    }
    assert {link["first_id"] for link in links} == {original}
    assert all(0.5 <= link["similarity"] <= 1 for link in links)


def test_different_stories_are_not_linked(fresh_db: Database) -> None:
    store = ArticleStore(fresh_db)
    store.save(record("https://vecher.kz/ru/article/a.html", STORY, "vecher_kz", "2024-05-02T09:00:00+05:00"))
    other = [
        f"Совершенно другая новость номер {n}: в Астане прошел турнир по шахматам среди школьников."
        for n in range(5)
    ]
    store.save(record("https://vecher.kz/ru/article/b.html", other, "vecher_kz", "2024-05-02T10:00:00+05:00"))
    assert fresh_db["similar_articles"].count == 0


def test_short_texts_get_no_signature_and_no_links(fresh_db: Database) -> None:
    assert signature("Коротко.") is None
    assert link_near_duplicates(fresh_db, 1, "Коротко.", None) == 0


def test_signatures_are_stable_across_processes() -> None:
    # Stored signatures are compared with new ones in later runs: no per-process salt allowed.
    a, b = signature("\n".join(STORY)), signature("\n".join(STORY))
    assert a is not None and b is not None and similarity(a, b) == 1.0
    assert a[:4].tolist() == signature("\n".join(STORY))[:4].tolist()  # type: ignore[index]


def test_the_minhash_is_datasketchs_value_for_value() -> None:
    """Signatures written by earlier versions (computed with datasketch's MinHash) stay comparable."""
    import random
    import zlib

    import numpy as np
    from datasketch import MinHash

    from pipelines.dedupe import NUM_PERM, SEED, minhash, shingles

    rng = random.Random(7)
    vocabulary = [*"\n".join(STORY).split(), "ё", "Ёлка", "2024", "—"]
    for size in (3, 10, 100, 1000):
        grams = list(shingles(" ".join(rng.choice(vocabulary) for _ in range(size))))
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32)
        reference.update_batch(grams)
        assert np.array_equal(minhash(grams), np.asarray(reference.hashvalues, dtype=np.uint64)), size


def test_an_old_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    MIGRATIONS[0][1](old)  # a file from the first version: articles, pages, removals only
    old.execute("INSERT INTO _migrations VALUES ('001_articles', '2026-01-01')")
    old["articles"].insert({"url": "https://www.vecher.kz/ru/article/a.html?utm_source=x", "fetched_url": "u",
                            "title": "T", "text": "Текст", "fetched_at": "2026-01-01", "first_seen": "2026-01-01"})  # fmt: skip
    old.close()
    db = open_database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    row = db["articles"].get(1)
    assert row["title"] == "T" and row["url_key"] == "vecher.kz/ru/article/a.html"
    assert row["last_seen"] == "2026-01-01" and row["content_hash"]
    # Old rows are in the full-text index too.
    assert [
        r["rowid"] for r in db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Текст'")
    ] == [1]


def test_derived_values_from_a_worker_are_used_only_while_they_match(fresh_db: Database) -> None:
    """The extraction worker computes the store's derived values (pipelines.derived); a stage that
    changed the text afterwards makes them stale, and the store derives them again."""
    from pipelines.derived import decompress_html, derive

    store = ArticleStore(fresh_db)
    page = "<html><body><p>" + "\n".join(STORY) + "</p></body></html>"
    fresh = record("https://vecher.kz/ru/article/a.html", STORY, "vecher_kz", "2024-05-02T09:00:00+05:00")
    article_id, _ = store.save(fresh, page, "utf-8", derived=derive(fresh, page))
    stored = fresh_db.execute("SELECT signature FROM minhashes WHERE article_id = ?", [article_id]).fetchone()
    assert stored[0] == signature(fresh["text"]).tobytes()
    assert decompress_html(fresh_db["pages"].get(article_id)["html_zlib"]) == page

    # Derived for the text as it was, then the text changed (a later stage cut a paragraph).
    edited = record("https://vecher.kz/ru/article/b.html", STORY, "vecher_kz", "2024-05-02T09:00:00+05:00")
    stale = derive(edited, page)
    edited["text"] = "\n".join(STORY[1:])
    other_id, _ = store.save(edited, page, "utf-8", derived=stale)
    row = fresh_db.execute("SELECT content_hash FROM articles WHERE id = ?", [other_id]).fetchone()
    assert row[0] == content_hash(edited["title"], edited["text"]) != stale["content_hash"]
    stored = fresh_db.execute("SELECT signature FROM minhashes WHERE article_id = ?", [other_id]).fetchone()
    assert stored[0] == signature(edited["text"]).tobytes() != stale["signature"]
