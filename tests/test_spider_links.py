"""How the spider reads a page's ``<link>`` tags: an article page by a regular expression over its
head (no HTML parse), any other page by parsing; both must find the same feeds and next pages."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.spiders.news import NewsSpider

HEAD = """<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Статья</title>
<LINK REL="alternate" TYPE="application/rss+xml" HREF="/rss.xml?a=1&amp;b=2">
<link href='/ru/article/next-part.html' rel='next'>
<link rel=canonical href=https://vecher.kz/ru/article/a.html>
<link rel="stylesheet" href="/static/site.css" />
</head><body>
<p>Текст <link rel="alternate" type="application/atom+xml" href="/body-feed.xml"> статьи.</p>
</body></html>"""


def response(body: str) -> HtmlResponse:
    return HtmlResponse("https://vecher.kz/ru/article/a.html", body=body.encode(), encoding="utf-8")


def test_an_article_page_link_tags_come_from_its_head_without_parsing() -> None:
    tags = list(NewsSpider.link_tags(response(HEAD), from_article=True))
    assert tags == [
        {"rel": "alternate", "type": "application/rss+xml", "href": "/rss.xml?a=1&b=2"},
        {"href": "/ru/article/next-part.html", "rel": "next"},
        {"rel": "canonical", "href": "https://vecher.kz/ru/article/a.html"},
        {"rel": "stylesheet", "href": "/static/site.css"},
    ]  # the <link> inside the body is not read: an article's feeds are named in its head


def test_other_pages_are_parsed_and_agree_on_the_head() -> None:
    parsed = list(NewsSpider.link_tags(response(HEAD), from_article=False))
    assert parsed[:4] == list(NewsSpider.link_tags(response(HEAD), from_article=True))


def test_a_page_without_a_head_end_is_read_whole() -> None:
    body = '<html><link rel="alternate" type="application/rss+xml" href="/feed"><p>Текст</p>'
    assert list(NewsSpider.link_tags(response(body), from_article=True)) == [
        {"rel": "alternate", "type": "application/rss+xml", "href": "/feed"}
    ]
