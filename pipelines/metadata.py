"""Page metadata from standard signals: JSON-LD, Open Graph and ``article:*`` meta, the visible byline.

Nothing here depends on a site's CSS classes: the signals are the ones every news CMS emits
(schema.org JSON-LD, ``og:*``, ``article:*``, ``<link rel=canonical>``, ``<html lang>``,
``<time datetime>``, ``rel=tag`` links, «Автор …» bylines). When a signal is missing the field
is None (or empty), never a guess from an unrelated part of the page. No settings are read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import lxml.html
from lxml.etree import ParserError, XMLSyntaxError, _Element

from pipelines.dates import DEFAULT_TZ, is_plausible, parse_iso, parse_visible
from pipelines.urls import safe_join

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "report", "liveblogposting",
}  # fmt: skip
# Words around a visible date that mark the byline, in the languages of the sites we crawl.
BYLINE_HINT = re.compile(r"date|time|byline|meta|publish|posted|author|info", re.IGNORECASE)
AUTHOR_PATTERN = re.compile(r"(?:^|\s)(?:Автор|Авторы|Author|Авторы материала|Автор материала)"
                            r"\s*:?\s+(?P<names>[^/|\n•·]{2,80})")  # fmt: skip
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass
class PageMetadata:
    """What the page says about itself, before any body-text extraction."""

    title: str | None = None
    description: str | None = None
    published: datetime | None = None
    published_source: str | None = None  # "jsonld", "meta", "time", "byline"
    modified: datetime | None = None
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    lang: str | None = None
    canonical: str | None = None
    og_type: str | None = None
    site_name: str | None = None
    jsonld_types: list[str] = field(default_factory=list)
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    rejected_dates: list[str] = field(default_factory=list)  # future or impossible dates seen

    @property
    def declares_article(self) -> bool:
        """The page declares itself an article (og:type or a JSON-LD article type)."""
        if self.og_type and self.og_type.lower() == "article":
            return True
        return any(kind.lower() in ARTICLE_TYPES for kind in self.jsonld_types)

    @property
    def declares_non_article(self) -> bool:
        """The page declares another type (og:type website, profile, ...) and no article type."""
        other = bool(self.og_type) and self.og_type.lower() != "article"  # type: ignore[union-attr]
        return other and not self.declares_article


def parse_html(html: str) -> _Element | None:
    """An lxml tree of ``html`` (a decoded page), or None when there is nothing to parse."""
    # lxml refuses str input that carries an XML encoding declaration; it is moot once decoded.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (ParserError, XMLSyntaxError, ValueError):
        return None


def clean_space(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _jsonld_nodes(tree: _Element) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):  # broken, or nested deeper than Python recurses
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                nodes.append(item)
    return nodes


def _types(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _names(value: Any) -> list[str]:
    """Person or organisation names from a JSON-LD ``author``-like value."""
    if isinstance(value, str):
        return [part for part in (clean_space(p) for p in re.split(r",|;| и ", value)) if part]
    if isinstance(value, dict):
        name = value.get("name")
        return [clean_space(name)] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _person_names(value: Any) -> list[str]:
    """JSON-LD authors that are people: an Organization as author is the publisher, not a byline
    (a visible «Автор Vecher.kz» byline still counts, see _byline_authors)."""
    values = value if isinstance(value, list) else [value]
    people = [v for v in values if not (isinstance(v, dict) and "Organization" in _types(v))]
    return _names(people)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [clean_space(part) for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [item for part in value for item in _strings(part)]
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [clean_space(value["name"])]
    return []


def _image(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list) and value:
        return _image(value[0])
    return None


def _meta(tree: _Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in tree.xpath("//meta[@content]"):
        content = clean_space(element.get("content"))
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _dated(value: str | None, tz: tzinfo, now: datetime | None, rejected: list[str]) -> datetime | None:
    if not value:
        return None
    moment = parse_iso(value, tz)
    if moment is None:
        return None
    if not is_plausible(moment, now):
        rejected.append(value)
        return None
    return moment


def _visible_date(tree: _Element, tz: tzinfo, now: datetime | None) -> datetime | None:
    """The byline date: first a date inside an element that looks like a byline, then the first
    date after the headline, so that dates of related news and comments are not taken."""
    body = tree.find("body")
    if body is None:
        return None
    candidates: list[_Element] = []
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in {"script", "style", "noscript"}:
            continue
        hint = " ".join(str(element.get(a) or "") for a in ("class", "id", "itemprop"))
        if element.tag == "time" or BYLINE_HINT.search(hint):
            candidates.append(element)
    for element in candidates:
        moment = parse_visible(clean_space(element.text_content()), tz, now)
        if moment is not None and is_plausible(moment, now):
            return moment
    headline = body.find(".//h1")
    text = _text_after(body, headline) if headline is not None else clean_space(body.text_content())
    moment = parse_visible(text[:3000], tz, now)
    return moment if moment is not None and is_plausible(moment, now) else None


def _text_after(body: _Element, headline: _Element) -> str:
    parts: list[str] = []
    started = False
    for element in body.iter():
        if element is headline:
            started = True
        if not started or not isinstance(element.tag, str):
            continue
        if element.tag in {"script", "style", "noscript"}:
            continue
        parts.append(element.text or "")
        parts.append(element.tail or "")
        if sum(map(len, parts)) > 3000:
            break
    return clean_space(" ".join(parts))


def _byline_authors(tree: _Element) -> list[str]:
    body = tree.find("body")
    if body is None:
        return []
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in {"script", "style"}:
            continue
        own = clean_space(element.text_content())
        if len(own) > 120:
            continue
        match = AUTHOR_PATTERN.search(own)
        if match:
            return _names(match["names"].strip(" :—-"))
    return []


def _hinted(tree: _Element, word: str) -> list[_Element]:
    """Elements whose class or id names ``word`` (as a whole part: "tags", "article__tags")."""
    pattern = re.compile(rf"(?:^|[\s_-]){word}s?(?:$|[\s_-])", re.IGNORECASE)
    return [
        element
        for element in tree.iter()
        if isinstance(element.tag, str)
        and pattern.search(f"{element.get('class') or ''} {element.get('id') or ''}")
    ]


def _visible_tags(tree: _Element) -> list[str]:
    """Tag links: ``rel=tag``, else the links of the first block named "tags" (not a cloud)."""
    links = tree.xpath('//a[@rel="tag"]')
    if not links:
        for block in _hinted(tree, "tag"):
            hint = f"{block.get('class') or ''} {block.get('id') or ''}".lower()
            if "cloud" in hint or "popular" in hint:
                continue
            links = block.xpath(".//a[@href]")
            if links:
                break
    return [clean_space(a.text_content()).lstrip("#").strip() for a in links]


def _visible_rubric(tree: _Element) -> str | None:
    """A short block named "rubric" or "category" holding one link: the section."""
    for word in ("rubric", "category", "section-name", "news-category"):
        for block in _hinted(tree, word):
            text = clean_space(block.text_content())
            links = block.xpath(".//a")
            if 0 < len(text) <= 40 and len(links) == 1:
                return text
    return None


IMAGE_NOISE = re.compile(r"logo|icon|avatar|banner|sprite|pixel|counter|placeholder|\.svg|\.gif", re.I)


# Blocks around an article whose images are other articles' thumbnails.
ASIDE = re.compile(
    r"related|popular|aside|sidebar|widget|footer|comment|recommend|teaser|thumb|"
    r"more|read-also|readalso|also|other|latest|top-news|most",
    re.I,
)


def _hint(element: _Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''} {element.tag}"


def _first_image(tree: _Element) -> str | None:
    """The first content image after the headline, for pages without og:image."""
    headline = tree.find(".//h1")
    if headline is None:
        return None
    started = False
    for element in tree.iter():
        if element is headline:
            started = True
        if started and element.tag == "img":
            src = (element.get("src") or element.get("data-src") or "").strip()
            hint = f"{src} {element.get('class') or ''}"
            if src and not src.startswith("data:") and not IMAGE_NOISE.search(hint):
                if not any(ASIDE.search(_hint(a)) for a in element.iterancestors()):
                    return src
    return None


HOME_WORDS = {"главная", "home", "басты бет", "басты", "новости", "main"}


def _visible_breadcrumb_section(tree: _Element, title: str | None) -> str | None:
    """The first crumb after «Главная» in a visible breadcrumb trail."""
    for block in _hinted(tree, "breadcrumb"):
        for crumb in block.xpath(".//a | .//span[not(.//a)] | .//li[not(.//a)]"):
            text = clean_space(crumb.text_content())
            href = (crumb.get("href") or "").strip() if crumb.tag == "a" else None
            if len(text) < 2 or text.casefold() in HOME_WORDS or href in ("/", "") or text == title:
                continue
            return text
    return None


def guess_lang(text: str) -> str | None:
    """Kazakh, Russian or English from the letters used, for pages that do not say."""
    sample = text[:5000]
    if not sample.strip():
        return None
    if len(KAZAKH_LETTERS.findall(sample)) > 5:
        return "kk"
    if len(CYRILLIC.findall(sample)) > len(sample) * 0.2:
        return "ru"
    if re.search(r"[a-z]", sample, re.IGNORECASE):
        return "en"
    return None


def _lang(tree: _Element, meta: dict[str, list[str]], nodes: list[dict[str, Any]]) -> str | None:
    raw = tree.get("lang") or tree.get("xml:lang") or ""
    if not raw:
        for node in nodes:
            if isinstance(node.get("inLanguage"), str):
                raw = node["inLanguage"]
                break
    raw = raw or _first(meta, "og:locale", "content-language", "language") or ""
    code = raw.strip().lower().replace("_", "-").split("-")[0]
    return {"kz": "kk", "qaz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}.get(code, code) or None


def _article_node(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    for node in nodes:
        if any(kind.lower() in ARTICLE_TYPES for kind in _types(node)):
            return node
    return {}


def _text_value(value: Any) -> str | None:
    """A JSON-LD value that should be text: numbers and other types are not names."""
    return value if isinstance(value, str) else None


def _breadcrumb_section(nodes: list[dict[str, Any]]) -> str | None:
    for node in nodes:
        if "BreadcrumbList" in _types(node) and isinstance(node.get("itemListElement"), list):
            names = [
                clean_space(
                    _text_value(item.get("name"))
                    or (_text_value(item["item"].get("name")) if isinstance(item.get("item"), dict) else None)
                )
                for item in node["itemListElement"]
                if isinstance(item, dict)
            ]
            # Home, section, [article]: the section is the second crumb.
            if len(names) >= 2 and names[1]:
                return names[1]
    return None


def read_metadata(
    tree: _Element, url: str, tz: tzinfo = DEFAULT_TZ, now: datetime | None = None
) -> PageMetadata:
    """Everything the page declares about itself; see the module docstring for the signals."""
    nodes = _jsonld_nodes(tree)
    node = _article_node(nodes)
    meta = _meta(tree)
    result = PageMetadata(jsonld=nodes)
    result.jsonld_types = [kind for n in nodes for kind in _types(n)]
    result.og_type = _first(meta, "og:type")
    result.site_name = _first(meta, "og:site_name")

    h1 = tree.find(".//h1")
    title_tag = tree.find(".//title")
    title = (
        (node.get("headline") if isinstance(node.get("headline"), str) else None)
        or _first(meta, "og:title", "twitter:title")
        or (clean_space(h1.text_content()) if h1 is not None else None)
        or (clean_space(title_tag.text_content()) if title_tag is not None else None)
    )
    result.title = strip_site_name(clean_space(title), result.site_name) or None
    description = node.get("description") if isinstance(node.get("description"), str) else None
    result.description = (
        clean_space(description or _first(meta, "og:description", "description", "twitter:description"))
        or None
    )

    rejected = result.rejected_dates
    published_sources = [
        ("jsonld", node.get("datePublished") if isinstance(node.get("datePublished"), str) else None),
        ("meta", _first(meta, "article:published_time", "og:published_time", "datepublished",
                        "pubdate", "publish-date", "publish_date", "date", "dc.date.issued")),
        ("time", next(iter(tree.xpath("//time[@datetime]/@datetime")), None)),
    ]  # fmt: skip
    for source, value in published_sources:
        moment = _dated(str(value) if value else None, tz, now, rejected)
        if moment is not None:
            result.published, result.published_source = moment, source
            break
    if result.published is None:
        result.published = _visible_date(tree, tz, now)
        result.published_source = "byline" if result.published else None
    modified = node.get("dateModified") if isinstance(node.get("dateModified"), str) else None
    modified = modified or _first(meta, "article:modified_time", "og:updated_time", "datemodified")
    result.modified = _dated(modified, tz, now, rejected)
    if result.modified and result.published and result.modified <= result.published:
        # Equal: never modified (many CMSs stamp both at once); earlier: a wrong stamp.
        result.modified = None

    authors = _person_names(node.get("author")) or [
        name for value in meta.get("author", []) + meta.get("article:author", [])
        if not value.startswith("http") for name in _names(value)
    ]  # fmt: skip
    result.authors = _unique(authors or _byline_authors(tree))
    section = node.get("articleSection")
    result.section = (
        next(iter(_strings(section)), None)
        or _first(meta, "article:section")
        or _breadcrumb_section(nodes)
        or _visible_breadcrumb_section(tree, result.title)
        or _visible_rubric(tree)
    )
    tags = meta.get("article:tag", []) + _strings(node.get("keywords"))
    if not tags:
        tags = _visible_tags(tree)
    result.tags = _unique([tag for tag in tags if tag])
    image = _image(node.get("image")) or _first(meta, "og:image", "twitter:image") or _first_image(tree)
    result.image_url = safe_join(url, image) if image else None
    result.lang = _lang(tree, meta, nodes)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    result.canonical = safe_join(url, canonical[0].strip()) if canonical and canonical[0].strip() else None
    return result


def strip_site_name(title: str, site_name: str | None) -> str:
    """«Заголовок - Vecher.kz» -> «Заголовок»: drop the site's name appended to a title."""
    names = [site_name] if site_name else []
    for name in names:
        for separator in (" - ", " — ", " | ", " – ", " :: "):
            suffix = f"{separator}{name}"
            if title.lower().endswith(suffix.lower()):
                return title[: -len(suffix)].strip()
    return title
