"""Each pipeline stage on its own, and what happens to each kind of bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from sqlite_utils import Database

from crawler.items import PageItem
from pipelines.clean import CleanPipeline
from pipelines.derived import decompress_html
from pipelines.drops import EmptyText, NotAnArticle, TooShort, Undecodable
from pipelines.extract_stage import ExtractPipeline
from pipelines.store import ArticleStore, StorePipeline

ARTICLE = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>{title}</title>{meta}</head><body><nav><a href="/">Главная</a></nav>
<h1>{title}</h1><div class="byline">{byline}</div><article>{body}</article></body></html>"""
BODY = (
    "".join(
        f"<p>Абзац номер {n}: в Алматы продолжается ремонт дорог, работы ведутся круглосуточно, "
        f"и горожан просят выбирать объездные маршруты.</p>"
        for n in range(1, 6)
    )
    + "<p>Хочешь получать главные новости на свой телефон? Подпишись на наш Telegram-канал!</p>"
)


def page(title: str = "Ремонт дорог в Алматы", meta: str = '<meta property="og:type" content="article">',
         byline: str = "12:30, 08 сентября 2023", body: str = BODY) -> str:  # fmt: skip
    return ARTICLE.format(title=title, meta=meta, byline=byline, body=body)


def item(html: str, url: str = "https://vecher.kz/ru/article/remont.html") -> PageItem:
    return PageItem(fetched_url=url, html=html, outlet="vecher_kz", fetched_at="2026-11-25T12:00:00+00:00")


def run_stages(page_item: PageItem) -> tuple[PageItem, dict[str, Any]]:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    extract = ExtractPipeline.from_crawler(crawler)
    clean = CleanPipeline.from_crawler(crawler)
    result = clean.process_item(asyncio.run(extract.process_item(page_item)))
    return result, crawler.stats.get_stats()  # type: ignore[union-attr]


def test_a_good_page_goes_through_extract_and_clean() -> None:
    result, _ = run_stages(item(page()))
    assert result.title == "Ремонт дорог в Алматы"
    assert result.published == "2023-09-08T12:30:00+06:00"
    assert result.text is not None and result.text.count("\n") == 4
    assert "Telegram" not in result.text
    assert [r["rule"] for r in result.removals] == ["vecher_telegram_footer"]
    assert result.problems == []


def test_a_page_that_declares_another_type_is_dropped_as_not_an_article() -> None:
    with pytest.raises(NotAnArticle, match="og:type"):
        run_stages(item(page(meta='<meta property="og:type" content="website">')))


def test_a_page_without_article_signals_and_little_text_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle, match="no article signals"):
        run_stages(item(page(meta="", byline="", body="<p>О газете «Вечерний Алматы».</p>")))


def test_a_javascript_app_shell_is_dropped_as_empty() -> None:
    shell = '<div id="app"></div><script>window.__APP__ = {"title": "x"};</script>'
    with pytest.raises(EmptyText, match="no text left"):
        run_stages(item(page(body=shell)))


def clean_only(raw_paragraphs: list[str]) -> PageItem:
    page_item = item("")
    page_item.raw_paragraphs = raw_paragraphs
    crawler = get_crawler(settings_dict={})
    result: PageItem = CleanPipeline.from_crawler(crawler).process_item(page_item)
    return result


def test_text_that_is_only_boilerplate_is_dropped_as_empty() -> None:
    with pytest.raises(EmptyText, match="no text left"):
        clean_only(["Читайте также: Другая новость дня о погоде", "Реклама", "Фото: МВД РК"])


def test_a_one_sentence_stub_is_dropped_as_too_short() -> None:
    with pytest.raises(TooShort, match="characters"):
        clean_only(["Подробности позже.", "Реклама"])


def test_an_empty_document_is_dropped_as_empty() -> None:
    with pytest.raises(EmptyText, match="empty page"):
        run_stages(item("   "))


def test_a_page_decoded_with_the_wrong_charset_is_dropped_as_undecodable() -> None:
    mojibake = page().encode("utf-8").decode("utf-8", errors="replace")
    broken = mojibake.encode("cp1251", errors="replace").decode("utf-8", errors="replace")
    with pytest.raises(Undecodable):
        run_stages(item(broken))


def test_a_page_whose_date_cannot_be_parsed_is_stored_with_no_date_and_counted() -> None:
    result, _ = run_stages(item(page(byline="на прошлой неделе")))
    assert result.published is None
    assert result.problems == ["no_date"]  # the store counts it as news/field_empty/no_date


def test_a_future_date_is_refused_and_counted() -> None:
    meta = '<meta property="og:type" content="article"><meta property="article:published_time" content="2031-01-01T10:00:00+05:00">'
    result, _ = run_stages(item(page(meta=meta, byline="")))
    assert result.published is None
    assert result.problems == ["future_date"]


def test_the_feed_date_fills_in_when_the_page_has_none() -> None:
    page_item = item(page(byline=""))
    page_item.feed_published = "2024-05-02T09:00:00+05:00"
    result, _ = run_stages(page_item)
    assert (result.published, result.date_source) == ("2024-05-02T09:00:00+05:00", "feed")


def test_store_writes_all_or_nothing_and_updates_in_place(fresh_db: Database) -> None:
    store = ArticleStore(fresh_db)
    result, _ = run_stages(item(page()))
    record = {**result.__dict__}
    article_id, outcome = store.save(record, result.html, "utf-8")
    assert outcome == "new"
    row = fresh_db["articles"].get(article_id)
    assert json.loads(row["authors"]) == [] and row["outlet"] == "vecher_kz"
    assert decompress_html(fresh_db["pages"].get(article_id)["html_zlib"]) == result.html
    assert [r["rule"] for r in fresh_db["removals"].rows] == ["vecher_telegram_footer"]
    record["title"] = "Ремонт дорог в Алматы завершен"
    assert store.save(record, result.html) == (article_id, "updated")
    assert fresh_db["articles"].count == 1 and fresh_db["removals"].count == 1
    with pytest.raises(ValueError, match="needs url"):
        store.save({**record, "url": None, "fetched_url": None})
    # A failing write leaves nothing behind: a citation that violates NOT NULL aborts the whole save.
    bad = {**record, "url": "https://vecher.kz/ru/article/other.html", "fetched_url": "https://vecher.kz/x",
           "citations": [{"position": 1, "source_name": None, "relation": "cites", "method": "phrase"}]}  # fmt: skip
    with pytest.raises(Exception, match="NOT NULL"):
        store.save(bad, result.html)
    assert fresh_db["articles"].count == 1 and fresh_db["pages"].count == 1


def test_store_pipeline_reads_its_path_setting(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "news.db"
    crawler = get_crawler(settings_dict={"NEWSDB_PATH": str(path)})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.close_spider()
    db = Database(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "articles" in db.table_names()
