"""The zoo: a test site of bad input, served on 127.0.0.1, posing as Vecher.kz.

    python -m mirror.zoo [--port 0] [--robots normal] [--slow-seconds 40] [--list-huge-sitemap]

prints the base URL (``http://127.0.0.1:PORT``) on its first line and serves until killed;
``serve_zoo()`` does the same in a daemon thread for tests. Every page is either an article
candidate at ``/ru/article/<slug>.html`` (the real site's pattern, so ``scrapy crawl vecher -a
base_url=<zoo>`` hands it to the pipelines) or a discovery page, and each shows the crawler one kind
of broken page or server behaviour. The tables below say what each path serves and the outcome a
correct crawler SHOULD give; :data:`PAGES` holds the same rows as data (``tests/test_zoo_server.py``
checks that the two agree), :data:`STORIES` the text of every article (title, paragraphs, the
``published`` a correct crawler stores). The home page ``/`` (and ``/ru``) links every row marked
linked in :data:`PAGES`, so a crawl from ``/`` reaches them all; ``/sitemap.xml`` lists the article
candidates among them.

Discovery:

| path | serves | expected outcome |
|---|---|---|
| `/robots.txt` | chosen by ``robots=`` (below); "normal" disallows one article and names the sitemaps | followed, not stored |
| `/` | home page: links to every zoo page, og:type website | followed, not stored |
| `/ru` | the same home page | followed, not stored |
| `/sitemap.xml` | valid urlset of the article candidates, with lastmod | followed, not stored |
| `/sitemap_index.xml` | sitemapindex: /sitemap.xml, the .gz sitemap, a missing one | followed, not stored |
| `/sitemaps/articles.xml.gz` | gzip file (application/x-gzip, no Content-Encoding) naming 3 articles | followed, not stored |
| `/sitemaps/bomb.xml.gz` | gzip file of 1 GiB of zeros (1 MB sent), no Content-Encoding | skipped: gzipped sitemap over DOWNLOAD_MAXSIZE |
| `/sitemaps/entity-bomb.xml` | "billion laughs": 10 levels of nested entities in every loc | skipped: bad sitemap (no entity expanded) |
| `/sitemaps/html.xml` | an HTML page (text/html) where a sitemap should be | skipped: not a sitemap |
| `/sitemaps/garbage.xml` | 4 KB of random bytes as application/xml | skipped: not a sitemap |
| `/sitemaps/bulk-100k.xml` | 100,000 locs of bulk-N pages, generated while sent (chunked, ~7 MB) | followed, not stored |
| `/sitemaps/missing.xml` | 404 (named by robots.txt and the sitemap index) | skipped: 404 |
| `/ru/article/bulk-N.html` | N = 1..100000: one sentence, no metadata (only via the 100k sitemap) | skipped: not an article (no signals) |
| `/feed` | valid RSS 2.0 naming two good articles | followed, not stored |
| `/rss` | an HTML page where a feed should be | skipped: not a feed |
| `/rss.xml` | random bytes as application/rss+xml | skipped: not a feed |
| `/ru/rss` | 404 | skipped: 404 |
| `/ru/article/zoo-control.html` | a well-formed UTF-8 article: the baseline | stored |
| `/ru/article/zoo-robots-disallowed.html` | an article that robots.txt ("normal") disallows | skipped: disallowed by robots.txt |

Charsets (each a Russian article with a visible byline date «10:15, 12 марта 2023», og:type article,
no machine-readable date, so a wrong decoding loses the date as well as the text):

| path | serves | expected outcome |
|---|---|---|
| `/ru/article/zoo-cp1251-meta.html` | windows-1251, declared only in ``<meta charset>`` | stored |
| `/ru/article/zoo-cp1251-header.html` | windows-1251, declared only in the Content-Type header | stored |
| `/ru/article/zoo-koi8r-meta.html` | KOI8-R, declared only in ``<meta http-equiv=Content-Type>`` | stored |
| `/ru/article/zoo-koi8r-header.html` | KOI8-R, declared only in the Content-Type header | stored |
| `/ru/article/zoo-cp1251-undeclared.html` | windows-1251, declared nowhere (must be detected) | stored |
| `/ru/article/zoo-cp1251-header-says-utf8.html` | header says UTF-8, bytes are windows-1251, no meta | stored |
| `/ru/article/zoo-cp1251-meta-header-says-utf8.html` | header says UTF-8, meta and bytes windows-1251 | stored |
| `/ru/article/zoo-utf8-bom.html` | UTF-8 with a BOM, declared nowhere | stored |
| `/ru/article/zoo-mixed-encodings.html` | UTF-8 page whose second paragraph is windows-1251 bytes | stored |

Broken documents:

| path | serves | expected outcome |
|---|---|---|
| `/ru/article/zoo-truncated.html` | HTML cut mid-sentence in the 4th paragraph, no closing tags | stored |
| `/ru/article/zoo-unclosed-tags.html` | no element closed except title and script | stored |
| `/ru/article/zoo-empty-body.html` | 200 with an empty body (Content-Length: 0) | skipped: empty page |
| `/ru/article/zoo-js-shell.html` | JavaScript app shell: og:type article, no text, ``<div id=app>`` | skipped: empty text |
| `/ru/article/zoo-no-title.html` | no title, og:title or h1 | stored with title empty |
| `/ru/article/zoo-no-date.html` | no date anywhere | stored with published empty |
| `/ru/article/zoo-impossible-date.html` | byline «17:00, 31 февраля 2023», no other date | stored with published empty |
| `/ru/article/zoo-future-date.html` | JSON-LD datePublished 2031 and a 2031 byline | stored with published empty |
| `/ru/article/zoo-too-short.html` | a dated og:type article of one sentence | skipped: text too short |
| `/ru/article/zoo-duplicate.html` | an article (canonical: itself) | stored |
| `/ru/article/zoo-duplicate.html?utm_source=x` | the same bytes under a tracking URL | skipped: duplicate of zoo-duplicate.html |
| `/ru/article/zoo-duplicate-copy.html` | the same bytes under another path (canonical: the original) | skipped: duplicate of zoo-duplicate.html |

Size and compression:

| path | serves | expected outcome |
|---|---|---|
| `/ru/article/zoo-huge.html` | a 12 MiB article, Content-Length declared, streamed | skipped: over DOWNLOAD_MAXSIZE |
| `/ru/article/zoo-huge-undeclared.html` | the same 12 MiB without Content-Length (ends when the connection closes) | skipped: over DOWNLOAD_MAXSIZE |
| `/ru/article/zoo-gzip-bomb.html` | Content-Encoding: gzip, 1 MB expanding to 1 GiB of zeros | skipped: decompressed over DOWNLOAD_MAXSIZE |
| `/ru/article/zoo-gzip-bomb-nested.html` | Content-Encoding: gzip, gzip; 2.5 KB -> 1 MB -> 1 GiB | skipped: decompressed over DOWNLOAD_MAXSIZE |
| `/ru/article/zoo-deflate-bomb.html` | Content-Encoding: deflate (zlib), 1 MB expanding to 1 GiB | skipped: decompressed over DOWNLOAD_MAXSIZE |

Navigation:

| path | serves | expected outcome |
|---|---|---|
| `/ru/article/zoo-redirect-loop-a.html` | 302 to loop-b.html, which answers 302 back to loop-a.html | skipped: redirect loop |
| `/ru/article/zoo-redirect-chain-1.html` | 301 to chain-2 ... chain-10, then to chain-end.html: 10 redirects | skipped: too many redirects |
| `/ru/article/zoo-redirect-chain-end.html` | the article at the end of the chain (linked from nowhere) | skipped: never reached (chain too long) |
| `/ru/article/zoo-redirect-ok.html` | one 301 to zoo-redirect-target.html | stored (as zoo-redirect-target.html) |
| `/ru/article/zoo-redirect-target.html` | the article behind the one redirect (linked from nowhere) | stored |
| `/ru/article/zoo-redirect-offsite.html` | 302 to http://example.invalid/ru/article/zoo-control.html | skipped: off-site redirect |
| `/ru/links.html` | links to other hosts, other ports and file:, ftp:, javascript:, data:, mailto:, tel: | followed, not stored |
| `/ru/article/zoo-offsite-only.html` | an article linked only as http://localhost:PORT/... and other ports | skipped: never fetched (other host) |
| `/ru/article/zoo-long-url-….html` | an article whose path is 3,000 characters long | skipped: URL over URLLENGTH_LIMIT |
| `/ru/article/новость-дня.html` | an article at a Cyrillic path (percent-encoded in links) | stored |
| `/calendar/YYYY/MM/` | a month archive linking the previous and next month, years 1..9999 | followed, not stored (trap: the crawl stays bounded) |
| `/ru/lenta?page=N&session=S` | a listing linking page N+1 with a new random session each time | followed, not stored (trap: pagination capped) |

Server behaviour (the n-th request counts per path, over the server's life: see ``/__reset``):

| path | serves | expected outcome |
|---|---|---|
| `/ru/article/zoo-404.html` | 404 Not Found | skipped: 404 |
| `/ru/article/zoo-410.html` | 410 Gone | skipped: 410 |
| `/ru/article/zoo-429.html` | 429 with Retry-After: 2 on the first request, then the article | retried then stored |
| `/ru/article/zoo-503.html` | 503 with Retry-After: 2 on the first request, then the article | retried then stored |
| `/ru/article/zoo-500-always.html` | 500 on every request | retried then counted |
| `/ru/article/zoo-500-twice.html` | 500 on the first two requests, then the article | retried then stored |
| `/ru/article/zoo-slow.html` | nothing for ``slow_seconds`` (default 40), then the article | retried then counted |
| `/ru/article/zoo-drip.html` | headers at once, then one byte every 0.5 s for ``slow_seconds``, then the rest | retried then counted |
| `/ru/article/zoo-reset.html` | headers and half the body, then a TCP reset (SO_LINGER 0) | retried then counted |

"retried then counted" means: retried RETRY_TIMES, then given up and counted in the stats (the
timeout rows assume the test sets DOWNLOAD_TIMEOUT below ``slow_seconds``). Every endpoint is
bounded: the largest bodies are 12 MiB (streamed) and 7 MB (generated), waits end after
``slow_seconds`` (at most 600) or as soon as the server closes, idle connections after 30 s.

``robots=`` chooses robots.txt (and, for one mode, every page):

| robots | robots.txt | expected crawl |
|---|---|---|
| "normal" | 200: disallows zoo-robots-disallowed.html, names the sitemaps | the outcomes above |
| "missing" | 404 | everything allowed (RFC 9309: 4xx means no rules) |
| "broken" | 200 with random bytes | everything allowed (no rule can be read) |
| "server_error" | 500 on every request | nothing but robots.txt fetched (RFC 9309: 5xx means disallow all) |
| "disallow_all" | ``User-agent: *`` / ``Disallow: /`` (and the Sitemap lines) | nothing but robots.txt fetched |
| "disallow_crawler" | ``Disallow: /`` for ``User-agent: kz-news-crawler`` only | nothing but robots.txt fetched |
| "forbidden_all" | 403, and every other page answers 403 too | everything allowed, every page skipped: 403, nothing stored |

Test control (never linked, never counted): ``GET /__stats`` returns JSON ``{"counts": {path:
requests}, "total": n, "requests": [...], "requests_dropped": n}``; a path is the decoded path plus
``?query`` as sent. Each request entry holds ``time`` (Unix seconds), ``method``, ``path``,
``status``, ``user_agent``, ``absolute_form`` (the request line named a full URL, as clients of a
proxy do) and ``proxy_headers`` (Via, Forwarded, X-Forwarded-*, Proxy-*; a Proxy-Authorization
value is redacted), so a test can assert the delay between requests and the User-Agent. The first
20,000 requests are kept. ``GET /__reset`` clears counts and requests (the 429/503/500 pages fail
again). A request in absolute form for another host is recorded under its full URL and answered
502: the zoo is not an open proxy.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import gzip
import html
import json
import random
import re
import secrets
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ROBOTS_MODES = (
    "normal", "missing", "broken", "server_error", "disallow_all", "disallow_crawler", "forbidden_all",
)  # fmt: skip
DEFAULT_SLOW_SECONDS = 40.0
MAX_SLOW_SECONDS = 600.0  # a wait longer than this is a bug in a test, not a scenario
DRIP_INTERVAL = 0.5
IDLE_TIMEOUT = 30.0  # a keep-alive connection left idle this long is closed by the zoo
RETRY_AFTER = "2"
HUGE_BYTES = 12 * 1024 * 1024  # over the crawler's DOWNLOAD_MAXSIZE (10 MiB)
BOMB_BYTES = 1 << 30  # what each bomb expands to: 1 GiB of zeros
BOMB_BLOCK = 1 << 20
BULK_COUNT = 100_000
REQUEST_LOG_LIMIT = 20_000
CALENDAR_YEARS = range(1, 10_000)
LENTA_MAX_PAGE = 1_000_000
OFFSITE_URL = "http://example.invalid/ru/article/zoo-control.html"
CRAWLER_TOKEN = "kz-news-crawler"  # the product token of the crawler's USER_AGENT
ARTICLE = "/ru/article/"

# --- The articles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """One article's content: what a correct crawler stores from its page.

    ``paragraphs`` is the stored text, except where the page breaks it on purpose: the truncated
    page ends at :data:`TRUNCATE_AFTER`, the mixed page's second paragraph is windows-1251 bytes.
    """

    slug: str
    title: str
    byline: str  # the date as printed on the page; "" when the page shows none
    published: str | None  # ISO 8601 a correct crawler stores; None when the page has no valid date
    author: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def _story(slug: str, title: str, byline: str, published: str | None, author: str, text: str) -> Story:
    # Paragraphs are separated by blank lines and wrapped freely in the source.
    paragraphs = tuple(" ".join(block.split()) for block in text.strip().split("\n\n"))
    return Story(slug, title, byline, published, author, paragraphs)


_STORY_LIST = [
    _story(
        "zoo-control",
        "В Ауэзовском районе Алматы открыли сквер на месте пустыря",
        "10:15, 12 марта 2023",
        "2023-03-12T10:15:00+06:00",
        "Ерлан Сейтжанов",
        """
        В Ауэзовском районе Алматы завершили благоустройство сквера площадью почти три гектара на
        пересечении улиц Саина и Жубанова. Раньше на этом месте был пустырь, который жители годами
        называли стихийной свалкой.

        В сквере высадили более 400 деревьев и 1200 кустарников, проложили пешеходные и велосипедные
        дорожки, установили детскую и спортивную площадки. Освещение работает от солнечных панелей,
        а полив – по капельной системе.

        «Мы учли пожелания жителей, которые они высказали на общественных слушаниях: здесь не будет
        ни кафе, ни парковки, только зелень и места для отдыха», – рассказал аким района.

        Содержание сквера ближайшие три года возьмет на себя подрядчик, выполнявший работы. Гарантия
        распространяется и на зеленые насаждения: погибшие деревья подрядчик обязан заменить за свой
        счет.

        До конца года в Ауэзовском районе планируют благоустроить еще два сквера – на улице
        Бауыржана Момышулы и в микрорайоне Аксай-4.
        """,
    ),
    _story(
        "zoo-cp1251-meta",
        "Цены на бензин в Алматы выросли второй раз за месяц",
        "09:40, 14 марта 2023",
        "2023-03-14T09:40:00+06:00",
        "Айгерим Нурланова",
        """
        АЗС Алматы вновь подняли цены на бензин марки АИ-92: литр топлива на большинстве заправок
        теперь стоит 212 тенге, хотя в начале месяца он обходился в 205 тенге.

        В министерстве энергетики объясняют рост цен переходом к рыночному ценообразованию и
        плановым ремонтом на Павлодарском нефтехимическом заводе, из-за которого часть топлива
        приходится завозить из России.

        Водители жалуются, что на некоторых АЗС в Медеуском и Бостандыкском районах дешевого топлива
        нет вовсе: на табло указан только АИ-95 по 260 тенге.

        Агентство по защите и развитию конкуренции сообщило, что начало проверку крупных сетей
        автозаправочных станций. Итоги обещают подвести до конца апреля.

        Аналитики рынка ожидают, что к лету цены стабилизируются, если ремонт на заводе завершится
        в срок.
        """,
    ),
    _story(
        "zoo-cp1251-header",
        "В Алматы продлили работу ночных автобусов до двух часов ночи",
        "18:05, 15 марта 2023",
        "2023-03-15T18:05:00+06:00",
        "Дмитрий Ковалев",
        """
        С апреля ночные автобусные маршруты в Алматы будут работать до двух часов ночи, а не до
        полуночи, как сейчас. Решение приняли после опроса пассажиров, который провело управление
        мобильности.

        Продленный график коснется шести маршрутов, которые связывают центр города с микрорайонами
        Шанырак, Айгерим, Калкаман и Алатау. Интервал движения в ночное время составит 20–25 минут.

        «Больше всего просьб поступало от работников сферы обслуживания и медиков, которые
        заканчивают смену поздно вечером», – пояснили в управлении.

        Стоимость проезда в ночное время не изменится. Оплатить поездку можно транспортной картой,
        по QR-коду или банковской картой через валидатор.

        Если спрос окажется высоким, до конца года ночных маршрутов станет больше.
        """,
    ),
    # The two KOI8-R stories use straight quotes and hyphens: KOI8-R has neither «» nor dashes, and
    # the old KOI8 sites typed them so.
    _story(
        "zoo-koi8r-meta",
        "Алматинские врачи провели операцию на сердце девятидневной девочке",
        "11:30, 16 марта 2023",
        "2023-03-16T11:30:00+06:00",
        "Жанна Абдикаримова",
        """
        Кардиохирурги Научного центра педиатрии и детской хирургии в Алматы провели операцию на
        открытом сердце девочке, которой было всего девять дней. Малышка родилась с тяжелым пороком -
        транспозицией магистральных артерий.

        Операция длилась более шести часов. По словам хирургов, раньше таких пациентов приходилось
        отправлять на лечение за рубеж, а теперь подобные вмешательства проводят в Казахстане
        регулярно.

        "Девочка уже дышит самостоятельно, ее перевели из реанимации в палату к маме. Через две
        недели планируем выписку", - рассказал заведующий отделением кардиохирургии.

        За прошлый год в центре прооперировали более 300 детей с врожденными пороками сердца, из них
        около 80 - новорожденные.
        """,
    ),
    _story(
        "zoo-koi8r-header",
        "На Большое Алматинское озеро будут пускать только по записи",
        "08:20, 17 марта 2023",
        "2023-03-17T08:20:00+06:00",
        "Сергей Ли",
        """
        С мая въезд на Большое Алматинское озеро будет возможен только по предварительной записи.
        Такое решение приняли в Иле-Алатауском национальном парке из-за наплыва туристов и мусора на
        берегах.

        Записаться можно будет на сайте национального парка, выбрав дату и время посещения. В сутки
        к озеру пропустят не более 1500 человек.

        Купаться в озере по-прежнему запрещено: оно служит источником питьевой воды для Алматы. За
        нарушение правил предусмотрен штраф.

        Экологи поддержали ограничения, но просят также организовать регулярный вывоз мусора и
        установить биотуалеты на стоянках.

        В прошлом году озеро посетили более 400 тысяч человек.
        """,
    ),
    _story(
        "zoo-cp1251-undeclared",
        "В Алматы начали сносить незаконные пристройки к жилым домам",
        "14:45, 18 марта 2023",
        "2023-03-18T14:45:00+06:00",
        "Асель Тулегенова",
        """
        Акимат Алатауского района приступил к сносу незаконных пристроек к многоэтажным домам.
        Первыми под снос попали магазины и кафе, пристроенные к домам на улице Рыскулова без
        разрешительной документации.

        Владельцев предупредили заранее: уведомления разослали еще осенью, а на добровольный
        демонтаж дали три месяца. Большинство собственников требования проигнорировали.

        «Такие пристройки нарушают несущие конструкции домов и в случае землетрясения представляют
        угрозу для жизни жильцов», – пояснили в управлении градостроительного контроля.

        Всего в районе выявили 67 незаконных объектов. Снос продлится до конца мая.
        """,
    ),
    _story(
        "zoo-cp1251-header-says-utf8",
        "Синоптики предупредили алматинцев о заморозках в конце марта",
        "16:10, 19 марта 2023",
        "2023-03-19T16:10:00+06:00",
        "Марат Жумабаев",
        """
        В Алматы и области в последние дни марта ожидаются ночные заморозки до минус пяти градусов,
        сообщили в РГП «Казгидромет». Днем воздух будет прогреваться до плюс двенадцати.

        Садоводов предупреждают: распустившиеся почки абрикосов и вишни могут пострадать от холода.
        Специалисты советуют укрывать молодые деревья и проводить дымление садов.

        На дорогах возможна гололедица, особенно в предгорных районах и на трассе Алматы – Капшагай.

        Устойчивое потепление синоптики прогнозируют только в первой декаде апреля.
        """,
    ),
    _story(
        "zoo-cp1251-meta-header-says-utf8",
        "Алматинский зоопарк показал новорожденных тигрят",
        "15:20, 22 марта 2023",
        "2023-03-22T15:20:00+06:00",
        "Ольга Ким",
        """
        В Алматинском зоопарке впервые показали публике двух амурских тигрят, которые родились в
        январе. Малыши подросли и начали выходить в вольер вместе с матерью.

        Сотрудники зоопарка рассказали, что тигрята здоровы и набирают вес: каждый из них весит около
        семи килограммов.

        Имена малышам выберут посетители – голосование проходит на сайте зоопарка до конца апреля.

        Амурский тигр занесен в Красную книгу, и рождение потомства в неволе считается большим
        успехом.
        """,
    ),
    _story(
        "zoo-utf8-bom",
        "Студенты КазНУ создали приложение для поиска свободных парковок",
        "12:00, 20 марта 2023",
        "2023-03-20T12:00:00+06:00",
        "Тимур Ахметов",
        """
        Студенты факультета информационных технологий КазНУ имени аль-Фараби разработали мобильное
        приложение, которое показывает свободные парковочные места в центре Алматы.

        Данные приложение получает с камер городской системы видеонаблюдения: нейросеть определяет,
        занято место или нет, и обновляет карту раз в минуту.

        «Мы сами тратили по полчаса, чтобы найти, где оставить машину возле университета. Так и
        появилась идея», – рассказал один из авторов проекта.

        Проект занял первое место на республиканском хакатоне, а в акимате предложили
        протестировать приложение на нескольких улицах в центре.

        Запуск пилота запланирован на лето.
        """,
    ),
    _story(
        "zoo-mixed-encodings",
        "В Алматы пройдет фестиваль уличной еды",
        "10:30, 21 марта 2023",
        "2023-03-21T10:30:00+06:00",
        "Наталья Соколова",
        """
        В последние выходные марта на площади перед Дворцом Республики пройдет фестиваль уличной
        еды. Участие в нем примут более 60 кафе и фудтраков.

        Организаторы обещают блюда казахской, узбекской, корейской и грузинской кухни, а также
        мастер-классы от шеф-поваров.

        Вход на фестиваль свободный. Для детей подготовят отдельную площадку с аниматорами.

        На время проведения мероприятия перекроют участок проспекта Достык от улицы Сатпаева до
        проспекта Абая.

        Гостей просят приезжать на общественном транспорте.
        """,
    ),
    _story(
        "zoo-truncated",
        "В Наурызбайском районе построят школу на 1200 мест",
        "09:00, 23 марта 2023",
        "2023-03-23T09:00:00+06:00",
        "Руслан Искаков",
        """
        В микрорайоне Шугыла Наурызбайского района начали строительство школы на 1200 ученических
        мест. Это будет уже третья новая школа в районе за последние два года.

        В здании предусмотрены бассейн, два спортивных зала, класс робототехники и библиотека с
        коворкингом. Школа будет работать в одну смену.

        Строительство ведется по программе «Комфортная школа», сдать объект обещают к началу
        следующего учебного года.

        По данным управления образования, дефицит ученических мест в Наурызбайском районе превышает
        восемь тысяч, и часть детей вынуждена ездить на занятия в соседние микрорайоны.
        """,
    ),
    _story(
        "zoo-unclosed-tags",
        "Жители Турксибского района вторую неделю живут без горячей воды",
        "07:50, 24 марта 2023",
        "2023-03-24T07:50:00+06:00",
        "Динара Сапарова",
        """
        Жители нескольких многоэтажек в Турксибском районе вторую неделю живут без горячей воды.
        Причиной стал порыв на теплотрассе по улице Бекмаханова.

        Ремонтники раскопали участок трубопровода, но работы затянулись из-за грунтовых вод.

        В АО «Алматинские тепловые сети» пообещали восстановить подачу горячей воды до конца недели и
        сделать перерасчет за время отключения.

        Жильцы говорят, что узнали об аварии только из объявлений на подъездах.
        """,
    ),
    _story(
        "zoo-no-title",
        "",
        "13:25, 25 марта 2023",
        "2023-03-25T13:25:00+06:00",
        "Ерлан Сейтжанов",
        """
        Полиция Алматы задержала группу мошенников, которые звонили пенсионерам от имени сотрудников
        банков и выманивали у них коды из СМС.

        По данным департамента полиции, за полгода злоумышленники похитили у жителей города более
        40 миллионов тенге. Деньги выводили через подставные счета.

        «Ни один банк не просит назвать код из СМС по телефону. Если вам звонят с такой просьбой,
        кладите трубку», – напомнили в полиции.

        Возбуждено уголовное дело по статье «Мошенничество», задержанные помещены в изолятор
        временного содержания.
        """,
    ),
    _story(
        "zoo-no-date",
        "Как выбрать велосипед для горных маршрутов: советы алматинских тренеров",
        "",
        None,
        "Айгерим Нурланова",
        """
        Весной в горах вокруг Алматы становится все больше велосипедистов. Тренеры городских
        велоклубов рассказали, на что обращать внимание при выборе первого горного велосипеда.

        Главное – размер рамы: он подбирается по росту, и слишком большая рама быстро утомляет на
        подъемах. Для маршрутов в ущельях подойдут колеса диаметром 27,5 или 29 дюймов.

        Новичкам советуют не гнаться за легкостью и дорогим навесным оборудованием, а вложиться в
        надежные дисковые тормоза и удобную посадку.

        Перед первой поездкой в горы стоит пройти несколько простых маршрутов в черте города,
        например по терренкуру вдоль реки Есентай.
        """,
    ),
    _story(
        "zoo-impossible-date",
        "На Шымбулаке подвели итоги зимнего сезона",
        "17:00, 31 февраля 2023",
        None,
        "Дмитрий Ковалев",
        """
        Горнолыжный курорт Шымбулак подвел итоги зимнего сезона: за несколько месяцев его посетили
        более 600 тысяч человек, почти на треть больше, чем годом ранее.

        Рост в администрации курорта связывают с открытием новой канатной дороги и увеличением числа
        туристов из соседних стран.

        Впервые на курорте работала система искусственного оснежения на всех основных трассах, что
        позволило открыть сезон раньше обычного.

        Летом на Шымбулаке будут работать канатная дорога и пешеходные маршруты.
        """,
    ),
    _story(
        "zoo-future-date",
        "Вторая линия метро Алматы открылась для пассажиров",
        "10:15, 12 марта 2031",
        None,
        "Жанна Абдикаримова",
        """
        В Алматы открылась вторая линия метрополитена: первые пассажиры проехали от станции «Алатау»
        до станции «Райымбек батыра».

        Новая линия длиной почти девять километров соединила центр города с северными
        микрорайонами. Поезда будут ходить с интервалом в семь минут.

        Строительство второй линии шло с большими перерывами, и жители давно ждали ее открытия.

        Стоимость проезда в метро не изменилась, пересадка между линиями бесплатная.
        """,
    ),
    _story(
        "zoo-too-short",
        "Пожар в торговом центре на Райымбека потушен",
        "19:40, 26 марта 2023",
        "2023-03-26T19:40:00+06:00",
        "Сергей Ли",
        """
        Пожар в торговом центре на проспекте Райымбека потушен, пострадавших нет, сообщили в ДЧС
        Алматы.
        """,
    ),
    _story(
        "zoo-duplicate",
        "Аэропорт Алматы перешел на летнее расписание",
        "06:30, 27 марта 2023",
        "2023-03-27T06:30:00+06:00",
        "Асель Тулегенова",
        """
        Международный аэропорт Алматы перешел на летнее расписание. В нем появились 14 новых
        направлений, в том числе прямые рейсы в Стамбул, Тбилиси и Куала-Лумпур.

        Всего из Алматы летом можно будет улететь в 68 городов, сообщили в пресс-службе аэропорта.
        Число еженедельных рейсов вырастет почти на пятую часть.

        Пассажиров просят приезжать заранее: на время реконструкции старого терминала часть
        парковки закрыта.

        Новый международный терминал аэропорта работает в полную силу с прошлого лета.
        """,
    ),
    _story(
        "zoo-huge",
        "Генеральный план Алматы: полный текст документа",
        "10:00, 28 марта 2023",
        "2023-03-28T10:00:00+06:00",
        "Марат Жумабаев",
        """
        Редакция публикует полный текст генерального плана развития Алматы, утвержденного
        маслихатом.

        Раздел генерального плана определяет границы функциональных зон, плотность застройки и
        размещение объектов социальной инфраструктуры в каждом районе города.
        """,
    ),
    _story(
        "zoo-redirect-chain-end",
        "Перекресток Абая и Манаса закроют на ремонт",
        "11:10, 29 марта 2023",
        "2023-03-29T11:10:00+06:00",
        "Ольга Ким",
        """
        С понедельника перекресток проспекта Абая и улицы Манаса закроют на ремонт подземных
        коммуникаций. Работы продлятся три недели.

        Объехать участок можно по улицам Жандосова и Байзакова. Маршруты автобусов на время ремонта
        изменят.

        В управлении мобильности обещают, что после ремонта на перекрестке появятся выделенная полоса
        для автобусов и новый светофор.

        Подрядчик обязан вести работы круглосуточно, чтобы уложиться в срок.
        """,
    ),
    _story(
        "zoo-redirect-target",
        "«Алматы Арена» примет чемпионат Азии по хоккею",
        "12:20, 30 марта 2023",
        "2023-03-30T12:20:00+06:00",
        "Тимур Ахметов",
        """
        Ледовый дворец «Алматы Арена» примет чемпионат Азии по хоккею среди молодежных команд.
        Турнир пройдет в ноябре, в нем сыграют восемь сборных.

        В федерации хоккея рассказали, что арену выбрали за вместимость и удобную транспортную
        доступность.

        Билеты на матчи поступят в продажу за месяц до начала турнира, школьников и студентов
        пообещали пускать бесплатно.

        Сборная Казахстана в прошлом году заняла на этом турнире второе место.
        """,
    ),
    _story(
        "zoo-long-url",
        "Депутаты маслихата предложили переименовать несколько улиц",
        "13:35, 31 марта 2023",
        "2023-03-31T13:35:00+06:00",
        "Наталья Соколова",
        """
        Депутаты маслихата Алматы предложили переименовать несколько улиц в Жетысуском районе,
        которые до сих пор носят названия советского времени.

        Ономастическая комиссия рассмотрит предложения в течение месяца, после чего их вынесут на
        общественное обсуждение.

        Жители сомневаются: смена названия улицы означает замену адресов в документах и табличек на
        домах.

        В акимате пообещали, что замена адресных табличек пройдет за счет городского бюджета.
        """,
    ),
    _story(
        "новость-дня",
        "В горах Алматы выпал снег",
        "08:05, 01 апреля 2023",
        "2023-04-01T08:05:00+06:00",
        "Руслан Искаков",
        """
        В горах над Алматы выпал снег: на высоте от двух тысяч метров его слой достиг 15 сантиметров.

        Спасатели предупреждают о лавинной опасности в ущельях Малой и Большой Алматинки и просят
        туристов отложить походы.

        В городе ночью прошел сильный дождь, к утру температура опустилась до плюс трех градусов.

        Синоптики обещают, что тепло вернется к выходным.
        """,
    ),
    _story(
        "zoo-429",
        "Метро Алматы изменит график работы в праздничные дни",
        "09:15, 02 апреля 2023",
        "2023-04-02T09:15:00+06:00",
        "Динара Сапарова",
        """
        В праздничные дни метро Алматы будет работать на два часа дольше обычного – до часа ночи.

        Дополнительные поезда выйдут на линию в вечерние часы, когда в центре города пройдут
        концерты и народные гуляния.

        Станция «Абай» в один из вечеров будет работать только на выход, чтобы избежать давки.

        Стоимость проезда в праздники не изменится.
        """,
    ),
    _story(
        "zoo-503",
        "В Алматы стартовала весенняя посадка деревьев",
        "10:25, 03 апреля 2023",
        "2023-04-03T10:25:00+06:00",
        "Ерлан Сейтжанов",
        """
        В Алматы стартовала весенняя посадка деревьев: до конца мая в городе высадят более 50 тысяч
        саженцев.

        Больше всего деревьев появится в Алатауском и Наурызбайском районах, где зеленых зон
        меньше всего.

        Жителей приглашают присоединиться к субботникам: записаться можно через акимат своего
        района.

        За саженцами в первый год будет ухаживать подрядчик, а затем – коммунальные службы.
        """,
    ),
    _story(
        "zoo-500-twice",
        "Спасатели эвакуировали туристов с пика Фурманова",
        "11:35, 04 апреля 2023",
        "2023-04-04T11:35:00+06:00",
        "Айгерим Нурланова",
        """
        Спасатели эвакуировали группу из пяти туристов, которые заблудились в тумане на пути к пику
        Фурманова.

        Туристы сами вызвали помощь по телефону. Спасатели нашли их через два часа и спустили к
        подножию горы.

        Никто не пострадал, но одному из туристов понадобилась помощь медиков из-за переохлаждения.

        Спасатели напоминают: перед выходом в горы нужно зарегистрировать маршрут.
        """,
    ),
    _story(
        "zoo-slow",
        "Энергетики предупредили об отключениях света в Медеуском районе",
        "12:45, 05 апреля 2023",
        "2023-04-05T12:45:00+06:00",
        "Дмитрий Ковалев",
        """
        На следующей неделе в Медеуском районе Алматы пройдут плановые отключения электроэнергии.

        Энергетики будут менять устаревшие кабельные линии на улицах Пушкина, Кабанбай батыра и
        Жибек жолы.

        Отключения продлятся с десяти утра до пяти вечера, список домов опубликован на сайте
        энергокомпании.

        Жителей просят заранее отключить чувствительную технику от сети.
        """,
    ),
    _story(
        "zoo-drip",
        "В библиотеке имени Пушкина открыли зал редкой книги",
        "13:55, 06 апреля 2023",
        "2023-04-06T13:55:00+06:00",
        "Жанна Абдикаримова",
        """
        В Центральной городской библиотеке имени Пушкина открыли зал редкой книги. В нем собраны
        издания XVIII и XIX веков, в том числе первые книги на казахском языке.

        Посмотреть экспонаты можно бесплатно, но по предварительной записи: одновременно в зале
        могут находиться не более десяти человек.

        Часть книг оцифрована, их можно прочитать на сайте библиотеки.

        Библиотека просит горожан, у которых хранятся старинные издания, связаться с ее
        сотрудниками.
        """,
    ),
    _story(
        "zoo-reset",
        "Велодорожку на Толе би продлят до Саина",
        "14:05, 07 апреля 2023",
        "2023-04-07T14:05:00+06:00",
        "Сергей Ли",
        """
        Велодорожку на улице Толе би продлят до улицы Саина, сообщили в управлении мобильности.

        Новый участок длиной четыре километра отделят от проезжей части бордюром, а на перекрестках
        установят отдельные светофоры для велосипедистов.

        Работы начнутся в мае и завершатся к осени.

        Велосипедисты просят также связать новую дорожку с сетью велодорожек в центре города.
        """,
    ),
    _story(
        "zoo-robots-disallowed",
        "Тарифы на воду в Алматы вырастут с мая",
        "15:15, 08 апреля 2023",
        "2023-04-08T15:15:00+06:00",
        "Асель Тулегенова",
        """
        Тарифы на холодную воду и водоотведение в Алматы вырастут с мая на 12 процентов.

        В компании «Алматы Су» объясняют повышение износом сетей: их нужно ремонтировать, а старый
        тариф не покрывает расходов.

        Для малообеспеченных семей сохранятся жилищные субсидии.

        Новый тариф утвердил департамент по регулированию естественных монополий.
        """,
    ),
    _story(
        "zoo-offsite-only",
        "Коммунальщики начали ямочный ремонт дорог после зимы",
        "16:25, 09 апреля 2023",
        "2023-04-09T16:25:00+06:00",
        "Марат Жумабаев",
        """
        Коммунальные службы Алматы начали ямочный ремонт дорог после зимы. В первую очередь
        отремонтируют главные магистрали.

        Сообщить о яме на дороге можно через городское приложение: заявку обещают рассмотреть за
        три дня.

        На ремонт в этом году выделено больше средств, чем в прошлом.

        Работы ведутся ночью, чтобы не создавать пробок.
        """,
    ),
]
STORIES: dict[str, Story] = {story.slug: story for story in _STORY_LIST}

# Where the truncated page is cut (mid-sentence, in its 4th paragraph).
TRUNCATE_AFTER = "дефицит ученических мест в Наурызбайском"
LONG_PATH = ARTICLE + ("zoo-long-url-" + "dlinnyy-adres-novosti-" * 200)[: 3000 - len(ARTICLE) - 5] + ".html"
NON_ASCII_PATH = ARTICLE + "новость-дня.html"


# --- The table of pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class ZooPage:
    """One row of the module docstring's tables: a path and what a correct crawler does with it."""

    label: str  # as written in the table (a pattern for the families of pages)
    path: str  # a path (and query) to request; the decoded path for the Cyrillic one
    group: str  # discovery, charset, broken, size, navigation, server
    status: int  # the status of the first response (robots="normal", fresh counters)
    outcome: str  # "stored", "stored with <field> empty", "skipped: ...", "retried then ...", "followed, ..."
    linked: bool = True  # linked from the home page

    @property
    def href(self) -> str:
        """The path as a link names it (percent-encoded)."""
        return quote(self.path, safe="/?=&%")


