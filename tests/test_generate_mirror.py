"""The synthetic mirror generator (bench/generate_mirror.py): its files are where the mirror server
looks, discovery (robots.txt, sitemaps, listings, feed) reaches every article, pages are heavy and
dated with the right Almaty offset, the ground truth is what the pages show, the same seed gives the
same bytes, and the extraction pipeline reads the generated pages as it reads the recorded ones."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from bench.generate_mirror import KB, PAGE_MAX, PAGE_MIN, PER_PAGE, URLS_PER_SITEMAP, generate, main
from mirror.server import Mirror
from pipelines import article_from_html

ARTICLES = 60
PAGINATED = 200  # 50 a section on average: three listing pages
SEED = 1
BASE = "http://127.0.0.1:8123"  # what the server puts in place of __BASE__
SECTIONS = ("society", "politics", "incidents", "economics")


def make_mirror(tmp_path_factory: pytest.TempPathFactory, articles: int) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("generated") / "mirror"
    summary = generate(root, articles=articles, seed=SEED)
    truth = [json.loads(line) for line in (root / "_articles.jsonl").read_text("utf-8").splitlines()]
    return {"root": root, "summary": summary, "truth": truth, "mirror": Mirror(root)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return make_mirror(tmp_path_factory, ARTICLES)


@pytest.fixture(scope="module")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A mirror large enough for every section to have several listing pages."""
    return make_mirror(tmp_path_factory, PAGINATED)


def served(generated: dict[str, Any], target: str) -> str:
    """The text the mirror server answers ``target`` with."""
    file = generated["mirror"].file_for(target)
    assert file is not None, f"the server has no file for {target}"
    return str(file.read_text("utf-8")).replace("__BASE__", BASE)


def local(url: str) -> str:
    return url.removeprefix(BASE)


def article_paths(generated: dict[str, Any]) -> set[str]:
    return {record["path"] for record in generated["truth"]}


def test_every_file_is_where_the_server_looks(generated: dict[str, Any]) -> None:
    mirror: Mirror = generated["mirror"]
    assert len(generated["truth"]) == ARTICLES
    missing = [path for path in article_paths(generated) if mirror.file_for(path) is None]
    assert missing == []
    assert all(re.fullmatch(r"/ru/article/[a-z0-9-]+-\d+\.html", path) for path in article_paths(generated))
    for target in ("/", "/robots.txt", "/sitemap.xml", "/sitemaps/news.xml", "/ru/rss.xml", "/ru/society"):
        assert mirror.file_for(target) is not None, target
    assert mirror.file_for("/_articles.jsonl") is None  # the ground truth is never served
    non_articles = json.loads((generated["root"] / "_non_articles.json").read_text("utf-8"))
    assert [target for target in non_articles if mirror.file_for(target) is None] == []


def sitemap_urls(generated: dict[str, Any], target: str) -> set[str]:
    text = served(generated, target)
    if "<sitemapindex" in text:
        children = re.findall(r"<sitemap>\s*<loc>([^<]+)</loc>\s*<lastmod>[^<]+</lastmod>", text)
        assert len(children) == text.count("<sitemap>"), "every sitemap of the index has a lastmod"
        return set().union(*(sitemap_urls(generated, local(child)) for child in children))
    urls = re.findall(r"<loc>([^<]+)</loc>", text)
    assert len(urls) <= URLS_PER_SITEMAP
    return {local(url) for url in urls}


def test_robots_and_sitemaps_reach_every_article(generated: dict[str, Any]) -> None:
    robots = served(generated, "/robots.txt")
    sitemaps = re.findall(r"^Sitemap:\s*(\S+)", robots, re.M)
    assert f"{BASE}/sitemap.xml" in sitemaps
    found = set().union(*(sitemap_urls(generated, local(url)) for url in sitemaps))
    assert found == article_paths(generated)


