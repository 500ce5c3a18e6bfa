"""URL keys: every variant of an article's address gives the same key; different pages do not."""

from __future__ import annotations

import pytest

from pipelines.urls import url_key

ARTICLE = "vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html"


@pytest.mark.parametrize(
    "variant",
    [
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "http://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "HTTPS://VECHER.KZ/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "https://www.vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "https://m.vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html/",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html#comments",
        "https://vecher.kz:443/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html?utm_source=telegram&utm_medium=social",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html?fbclid=IwAR0abc",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html?gclid=x&yclid=y&ysclid=z",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html?amp=1",
        "https://vecher.kz/amp/ru/article/situatsiya-seychas-ochen-sereznaya.html",
        "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.amp.html",
        "  https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html  ",
    ],
)
def test_variants_of_one_article_share_a_key(variant: str) -> None:
    assert url_key(variant) == ARTICLE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.inform.kz/ru/x-1a2b3c4d", "https://inform.kz/ru/x-1a2b3c4d/amp"),
        ("https://www.inform.kz/ru/lenta?page=2&utm_campaign=x", "https://inform.kz/ru/lenta?page=2"),
        ("https://kaz.inform.kz/news/x-1a2b3c/", "https://kaz.inform.kz/news/x-1a2b3c"),
        ("https://site.kz/a?b=2&a=1", "https://site.kz/a?a=1&b=2"),
        ("https://site.kz/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8", "https://site.kz/новости"),
    ],
)
def test_equivalent_urls(a: str, b: str) -> None:
    assert url_key(a) == url_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.inform.kz/ru/lenta?page=2", "https://www.inform.kz/ru/lenta?page=3"),
        ("https://www.inform.kz/ru/x-1a2b3c4d", "https://kaz.inform.kz/ru/x-1a2b3c4d"),
        ("https://vecher.kz/ru/article/a.html", "https://vecher.kz/ru/article/b.html"),
        ("http://127.0.0.1:8000/ru/a.html", "http://127.0.0.1:8001/ru/a.html"),
        ("https://site.kz/news?id=1", "https://site.kz/news?id=2"),
    ],
)
def test_different_pages_keep_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


def test_the_key_of_an_empty_or_odd_url_is_a_string() -> None:
    assert url_key("") == ""
    assert isinstance(url_key("not a url at all"), str)
    assert isinstance(url_key("https://[::1"), str)