def _page(label: str, group: str, status: int, outcome: str, path: str = "", linked: bool = True) -> ZooPage:
    return ZooPage(label, path or label, group, status, outcome, linked)


_A = ARTICLE
_GZ_OVER = "skipped: gzipped sitemap over DOWNLOAD_MAXSIZE"
_DECOMPRESSED_OVER = "skipped: decompressed over DOWNLOAD_MAXSIZE"
_DUPLICATE = "skipped: duplicate of zoo-duplicate.html"
PAGES: tuple[ZooPage, ...] = (
    _page("/robots.txt", "discovery", 200, "followed, not stored"),
    _page("/", "discovery", 200, "followed, not stored", linked=False),
    _page("/ru", "discovery", 200, "followed, not stored"),
    _page("/sitemap.xml", "discovery", 200, "followed, not stored"),
    _page("/sitemap_index.xml", "discovery", 200, "followed, not stored"),
    _page("/sitemaps/articles.xml.gz", "discovery", 200, "followed, not stored"),
    _page("/sitemaps/bomb.xml.gz", "discovery", 200, _GZ_OVER),
    _page("/sitemaps/entity-bomb.xml", "discovery", 200, "skipped: bad sitemap (no entity expanded)"),
    _page("/sitemaps/html.xml", "discovery", 200, "skipped: not a sitemap"),
    _page("/sitemaps/garbage.xml", "discovery", 200, "skipped: not a sitemap"),
    _page("/sitemaps/bulk-100k.xml", "discovery", 200, "followed, not stored"),
    _page("/sitemaps/missing.xml", "discovery", 404, "skipped: 404"),
    _page(_A + "bulk-N.html", "discovery", 200, "skipped: not an article (no signals)",
          path=_A + "bulk-1.html", linked=False),
    _page("/feed", "discovery", 200, "followed, not stored"),
    _page("/rss", "discovery", 200, "skipped: not a feed"),
    _page("/rss.xml", "discovery", 200, "skipped: not a feed"),
    _page("/ru/rss", "discovery", 404, "skipped: 404"),
    _page(_A + "zoo-control.html", "discovery", 200, "stored"),
    _page(_A + "zoo-robots-disallowed.html", "discovery", 200, "skipped: disallowed by robots.txt"),
    _page(_A + "zoo-cp1251-meta.html", "charset", 200, "stored"),
    _page(_A + "zoo-cp1251-header.html", "charset", 200, "stored"),
    _page(_A + "zoo-koi8r-meta.html", "charset", 200, "stored"),
    _page(_A + "zoo-koi8r-header.html", "charset", 200, "stored"),
    _page(_A + "zoo-cp1251-undeclared.html", "charset", 200, "stored"),
    _page(_A + "zoo-cp1251-header-says-utf8.html", "charset", 200, "stored"),
    _page(_A + "zoo-cp1251-meta-header-says-utf8.html", "charset", 200, "stored"),
    _page(_A + "zoo-utf8-bom.html", "charset", 200, "stored"),
    _page(_A + "zoo-mixed-encodings.html", "charset", 200, "stored"),
    _page(_A + "zoo-truncated.html", "broken", 200, "stored"),
    _page(_A + "zoo-unclosed-tags.html", "broken", 200, "stored"),
    _page(_A + "zoo-empty-body.html", "broken", 200, "skipped: empty page"),
    _page(_A + "zoo-js-shell.html", "broken", 200, "skipped: empty text"),
    _page(_A + "zoo-no-title.html", "broken", 200, "stored with title empty"),
    _page(_A + "zoo-no-date.html", "broken", 200, "stored with published empty"),
    _page(_A + "zoo-impossible-date.html", "broken", 200, "stored with published empty"),
    _page(_A + "zoo-future-date.html", "broken", 200, "stored with published empty"),
    _page(_A + "zoo-too-short.html", "broken", 200, "skipped: text too short"),
    _page(_A + "zoo-duplicate.html", "broken", 200, "stored"),
    _page(_A + "zoo-duplicate.html?utm_source=x", "broken", 200, _DUPLICATE),
    _page(_A + "zoo-duplicate-copy.html", "broken", 200, _DUPLICATE),
    _page(_A + "zoo-huge.html", "size", 200, "skipped: over DOWNLOAD_MAXSIZE"),
    _page(_A + "zoo-huge-undeclared.html", "size", 200, "skipped: over DOWNLOAD_MAXSIZE"),
    _page(_A + "zoo-gzip-bomb.html", "size", 200, _DECOMPRESSED_OVER),
    _page(_A + "zoo-gzip-bomb-nested.html", "size", 200, _DECOMPRESSED_OVER),
    _page(_A + "zoo-deflate-bomb.html", "size", 200, _DECOMPRESSED_OVER),
    _page(_A + "zoo-redirect-loop-a.html", "navigation", 302, "skipped: redirect loop"),
    _page(_A + "zoo-redirect-chain-1.html", "navigation", 301, "skipped: too many redirects"),
    _page(_A + "zoo-redirect-chain-end.html", "navigation", 200, "skipped: never reached (chain too long)",
          linked=False),
    _page(_A + "zoo-redirect-ok.html", "navigation", 301, "stored (as zoo-redirect-target.html)"),
    _page(_A + "zoo-redirect-target.html", "navigation", 200, "stored", linked=False),
    _page(_A + "zoo-redirect-offsite.html", "navigation", 302, "skipped: off-site redirect"),
    _page("/ru/links.html", "navigation", 200, "followed, not stored"),
    _page(_A + "zoo-offsite-only.html", "navigation", 200, "skipped: never fetched (other host)", linked=False),
    _page(_A + "zoo-long-url-….html", "navigation", 200, "skipped: URL over URLLENGTH_LIMIT", path=LONG_PATH),
    _page(NON_ASCII_PATH, "navigation", 200, "stored"),
    _page("/calendar/YYYY/MM/", "navigation", 200, "followed, not stored (trap: the crawl stays bounded)",
          path="/calendar/2023/03/"),
    _page("/ru/lenta?page=N&session=S", "navigation", 200, "followed, not stored (trap: pagination capped)",
          path="/ru/lenta"),
    _page(_A + "zoo-404.html", "server", 404, "skipped: 404"),
    _page(_A + "zoo-410.html", "server", 410, "skipped: 410"),
    _page(_A + "zoo-429.html", "server", 429, "retried then stored"),
    _page(_A + "zoo-503.html", "server", 503, "retried then stored"),
    _page(_A + "zoo-500-always.html", "server", 500, "retried then counted"),
    _page(_A + "zoo-500-twice.html", "server", 500, "retried then stored"),
    _page(_A + "zoo-slow.html", "server", 200, "retried then counted"),
    _page(_A + "zoo-drip.html", "server", 200, "retried then counted"),
    _page(_A + "zoo-reset.html", "server", 200, "retried then counted"),
)  # fmt: skip