@pytest.mark.parametrize("name", ["generated", "paginated"])
def test_listings_reach_every_article_twenty_a_page(name: str, request: pytest.FixtureRequest) -> None:
    site: dict[str, Any] = request.getfixturevalue(name)
    home = lxml.html.fromstring(served(site, "/"))
    assert {f"/ru/{slug}" for slug in SECTIONS} <= set(home.xpath("//a/@href"))
    found: list[str] = []
    for slug in SECTIONS:
        target: str | None = f"/ru/{slug}"
        number = 1
        while target:
            assert target == (f"/ru/{slug}" if number == 1 else f"/ru/{slug}?page={number}")
            page = lxml.html.fromstring(served(site, target))
            cards = page.xpath('//div[@class="cards-grid"]//a[@class="card__link"]/@href')
            following = page.xpath('//a[@class="pager__next"]/@href')
            previous = page.xpath('//a[@class="pager__prev"]/@href')
            assert len(cards) == PER_PAGE if following else 0 < len(cards) <= PER_PAGE
            assert bool(previous) == (number > 1)
            found += cards
            target = following[0] if following else None
            number += 1
        if name == "paginated":
            assert number > 2, f"/ru/{slug} has one page only"
    assert sorted(found) == sorted(article_paths(site))


def test_feed_lists_the_newest_fifty(generated: dict[str, Any]) -> None:
    feed = served(generated, "/ru/rss.xml")
    links = [local(url) for url in re.findall(r"<link>([^<]+/ru/article/[^<]+)</link>", feed)]
    newest = generated["truth"][::-1][:50]  # the ground truth is oldest first
    assert links == [record["path"] for record in newest]
    dates = [datetime.fromisoformat(record["published"]) for record in newest]
    assert dates == sorted(dates, reverse=True)


def test_article_pages_weigh_60_to_150_kb(generated: dict[str, Any]) -> None:
    sizes = {path: generated["mirror"].file_for(path).stat().st_size for path in article_paths(generated)}
    outside = {path: size for path, size in sizes.items() if not PAGE_MIN <= size <= PAGE_MAX}
    assert outside == {}
    figures = generated["summary"]["page_kb"]
    assert PAGE_MIN / KB <= figures["min"] <= figures["mean"] <= figures["max"] <= PAGE_MAX / KB


def test_dates_carry_the_almaty_offset_of_their_day(generated: dict[str, Any]) -> None:
    offsets = set()
    for record in generated["truth"]:
        published = datetime.fromisoformat(record["published"])
        expected = "+06:00" if published.date() < date(2024, 3, 1) else "+05:00"
        assert record["published"].endswith(expected), record["published"]
        assert date(2022, 1, 1) <= published.date() <= date(2025, 12, 31)
        offsets.add(expected)
        page = served(generated, record["path"])
        if record["machine_date"] != "none":
            assert f'content="{record["published"]}"' in page
        else:  # only the visible byline dates the page
            assert "article:published_time" not in page and '"datePublished"' not in page
    assert offsets == {"+06:00", "+05:00"}


def test_metadata_and_templates_are_mixed_like_the_recorded_mirror(generated: dict[str, Any]) -> None:
    kinds = {record["machine_date"] for record in generated["truth"]}
    assert kinds == {"jsonld", "meta", "none"}
    assert {record["template"] for record in generated["truth"]} == {"old", "new"}
    for record in generated["truth"]:
        page = served(generated, record["path"])
        assert ('"NewsArticle"' in page) == (record["machine_date"] == "jsonld"), record["path"]
        assert ('class="article__lead"' in page) == (record["template"] == "new"), record["path"]


def test_ground_truth_paragraphs_are_verbatim_in_the_pages(generated: dict[str, Any]) -> None:
    for record in generated["truth"]:
        page = html.unescape(served(generated, record["path"]))
        assert 4 <= len(record["paragraphs"]) <= 14
        assert record["paragraphs"][0] == record["lead"]
        assert [p for p in record["paragraphs"] if p not in page] == [], record["path"]
        assert f">{record['title']}<" in page