# --- Bodies built once ----------------------------------------------------------------------------


def crc32_of_zeros(count: int, block: int = BOMB_BLOCK) -> int:
    """``zlib.crc32(bytes(count))`` without running over ``count`` bytes.

    Over a run of zeros the CRC after it is an affine map of the CRC before it (v -> M·v xor c over
    GF(2)); the map of one block is read off 33 CRCs of the block and raised to the number of
    blocks by squaring, so a 1 GiB bomb costs milliseconds at import instead of a quarter second.
    """
    blocks, rest = divmod(count, block)
    zeros = bytes(block)
    const = zlib.crc32(zeros, 0)
    step = ([zlib.crc32(zeros, 1 << bit) ^ const for bit in range(32)], const)

    def apply(columns: list[int], value: int) -> int:
        result, bit = 0, 0
        while value:
            if value & 1:
                result ^= columns[bit]
            value >>= 1
            bit += 1
        return result

    def compose(f: tuple[list[int], int], g: tuple[list[int], int]) -> tuple[list[int], int]:
        return [apply(f[0], column) for column in g[0]], apply(f[0], g[1]) ^ f[1]

    power: tuple[list[int], int] = ([1 << bit for bit in range(32)], 0)  # the identity
    while blocks:
        if blocks & 1:
            power = compose(step, power)
        step = compose(step, step)
        blocks >>= 1
    return zlib.crc32(bytes(rest), power[1])


def _deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of ``size`` zeros, built from one compressed block repeated.

    After a full flush the compressor starts afresh, so the bytes for one block of zeros are the
    same every time and can be repeated instead of compressing a gigabyte (3 s at import).
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(BOMB_BLOCK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks, rest = divmod(size, BOMB_BLOCK)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    return block * blocks + last.compress(bytes(rest)) + last.flush()  # the final block


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """A valid gzip member that expands to ``size`` zero bytes (~1/1000 of it compressed)."""
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"  # no mtime: reproducible
    trailer = struct.pack("<II", crc32_of_zeros(size), size & 0xFFFFFFFF)
    return header + _deflated_zeros(size) + trailer


def deflate_bomb(size: int = BOMB_BYTES) -> bytes:
    """A valid zlib stream (HTTP "deflate") that expands to ``size`` zero bytes."""
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: A stays 1, B adds 1 per byte
    return b"\x78\xda" + _deflated_zeros(size) + struct.pack(">I", adler)


GZIP_BOMB = gzip_bomb()
DEFLATE_BOMB = deflate_bomb()
# Compressing the bomb again shrinks its repeated blocks to ~2.5 KB: one layer of deflate cannot
# pass ~1030:1, two can.
NESTED_GZIP_BOMB = gzip.compress(GZIP_BOMB, 9, mtime=0)
GARBAGE = random.Random(1251).randbytes(4096)  # fixed seed: the same bytes on every run


def _entity_bomb() -> bytes:
    """A sitemap with "billion laughs": lol9 expands to 10^9 "lol"s (3 GB) in a parser that
    resolves entities, and every loc, lastmod and news date holds lol9."""
    entities = ['  <!ENTITY lol0 "lol">']
    for level in range(1, 10):
        entities.append(f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE urlset [\n' + "\n".join(entities) + "\n]>\n"
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"\n'
        '        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        "<url><loc>&lol9;</loc><lastmod>&lol9;</lastmod>"
        "<news:news><news:publication_date>&lol9;</news:publication_date></news:news></url>\n"
        "<url><loc>&lol9;&lol9;</loc></url>\n</urlset>\n"
    ).encode()


ENTITY_BOMB = _entity_bomb()


# --- Pages -------------------------------------------------------------------------------------------

_HEADER = (
    '<header class="site-header"><a class="site-header__logo" href="/">Vecher.kz</a>'
    '<nav class="site-nav"><a href="/ru/lenta">Лента</a> <a href="/ru/links.html">Полезные ссылки</a>'
    "</nav></header>"
)
_FOOTER = '<footer class="site-footer">© Вечерний Алматы. Перепечатка только с разрешения редакции.</footer>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def article_html(
    story: Story,
    canonical: str,
    *,
    charset: str | None = "utf-8",
    http_equiv: bool = False,
    title: bool = True,
    head_extra: str = "",
) -> str:
    """The page of ``story`` as Vecher.kz prints an article (without what the zoo does not test)."""
    head = []
    if charset and http_equiv:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    elif charset:
        head.append(f'<meta charset="{charset}">')
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    if title:
        head.append(f"<title>{_e(story.title)} | Vecher.kz</title>")
    head.append(f'<link rel="canonical" href="{_e(canonical)}">')
    head.append('<meta property="og:site_name" content="Вечерний Алматы">')
    head.append('<meta property="og:type" content="article">')
    if title:
        head.append(f'<meta property="og:title" content="{_e(story.title)}">')
    head.append(head_extra)
    date = f' <span class="article__date">{story.byline}</span>' if story.byline else ""
    body = "\n".join(f"<p>{_e(p)}</p>" for p in story.paragraphs)
    h1 = f'<h1 class="article__title">{_e(story.title)}</h1>\n' if title else ""
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n' + "\n".join(h for h in head if h) + "\n</head>\n"
        f'<body class="layout">\n{_HEADER}\n<main class="main"><article class="article">\n{h1}'
        f'<div class="article__meta"><span class="article__author">Автор {_e(story.author)} /</span>{date}</div>\n'
        f'<div class="article__body">\n{body}\n</div>\n</article></main>\n{_FOOTER}\n</body>\n</html>\n'
    )