def test_texts_differ_except_the_deliberate_near_duplicates(generated: dict[str, Any]) -> None:
    truth = generated["truth"]
    by_path = {record["path"]: record for record in truth}
    copies = [record for record in truth if record["near_duplicate_of"]]
    assert len(copies) == round(ARTICLES * 0.02)
    for copy in copies:
        original = by_path[copy["near_duplicate_of"]]
        changed = [
            i
            for i, (a, b) in enumerate(zip(copy["paragraphs"], original["paragraphs"], strict=True))
            if a != b
        ]
        assert len(changed) == 1
        assert jaccard(copy, original) >= 0.5
    pairs = {(copy["path"], copy["near_duplicate_of"]) for copy in copies}
    for i, a in enumerate(truth):
        for b in truth[i + 1 :]:
            if (a["path"], b["path"]) not in pairs and (b["path"], a["path"]) not in pairs:
                assert jaccard(a, b) < 0.5, (a["path"], b["path"])
    own = [p for record in truth if not record["near_duplicate_of"] for p in record["paragraphs"]]
    assert len(own) == len(set(own)), "a paragraph of one article is in another"


def jaccard(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Word 3-shingles, as the crawler's near-duplicate detection counts them."""

    def shingles(record: dict[str, Any]) -> set[str]:
        words = re.findall(r"\w+", " ".join(record["paragraphs"]).casefold())
        return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def digests(root: Path) -> dict[str, str]:
    return {
        file.relative_to(root).as_posix(): hashlib.sha1(file.read_bytes()).hexdigest()
        for file in sorted(root.rglob("*"))
        if file.is_file()
    }


def test_the_same_seed_gives_the_same_bytes(generated: dict[str, Any], tmp_path: Path) -> None:
    generate(tmp_path / "again", articles=ARTICLES, seed=SEED)
    assert digests(tmp_path / "again") == digests(generated["root"])
    generate(tmp_path / "other", articles=ARTICLES, seed=SEED + 1)
    assert digests(tmp_path / "other") != digests(generated["root"])


def test_the_command_prints_a_summary_and_refuses_foreign_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "small"), "--articles", "12", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"articles 12 .*files \d+, total [\d.]+ MB, article page KB: mean [\d.]+ min", printed)
    assert re.search(r", [\d.]+ s$", printed.strip())
    assert main([str(tmp_path / "small"), "--articles", "12"]) == 0  # its own output is replaced
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "keep.txt").write_text("not ours", "utf-8")
    with pytest.raises(SystemExit):
        main([str(tmp_path / "foreign"), "--articles", "12"])
    assert (tmp_path / "foreign" / "keep.txt").exists()


def test_the_pipeline_reads_generated_pages(generated: dict[str, Any]) -> None:
    """Title and date must be right on every page; the text may differ (boilerplate the extractor
    keeps), but every paragraph of the ground truth must be in it on at least 90% of the pages."""
    wrong: dict[str, list[str]] = {"title": [], "published": [], "paragraphs": []}
    for record in generated["truth"]:
        url = BASE + record["path"]
        extracted = article_from_html(served(generated, record["path"]), url, site="vecher_kz")
        if extracted["title"] != record["title"]:
            wrong["title"].append(f"{record['path']}: {extracted['title']!r}")
        if extracted["published"] != record["published"]:
            wrong["published"].append(
                f"{record['path']}: {extracted['published']!r} != {record['published']}"
            )
        text = extracted["text"] or ""
        missing = [p for p in record["paragraphs"] if p not in text]
        if missing:
            kind = f"{record['template']}/{record['machine_date']}"
            wrong["paragraphs"].append(f"{record['path']} ({kind}): {missing[0][:80]!r}")
    assert wrong["title"] == [] and wrong["published"] == [], wrong
    assert len(wrong["paragraphs"]) <= 0.1 * ARTICLES, wrong["paragraphs"]