def unclosed_html(story: Story, canonical: str) -> str:
    """Every element left open, as sloppy templates do; only title and script are closed, because
    an unclosed title swallows the page in any parser, browsers included."""
    p1, p2, p3, p4 = story.paragraphs
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(story.title)} | Vecher.kz</title>\n"
        f'<meta property="og:type" content="article">\n<meta property="og:title" content="{_e(story.title)}">\n'
        f'<link rel="canonical" href="{_e(canonical)}">\n'
        '<body class="layout">\n<div class="site-header"><a href="/">Vecher.kz\n'
        '<div class="main">\n<div class="article">\n'
        f'<h1 class="article__title">{_e(story.title)}\n'
        f'<div class="article__meta"><span class="article__author">Автор {_e(story.author)} /\n'
        f'<span class="article__date">{story.byline}\n'
        '<div class="article__body">\n'
        f"<p>{_e(p1)}\n<p><b>{_e(p2)}\n<p><i>{_e(p3)}\n<p><span>{_e(p4)}\n"
        '<ul class="article__tags"><li><a href="/ru/lenta">Общество\n<li><a href="/ru/lenta">ЖКХ\n'
        '<div class="site-footer">© «Вечерний Алматы»\n'
    )


def truncated_html(story: Story, canonical: str) -> str:
    page = article_html(story, canonical)
    return page[: page.index(TRUNCATE_AFTER) + len(TRUNCATE_AFTER)]


JS_SHELL = (
    '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n<title>Вечерний Алматы</title>\n'
    '<meta property="og:type" content="article">\n<meta property="og:title" content="Новости Алматы">\n'
    '<link rel="preload" href="/static/js/app.3f9a1c.js" as="script">\n</head>\n'
    '<body>\n<div id="app"></div>\n'
    '<script>window.__INITIAL_STATE__ = {"route": "/ru/article/zoo-js-shell.html", "data": null};</script>\n'
    '<script src="/static/js/vendor.81be2d.js" defer></script>\n'
    '<script src="/static/js/app.3f9a1c.js" defer></script>\n</body>\n</html>\n'
)


def simple_page(title: str, body: str, og_type: str = "website") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n<title>{_e(title)}</title>\n'
        f'<meta property="og:type" content="{og_type}">\n</head>\n<body>\n{_HEADER}\n'
        f'<main class="main">\n<h1>{_e(title)}</h1>\n{body}\n</main>\n{_FOOTER}\n</body>\n</html>\n'
    )


MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip
GROUP_TITLES = {
    "discovery": "Обычные страницы и поиск материалов",
    "charset": "Кодировки",
    "broken": "Сломанные документы",
    "size": "Размер и сжатие",
    "navigation": "Навигация",
    "server": "Поведение сервера",
}

# --- Replies --------------------------------------------------------------------------------------


@dataclass
class Reply:
    """What to answer: status, headers and body, and how to misbehave while sending it."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterator[bytes]] | None = None  # a body made while it is sent
    length: int | None = None  # Content-Length of a stream
    framing: str = "length"  # "length" (Content-Length), "chunked", or "close" (ends with the connection)
    delay: float = 0.0  # seconds before the status line
    drip: int = 0  # leading body bytes sent one at a time, DRIP_INTERVAL apart
    reset_after: int | None = None  # body bytes sent before the connection is reset


HTML_UTF8 = "text/html; charset=utf-8"


def _html(status: int, page: str) -> Reply:
    return Reply(status, page.encode(), {"Content-Type": HTML_UTF8})


def _error(status: int, text: str, **headers: str) -> Reply:
    return Reply(
        status, simple_page(text, f"<p>{_e(text)}</p>").encode(), {"Content-Type": HTML_UTF8, **headers}
    )


def _xml(body: str | bytes, content_type: str = "application/xml; charset=utf-8") -> Reply:
    return Reply(200, body.encode() if isinstance(body, str) else body, {"Content-Type": content_type})


def _redirect(status: int, location: str) -> Reply:
    return Reply(status, b"", {"Location": location})


# --- The server --------------------------------------------------------------------------------------


class ZooServer(ThreadingHTTPServer):
    """The zoo on 127.0.0.1: routes, per-path counters and the request log.

    Closing the server (``shutdown`` or ``server_close``) wakes every handler that is waiting
    (slow page, drip) and shuts every open connection, so closing never waits for a slow page.
    """

    daemon_threads = True

    def __init__(
        self,
        port: int = 0,
        *,
        robots: str = "normal",
        slow_seconds: float = DEFAULT_SLOW_SECONDS,
        list_huge_sitemap: bool = False,
    ) -> None:
        if robots not in ROBOTS_MODES:
            raise ValueError(f"robots must be one of {', '.join(ROBOTS_MODES)}, got {robots!r}")
        if not 0 <= slow_seconds <= MAX_SLOW_SECONDS:
            raise ValueError(f"slow_seconds must be between 0 and {MAX_SLOW_SECONDS:g}, got {slow_seconds}")
        super().__init__(("127.0.0.1", port), ZooHandler)
        self.port = int(self.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.robots = robots
        self.slow_seconds = float(slow_seconds)
        self.list_huge_sitemap = list_huge_sitemap
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.path_hits: dict[str, int] = {}  # per path without query: drives 429/503/500-twice
        self.requests: list[dict[str, Any]] = []
        self.requests_dropped = 0
        self.live: set[socket.socket] = set()
        self.routes: dict[str, Callable[[str, int], Reply]] = self._routes()

    # --- lifecycle

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.live.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.lock:
            self.live.discard(request)
        super().shutdown_request(request)

    def shutdown(self) -> None:
        self.closing.set()
        super().shutdown()

    def server_close(self) -> None:
        self.closing.set()
        with self.lock:
            live = list(self.live)
        for connection in live:
            # Wakes a handler blocked reading the next request of a keep-alive connection; the
            # handler's thread closes the socket itself, then ThreadingMixIn joins it.
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        super().server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (crawlers cancelling a 12 MB download, tests reading a part) are
        # part of the show, not errors worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    # --- bookkeeping

    def record(self, entry: dict[str, Any], path: str) -> int:
        """Count a request; returns how many requests its path (without query) has had."""
        with self.lock:
            key = entry["path"]
            self.counts[key] = self.counts.get(key, 0) + 1
            self.path_hits[path] = self.path_hits.get(path, 0) + 1
            if len(self.requests) < REQUEST_LOG_LIMIT:
                self.requests.append(entry)
            else:
                self.requests_dropped += 1
            return self.path_hits[path]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "counts": dict(self.counts),
                "total": sum(self.counts.values()),
                "requests": [dict(entry) for entry in self.requests],
                "requests_dropped": self.requests_dropped,
            }

    def reset(self) -> None:
        """Forget every request: counters start again (the 429/503/500 pages fail again)."""
        with self.lock:
            self.counts.clear()
            self.path_hits.clear()
            self.requests.clear()
            self.requests_dropped = 0

    # --- routing

    def url(self, path: str) -> str:
        return self.base_url + quote(path, safe="/?=&%")

    def respond(self, path: str, query: str, hits: int) -> Reply:
        if self.robots == "forbidden_all":
            return _error(403, "Доступ запрещен")
        route = self.routes.get(path)
        if route is not None:
            return route(query, hits)
        if match := re.fullmatch(r"/ru/article/bulk-(\d+)\.html", path):
            return self.bulk_page(int(match[1]))
        if match := re.fullmatch(r"/calendar/(\d{4})/(\d{2})/?", path):
            return self.calendar(int(match[1]), int(match[2]))
        return _error(404, "Страница не найдена")

    def _routes(self) -> dict[str, Callable[[str, int], Reply]]:
        a = ARTICLE
        story = self.story_reply
        routes: dict[str, Callable[[str, int], Reply]] = {
            "/robots.txt": lambda q, n: self.robots_txt(),
            "/": lambda q, n: self.home(),
            "/ru": lambda q, n: self.home(),
            "/ru/": lambda q, n: self.home(),
            "/sitemap.xml": lambda q, n: _xml(self.sitemap()),
            "/sitemap_index.xml": lambda q, n: _xml(self.sitemap_index()),
            "/sitemaps/articles.xml.gz": lambda q, n: self.gzipped_sitemap(),
            "/sitemaps/bomb.xml.gz": lambda q, n: Reply(
                200, GZIP_BOMB, {"Content-Type": "application/x-gzip"}
            ),
            "/sitemaps/entity-bomb.xml": lambda q, n: _xml(ENTITY_BOMB),
            "/sitemaps/html.xml": lambda q, n: _html(200, self.html_sitemap()),
            "/sitemaps/garbage.xml": lambda q, n: _xml(GARBAGE, "application/xml"),
            "/sitemaps/bulk-100k.xml": lambda q, n: self.bulk_sitemap(),
            "/feed": lambda q, n: _xml(self.feed(), "application/rss+xml; charset=utf-8"),
            "/rss": lambda q, n: _html(200, simple_page("RSS-ленты Vecher.kz", self.feed_list())),
            "/rss.xml": lambda q, n: _xml(GARBAGE[::-1], "application/rss+xml; charset=utf-8"),
            a + "zoo-control.html": lambda q, n: story("zoo-control"),
            a + "zoo-robots-disallowed.html": lambda q, n: story("zoo-robots-disallowed"),
            # Charsets.
            a + "zoo-cp1251-meta.html": lambda q, n: self.encoded(
                "zoo-cp1251-meta", "windows-1251", meta=True
            ),
            a + "zoo-cp1251-header.html": lambda q, n: self.encoded(
                "zoo-cp1251-header", "windows-1251", header="windows-1251"
            ),
            a + "zoo-koi8r-meta.html": lambda q, n: self.encoded(
                "zoo-koi8r-meta", "koi8-r", meta=True, equiv=True
            ),
            a + "zoo-koi8r-header.html": lambda q, n: self.encoded(
                "zoo-koi8r-header", "koi8-r", header="koi8-r"
            ),
            a + "zoo-cp1251-undeclared.html": lambda q, n: self.encoded(
                "zoo-cp1251-undeclared", "windows-1251"
            ),
            a + "zoo-cp1251-header-says-utf8.html": lambda q, n: self.encoded(
                "zoo-cp1251-header-says-utf8", "windows-1251", header="utf-8"
            ),
            a + "zoo-cp1251-meta-header-says-utf8.html": lambda q, n: self.encoded(
                "zoo-cp1251-meta-header-says-utf8", "windows-1251", header="utf-8", meta=True
            ),
            a + "zoo-utf8-bom.html": lambda q, n: self.encoded("zoo-utf8-bom", "utf-8", bom=True),
            a + "zoo-mixed-encodings.html": lambda q, n: self.mixed(),
            # Broken documents.
            a + "zoo-truncated.html": lambda q, n: _html(200, truncated_html(*self.canon("zoo-truncated"))),
            a + "zoo-unclosed-tags.html": lambda q, n: _html(
                200, unclosed_html(*self.canon("zoo-unclosed-tags"))
            ),
            a + "zoo-empty-body.html": lambda q, n: Reply(200, b"", {"Content-Type": HTML_UTF8}),
            a + "zoo-js-shell.html": lambda q, n: _html(200, JS_SHELL),
            a + "zoo-no-title.html": lambda q, n: _html(
                200, article_html(*self.canon("zoo-no-title"), title=False)
            ),
            a + "zoo-no-date.html": lambda q, n: story("zoo-no-date"),
            a + "zoo-impossible-date.html": lambda q, n: story("zoo-impossible-date"),
            a + "zoo-future-date.html": lambda q, n: self.future_date(),
            a + "zoo-too-short.html": lambda q, n: story("zoo-too-short"),
            a + "zoo-duplicate.html": lambda q, n: story("zoo-duplicate"),
            a + "zoo-duplicate-copy.html": lambda q, n: story("zoo-duplicate"),
            # Size and compression.
            a + "zoo-huge.html": lambda q, n: self.huge(declared=True),
            a + "zoo-huge-undeclared.html": lambda q, n: self.huge(declared=False),
            a + "zoo-gzip-bomb.html": lambda q, n: self.bomb(GZIP_BOMB, "gzip"),
            a + "zoo-gzip-bomb-nested.html": lambda q, n: self.bomb(NESTED_GZIP_BOMB, "gzip, gzip"),
            a + "zoo-deflate-bomb.html": lambda q, n: self.bomb(DEFLATE_BOMB, "deflate"),
            # Navigation.
            a + "zoo-redirect-loop-a.html": lambda q, n: _redirect(302, a + "zoo-redirect-loop-b.html"),
            a + "zoo-redirect-loop-b.html": lambda q, n: _redirect(302, a + "zoo-redirect-loop-a.html"),
            a + "zoo-redirect-chain-end.html": lambda q, n: story("zoo-redirect-chain-end"),
            a + "zoo-redirect-ok.html": lambda q, n: _redirect(301, self.url(a + "zoo-redirect-target.html")),
            a + "zoo-redirect-target.html": lambda q, n: story("zoo-redirect-target"),
            a + "zoo-redirect-offsite.html": lambda q, n: _redirect(302, OFFSITE_URL),
            "/ru/links.html": lambda q, n: _html(200, self.links_page()),
            a + "zoo-offsite-only.html": lambda q, n: story("zoo-offsite-only"),
            LONG_PATH: lambda q, n: self.story_reply("zoo-long-url", LONG_PATH),
            NON_ASCII_PATH: lambda q, n: self.story_reply("новость-дня", NON_ASCII_PATH),
            "/ru/lenta": lambda q, n: self.lenta(q),
            # Server behaviour.
            a + "zoo-404.html": lambda q, n: _error(404, "Страница не найдена"),
            a + "zoo-410.html": lambda q, n: _error(410, "Материал удален"),
            a + "zoo-429.html": lambda q, n: (
                _error(429, "Слишком много запросов", **{"Retry-After": RETRY_AFTER})
                if n == 1
                else story("zoo-429")
            ),
            a + "zoo-503.html": lambda q, n: (
                _error(503, "Сервис временно недоступен", **{"Retry-After": RETRY_AFTER})
                if n == 1
                else story("zoo-503")
            ),
            a + "zoo-500-always.html": lambda q, n: _error(500, "Внутренняя ошибка сервера"),
            a + "zoo-500-twice.html": lambda q, n: (
                _error(500, "Внутренняя ошибка сервера") if n <= 2 else story("zoo-500-twice")
            ),
            a + "zoo-slow.html": lambda q, n: self.slow(),
            a + "zoo-drip.html": lambda q, n: self.drip(),
            a + "zoo-reset.html": lambda q, n: self.reset_reply(),
        }
        for step in range(1, 11):  # chain-1 -> ... -> chain-10 -> chain-end: ten redirects
            target = f"zoo-redirect-chain-{step + 1}.html" if step < 10 else "zoo-redirect-chain-end.html"
            routes[a + f"zoo-redirect-chain-{step}.html"] = self.redirect_to(self.url(ARTICLE + target))
        return routes

    # --- page builders

    @staticmethod
    def redirect_to(location: str, status: int = 301) -> Callable[[str, int], Reply]:
        return lambda query, hits: _redirect(status, location)

    def canon(self, slug: str, path: str | None = None) -> tuple[Story, str]:
        return STORIES[slug], self.url(path or f"{ARTICLE}{slug}.html")

    def story_reply(self, slug: str, path: str | None = None) -> Reply:
        return _html(200, article_html(*self.canon(slug, path)))

    def encoded(
        self,
        slug: str,
        encoding: str,
        *,
        header: str | None = None,
        meta: bool = False,
        equiv: bool = False,
        bom: bool = False,
    ) -> Reply:
        page = article_html(*self.canon(slug), charset=encoding if meta else None, http_equiv=equiv)
        body = (b"\xef\xbb\xbf" if bom else b"") + page.encode(encoding)
        ctype = f"text/html; charset={header}" if header else "text/html"
        return Reply(200, body, {"Content-Type": ctype})

    def mixed(self) -> Reply:
        story, canonical = self.canon("zoo-mixed-encodings")
        page = article_html(story, canonical)
        odd = f"<p>{_e(story.paragraphs[1])}</p>"
        before, after = page.split(odd)
        body = before.encode() + odd.encode("windows-1251") + after.encode()
        return Reply(200, body, {"Content-Type": HTML_UTF8})

    def future_date(self) -> Reply:
        story, canonical = self.canon("zoo-future-date")
        jsonld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": "2031-03-12T10:15:00+05:00",
            "author": {"@type": "Person", "name": story.author},
        }
        script = f'<script type="application/ld+json">{json.dumps(jsonld, ensure_ascii=False)}</script>'
        return _html(200, article_html(story, canonical, head_extra=script))

    def huge(self, declared: bool) -> Reply:
        story, canonical = self.canon("zoo-huge")
        page = article_html(story, canonical)
        cut = page.index("</div>\n</article>")
        prefix, suffix = page[:cut].encode(), page[cut:].encode()
        paragraph = f"<p>{_e(story.paragraphs[1])}</p>\n".encode()
        block = paragraph * (65536 // len(paragraph))
        filler = HUGE_BYTES - len(prefix) - len(suffix)
        blocks, rest = divmod(filler, len(block))
        tail = (paragraph * (rest // len(paragraph) + 1))[:rest]  # cut mid-paragraph: size exact

        def pieces() -> Iterator[bytes]:
            # The 12 MiB are never held: one 64 KB block is sent again and again.
            yield prefix
            for _ in range(blocks):
                yield block
            yield tail
            yield suffix

        headers = {"Content-Type": HTML_UTF8}
        if declared:
            return Reply(200, headers=headers, stream=pieces, length=HUGE_BYTES)
        return Reply(200, headers=headers, stream=pieces, framing="close")

    def bomb(self, body: bytes, encoding: str) -> Reply:
        return Reply(200, body, {"Content-Type": HTML_UTF8, "Content-Encoding": encoding})

    def slow(self) -> Reply:
        reply = self.story_reply("zoo-slow")
        reply.delay = self.slow_seconds
        return reply

    def drip(self) -> Reply:
        reply = self.story_reply("zoo-drip")
        reply.drip = min(len(reply.body), max(1, round(self.slow_seconds / DRIP_INTERVAL)))
        return reply

    def reset_reply(self) -> Reply:
        reply = self.story_reply("zoo-reset")
        reply.reset_after = len(reply.body) // 2
        return reply

    def bulk_page(self, number: int) -> Reply:
        if not 1 <= number <= BULK_COUNT:
            return _error(404, "Страница не найдена")
        page = (
            f'<!DOCTYPE html>\n<html lang="ru"><head><meta charset="utf-8"><title>Заметка {number}</title>'
            f"</head><body><p>Короткая заметка номер {number}.</p></body></html>\n"
        )
        return _html(200, page)

    def robots_txt(self) -> Reply:
        sitemaps = [
            "/sitemap.xml", "/sitemap_index.xml", "/sitemaps/articles.xml.gz", "/sitemaps/bomb.xml.gz",
            "/sitemaps/entity-bomb.xml", "/sitemaps/html.xml", "/sitemaps/garbage.xml", "/sitemaps/missing.xml",
        ]  # fmt: skip
        if self.list_huge_sitemap:
            sitemaps.append("/sitemaps/bulk-100k.xml")
        lines = "".join(f"Sitemap: {self.base_url}{path}\n" for path in sitemaps)
        lines += "Sitemap: http://example.invalid/sitemap.xml\n"  # another host's: never fetched
        text = {"Content-Type": "text/plain; charset=utf-8"}
        if self.robots == "missing":
            return _error(404, "Страница не найдена")
        if self.robots == "server_error":
            return _error(500, "Внутренняя ошибка сервера")
        if self.robots == "broken":
            return Reply(200, GARBAGE, text)
        if self.robots == "disallow_all":
            return Reply(200, f"User-agent: *\nDisallow: /\n\n{lines}".encode(), text)
        if self.robots == "disallow_crawler":
            rules = f"User-agent: {CRAWLER_TOKEN}\nDisallow: /\n\nUser-agent: *\nDisallow:\n\n"
            return Reply(200, (rules + lines).encode(), text)
        rules = (
            "# Vecher.kz zoo (mirror/zoo.py): pages that misbehave on purpose\n"
            "User-agent: *\nDisallow: /ru/article/zoo-robots-disallowed.html\nDisallow: /ru/search\n\n"
            "User-agent: GPTBot\nDisallow: /\n\n"
        )
        return Reply(200, (rules + lines).encode(), text)

    def home(self) -> Reply:
        sections = []
        for group, heading in GROUP_TITLES.items():
            items = "".join(
                f'<li><a href="{_e(page.href)}">{_e(page.label)}</a> – {_e(page.outcome)}</li>\n'
                for page in PAGES
                if page.group == group and page.linked
            )
            sections.append(f"<section><h2>{heading}</h2>\n<ul>\n{items}</ul></section>")
        head = '<link rel="alternate" type="application/rss+xml" title="Vecher.kz" href="/feed">'
        page = simple_page("Вечерний Алматы: зоопарк сломанных страниц", "\n".join(sections))
        return _html(200, page.replace("</head>", head + "\n</head>", 1))

    def article_pages(self) -> list[ZooPage]:
        """The linked article candidates: what /sitemap.xml lists."""
        return [page for page in PAGES if page.path.startswith(ARTICLE) and page.linked]

    def sitemap(self) -> str:
        entries = []
        for page in self.article_pages():
            slug = page.path[len(ARTICLE) :].removesuffix(".html")
            story = STORIES.get(slug)
            # No lastmod where the page has no valid date: a crawler that falls back to lastmod
            # would otherwise fill a date the zoo says must stay empty.
            lastmod = f"<lastmod>{story.published}</lastmod>" if story and story.published else ""
            entries.append(f"<url><loc>{_e(self.url(page.path))}</loc>{lastmod}</url>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(entries)
            + "\n</urlset>\n"
        )

    def sitemap_index(self) -> str:
        entries = "".join(
            f"<sitemap><loc>{self.base_url}{path}</loc></sitemap>\n"
            for path in ("/sitemap.xml", "/sitemaps/articles.xml.gz", "/sitemaps/missing.xml")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
        )

    def gzipped_sitemap(self) -> Reply:
        slugs = ("zoo-control", "zoo-cp1251-meta", "zoo-koi8r-header")
        entries = "".join(
            f"<url><loc>{self.url(f'{ARTICLE}{slug}.html')}</loc><lastmod>{STORIES[slug].published}</lastmod></url>\n"
            for slug in slugs
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
        )
        return Reply(200, gzip.compress(xml.encode(), mtime=0), {"Content-Type": "application/x-gzip"})

    def html_sitemap(self) -> str:
        links = "".join(
            f'<li><a href="{_e(p.href)}">{_e(p.label)}</a></li>\n' for p in self.article_pages()[:5]
        )
        return simple_page("Карта сайта", f"<ul>\n{links}</ul>")

    def bulk_sitemap(self) -> Reply:
        base = self.base_url

        def pieces() -> Iterator[bytes]:
            # ~7 MB made in 1,000-URL pieces while they are sent: never held whole.
            yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
            yield b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            for start in range(1, BULK_COUNT + 1, 1000):
                yield "".join(
                    f"<url><loc>{base}{ARTICLE}bulk-{n}.html</loc></url>\n"
                    for n in range(start, min(start + 1000, BULK_COUNT + 1))
                ).encode()
            yield b"</urlset>\n"

        return Reply(
            200, headers={"Content-Type": "application/xml; charset=utf-8"}, stream=pieces, framing="chunked"
        )

    def feed(self) -> str:
        items = []
        for slug in ("zoo-control", "zoo-cp1251-header"):
            story = STORIES[slug]
            assert story.published is not None
            pub = email.utils.format_datetime(datetime.fromisoformat(story.published))
            items.append(
                f"<item><title>{_e(story.title)}</title><link>{self.url(f'{ARTICLE}{slug}.html')}</link>"
                f"<pubDate>{pub}</pubDate></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>Вечерний Алматы</title><link>{self.base_url}/</link>\n"
            + "\n".join(items)
            + "\n</channel></rss>\n"
        )

    def feed_list(self) -> str:
        return '<p>Подпишитесь на наши RSS-ленты: <a href="/feed">все новости</a>.</p>'

    def links_page(self) -> str:
        offsite_only = ARTICLE + "zoo-offsite-only.html"
        links = [
            (
                "https://vecher.kz" + ARTICLE + "zoo-control.html",
                "the real site's host (a mirror rewrites it)",
            ),
            (f"http://localhost:{self.port}{offsite_only}", "this server under another host name"),
            (f"http://127.0.0.1:1{offsite_only}", "this host on another port"),
            (f"http://127.0.0.2:{self.port}{offsite_only}", "another loopback address"),
            ("https://www.inform.kz/ru/zoo-article", "another news site"),
            ("http://example.invalid/ru/article/zoo-control.html", "a host that does not exist"),
            ("//example.invalid/ru/article/zoo-no-scheme.html", "a protocol-relative link to another host"),
            ("file:///etc/passwd", "file:"),
            ("ftp://ftp.example.invalid/pub/zoo.txt", "ftp:"),
            ("javascript:alert(document.cookie)", "javascript:"),
            ("  JavaScript:void(0)", "javascript: with spaces and capitals"),
            ("java\tscript:alert(1)", "javascript: with a tab inside (browsers drop it)"),
            ("data:text/html;base64,PGgxPtCX0L7QvtC/0LDRgNC6PC9oMT4=", "data:"),
            ("mailto:news@vecher.kz?subject=zoo", "mailto:"),
            ("tel:+77272000000", "tel:"),
            ("#comments", "a fragment only"),
        ]
        items = "".join(f'<li><a href="{_e(href)}">{_e(what)}</a></li>\n' for href, what in links)
        return simple_page("Полезные ссылки", f"<ul>\n{items}</ul>")

    def calendar(self, year: int, month: int) -> Reply:
        if year not in CALENDAR_YEARS or not 1 <= month <= 12:
            return _error(404, "Страница не найдена")
        links = []
        previous = (year, month - 1) if month > 1 else (year - 1, 12)
        following = (year, month + 1) if month < 12 else (year + 1, 1)
        if previous[0] in CALENDAR_YEARS:
            links.append(f'<a href="/calendar/{previous[0]:04d}/{previous[1]:02d}/">‹ {MONTHS[previous[1] - 1]} '
                         f"{previous[0]}</a>")  # fmt: skip
        if following[0] in CALENDAR_YEARS:
            links.append(f'<a href="/calendar/{following[0]:04d}/{following[1]:02d}/">{MONTHS[following[1] - 1]} '
                         f"{following[0]} ›</a>")  # fmt: skip
        body = f'<p>Материалов за этот месяц нет.</p>\n<nav class="calendar">{" | ".join(links)}</nav>'
        return _html(200, simple_page(f"Архив: {MONTHS[month - 1]} {year}", body))

    def lenta(self, query: str) -> Reply:
        raw = dict(parse_qsl(query)).get("page", "1")
        page = int(raw) if raw.isdigit() else 0
        if not 1 <= page <= LENTA_MAX_PAGE:
            return _error(404, "Страница не найдена")
        # A new session on every link: each page is a URL never seen before, the classic trap.
        following = f"/ru/lenta?page={page + 1}&session={secrets.token_hex(8)}"
        body = (
            f'<p>Лента новостей, страница {page}.</p>\n<ul><li><a href="{ARTICLE}zoo-control.html">'
            f"{_e(STORIES['zoo-control'].title)}</a></li></ul>\n"
            f'<nav class="pagination"><a rel="next" href="{_e(following)}">Следующая страница »</a></nav>'
        )
        return _html(200, simple_page("Лента новостей", body))


class ZooHandler(BaseHTTPRequestHandler):
    server: ZooServer
    server_version = "VecherZoo/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # a dripped byte must leave now, not when the next one joins it

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests read /__stats and the crawler's log, not the server's

    def do_GET(self) -> None:
        self.answer(head_only=False)

    def do_HEAD(self) -> None:
        self.answer(head_only=True)

    def answer(self, head_only: bool) -> None:
        server = self.server
        target = self.path
        absolute = target.lower().startswith(("http://", "https://"))
        foreign = False
        if absolute:  # the request line of a client talking to a proxy
            parts = urlsplit(target)
            foreign = (parts.hostname, parts.port) != ("127.0.0.1", server.port)
            if not foreign:
                target = parts.path + ("?" + parts.query if parts.query else "")
        parts = urlsplit(target)
        path = target if foreign else _decode_path(parts.path)
        if path == "/__stats":
            body = json.dumps(server.stats(), ensure_ascii=False).encode()
            self.send_reply(Reply(200, body, {"Content-Type": "application/json"}), head_only)
            return
        if path == "/__reset":
            server.reset()
            self.send_reply(Reply(200, b'{"reset": true}', {"Content-Type": "application/json"}), head_only)
            return
        entry: dict[str, Any] = {
            "time": time.time(),
            "method": self.command,
            "path": target if foreign else path + ("?" + parts.query if parts.query else ""),
            "status": None,
            "user_agent": self.headers.get("User-Agent"),
            "absolute_form": absolute,
            "proxy_headers": self.proxy_headers(),
        }
        hits = server.record(entry, path)
        # Another host's URL is recorded (a crawler using the zoo as its proxy shows up) but not served.
        reply = _error(502, "Зоопарк не прокси") if foreign else server.respond(path, parts.query, hits)
        entry["status"] = reply.status
        self.send_reply(reply, head_only)

    def proxy_headers(self) -> dict[str, str]:
        found = {}
        for name, value in self.headers.items():
            lower = name.lower()
            if lower in ("via", "forwarded") or lower.startswith(("x-forwarded-", "proxy-")):
                # The value of a credential is nobody's business; that it was sent is the finding.
                redacted = lower == "proxy-authorization"
                found[name] = f"<redacted, {len(value)} characters>" if redacted else value
        return found

    def send_reply(self, reply: Reply, head_only: bool) -> None:
        if reply.delay and self.server.closing.wait(reply.delay):
            self.close_connection = True  # the server is closing: give up without a word
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif reply.framing == "close":
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            length = reply.length if reply.stream is not None else len(reply.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if head_only:
            return
        try:
            self.send_body(reply)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client hung up or stopped reading

    def send_body(self, reply: Reply) -> None:
        closing = self.server.closing
        if reply.reset_after is not None:
            self.wfile.write(reply.body[: reply.reset_after])
            self.reset_connection()
            return
        pieces: Iterator[bytes] = reply.stream() if reply.stream is not None else iter((reply.body,))
        if reply.drip:
            for index in range(reply.drip):
                self.wfile.write(reply.body[index : index + 1])
                if closing.wait(DRIP_INTERVAL):
                    self.close_connection = True
                    return
            pieces = iter((reply.body[reply.drip :],))
        chunked = reply.framing == "chunked"
        for piece in pieces:
            if closing.is_set():
                self.close_connection = True
                return
            if piece:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def reset_connection(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN, as a crashed server does."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The socket closes when its last file object does: rfile first, then the socket itself.
        self.rfile.close()
        self.connection.close()


def _decode_path(raw: str) -> str:
    """The request path as text: percent-escapes decoded as UTF-8, and raw UTF-8 bytes too (http.server
    reads the request line as Latin-1)."""
    with contextlib.suppress(UnicodeError):  # not UTF-8: keep the Latin-1 reading
        raw = raw.encode("latin-1").decode("utf-8")
    return unquote(raw, errors="replace")


def serve_zoo(
    port: int = 0,
    *,
    robots: str = "normal",
    slow_seconds: float = DEFAULT_SLOW_SECONDS,
    list_huge_sitemap: bool = False,
) -> tuple[ZooServer, str]:
    """Start the zoo on 127.0.0.1 in a daemon thread; returns the server and its base URL.

    ``robots`` chooses robots.txt (see the module docstring); ``slow_seconds`` is how long the slow
    page waits and the drip page drips (0..600); ``list_huge_sitemap`` names the 100,000-URL sitemap
    in robots.txt (off by default: a crawl would then schedule 100,000 requests). Stop it with
    ``server.shutdown(); server.server_close()``.
    """
    server = ZooServer(port, robots=robots, slow_seconds=slow_seconds, list_huge_sitemap=list_huge_sitemap)
    # A short poll interval: shutdown() waits up to one interval, and tests start many zoos.
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="zoo"
    ).start()
    return server, server.base_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the zoo of bad input on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--robots", choices=ROBOTS_MODES, default="normal", help="robots.txt behaviour")
    parser.add_argument(
        "--slow-seconds", type=float, default=DEFAULT_SLOW_SECONDS, help="slow and drip pages"
    )
    parser.add_argument(
        "--list-huge-sitemap", action="store_true", help="name the 100k sitemap in robots.txt"
    )
    args = parser.parse_args(argv)
    try:
        server, base_url = serve_zoo(
            args.port,
            robots=args.robots,
            slow_seconds=args.slow_seconds,
            list_huge_sitemap=args.list_huge_sitemap,
        )
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
