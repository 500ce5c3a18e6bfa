"""Provenance stage: the chain of sources an article rests on, from its text and its page.

Two kinds of evidence, both read from the page BEFORE cleaning (so a credit line that cleaning
removes still counts):
- attribution phrases in the text («сообщает Vecher.kz со ссылкой на МИА «Казинформ»», «по данным
  Казгидромета», datelines, Kazakh and English forms): :func:`pipelines.attribution.find_citations`;
- structural signals of the page: links in the article's paragraphs to other outlets' articles,
  «Оригинал статьи» / «Источник» links, a ``rel=canonical`` on another site, JSON-LD ``isBasedOn``
  and ``sourceOrganization``. A structural signal that confirms a phrase adds its URL to it.

``page_citations(record, html)`` gives the chain for a record of pipelines.article; the store keeps
it in ``citations`` and resolves each hop to the cited article when that article is stored too.

Command line (reads an article's text on stdin):
    python -m pipelines.provenance --publisher vecher.kz < article.txt
prints ``{"citations": [...]}``.

Settings read by :class:`ProvenancePipeline`: ``PROVENANCE_ENABLED`` (default True).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from crawler.items import is_page
from pipelines.attribution import find_citations
from pipelines.metadata import clean_space, parse_html
from pipelines.outlets import Outlet, Registry, load_registry
from pipelines.urls import host_of, safe_join

if TYPE_CHECKING:  # Scrapy stays out of the import path of the pure functions.
    from scrapy.crawler import Crawler

__all__ = ["ProvenancePipeline", "find_citations", "page_citations", "publisher_domain"]

SOURCE_LINK_WORDS = re.compile(
    r"^\s*(?:оригинал статьи|источник|первоисточник|дереккөз|түпнұсқа|source|original article)\s*:?",
    re.IGNORECASE,
)
BLOCK_TAGS = {"p", "li", "blockquote", "div", "td", "h2", "h3", "figcaption", "section"}


def publisher_domain(site_id: str | None, url: str, registry: Registry | None = None) -> str | None:
    """The domain find_citations needs: the outlet's own domain, else the URL's host."""
    registry = registry or load_registry()
    outlet = registry.by_id(site_id) if site_id else None
    if outlet is not None and outlet.domains:
        return outlet.domains[0]
    return host_of(url)


def _outlet_for_url(url: str, registry: Registry) -> Outlet | None:
    host = host_of(url)
    return registry.by_domain(host) if host else None


def _structural(record: dict[str, Any], html: str | None, publisher: Outlet | None,
                registry: Registry) -> list[dict[str, Any]]:  # fmt: skip
    """Citations proven by the page's structure rather than its words."""
    found: list[dict[str, Any]] = []
    base_url = record.get("fetched_url") or record.get("url") or ""

    def add(url: str, method: str, evidence: str, name: str | None = None) -> None:
        outlet = _outlet_for_url(url, registry)
        if outlet is None and method == "link":
            return  # a body link to an unknown site is not evidence of a source
        if outlet is not None and publisher is not None and outlet.id == publisher.id:
            return  # a link to the outlet's own pages
        found.append({
            "source": outlet.id if outlet else None,
            "source_name": name or (outlet.name if outlet else host_of(url) or url),
            "name": outlet.name if outlet else None,
            "relation": "cites", "method": method, "evidence": evidence[:300],
            "confidence": 0.9 if method != "link" else 0.6, "cited_url": url,
        })  # fmt: skip

    canonical = record.get("foreign_canonical")
    if canonical:
        add(canonical, "canonical", f'<link rel="canonical" href="{canonical}">')
    for node in record.get("jsonld") or []:
        based = node.get("isBasedOn") if isinstance(node, dict) else None
        for item in based if isinstance(based, list) else [based]:
            url = (
                item if isinstance(item, str) else (item or {}).get("url") if isinstance(item, dict) else None
            )
            if isinstance(url, str) and url.startswith("http"):
                add(url, "jsonld", f"isBasedOn: {url}")
        org = node.get("sourceOrganization") if isinstance(node, dict) else None
        if isinstance(org, dict) and isinstance(org.get("name"), str):
            outlet = registry.lookup(org["name"])
            if outlet is None or publisher is None or outlet.id != publisher.id:
                found.append({
                    "source": outlet.id if outlet else None, "source_name": org["name"],
                    "name": outlet.name if outlet else None, "relation": "cites",
                    "method": "jsonld", "evidence": f"sourceOrganization: {org['name']}",
                    "confidence": 0.9, "cited_url": org.get("url") if isinstance(org.get("url"), str) else None,
                })  # fmt: skip
    links = record.get("links")
    if links is None and html:
        tree = parse_html(html)
        links = outbound_links(tree, base_url, record.get("raw_paragraphs") or []) if tree is not None else []
    for link in links or []:
        add(link["url"], link["kind"], link["block"], link["text"] or None)
    return found


def outbound_links(tree: Any, base_url: str, paragraphs: list[str]) -> list[dict[str, str]]:
    """Absolute links of the page that may prove a source: «Источник: <a>»-style lines anywhere
    (kind ``source_link``) and links inside the article's own paragraphs (kind ``link``)."""
    texts = {clean_space(p) for p in paragraphs}
    links = []
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href.startswith(("http://", "https://", "//")):
            continue
        block = next((a for a in anchor.iterancestors() if a.tag in BLOCK_TAGS), None)
        block_text = clean_space(block.text_content()) if block is not None else ""
        if SOURCE_LINK_WORDS.match(block_text) and len(block_text) < 300:
            kind = "source_link"
        elif block_text and block_text in texts:
            kind = "link"
        else:
            continue
        joined = safe_join(base_url, href)
        if joined is None:
            continue
        links.append({"url": joined, "kind": kind, "block": block_text,
                      "text": clean_space(anchor.text_content())})  # fmt: skip
    return links


def page_citations(record: dict[str, Any], html: str | None = None,
                   registry: Registry | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The ordered citation chain of an article record (see the module docstring)."""
    registry = registry or load_registry()
    domain = publisher_domain(record.get("outlet"), record.get("fetched_url") or "", registry)
    publisher = registry.by_domain(domain) if domain else None
    text = "\n".join(record.get("raw_paragraphs") or [])
    citations = find_citations(text, publisher=domain)
    cited_by_default = publisher.id if publisher else domain
    for extra in _structural(record, html, publisher, registry):
        same = next((c for c in citations if extra["source"] and c.get("source") == extra["source"]), None)
        if same is not None:
            # The page's structure confirms the phrase: keep the phrase, add the URL.
            same["cited_url"] = same.get("cited_url") or extra["cited_url"]
            same["confidence"] = max(float(same.get("confidence") or 0), extra["confidence"])
            continue
        if any(c.get("cited_url") == extra["cited_url"] for c in citations if extra["cited_url"]):
            continue
        citations.append({**extra, "cited_by": cited_by_default, "resolved_article_id": None})
    for position, citation in enumerate(citations, 1):
        citation["position"] = position
        citation.setdefault("resolved_article_id", None)
    return citations


class ProvenancePipeline:
    """Sets ``item.citations`` from the uncleaned text and the raw page."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProvenancePipeline:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("PROVENANCE_ENABLED", True):
            raise NotConfigured("PROVENANCE_ENABLED is off")
        return cls(load_registry())

    def process_item(self, item: Any) -> Any:
        if not is_page(item):
            return item  # a GoneItem: nothing to extract, only the store acts on it
        from itemadapter import ItemAdapter  # here: the pure functions above need no Scrapy

        adapter = ItemAdapter(item)
        if (adapter.get("extra") or {}).get("precomputed"):
            return item  # found already, in the extraction worker (EXTRACT_WORKERS)
        record = adapter.asdict()
        record.update(adapter.get("extra") or {})
        adapter["citations"] = page_citations(record, registry=self.registry)
        return item


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print the citations found in an article's text (read from stdin) as JSON."
    )
    parser.add_argument("--publisher", help="the domain the text was published on, e.g. vecher.kz")
    args = parser.parse_args(argv)
    text = sys.stdin.read()
    citations = find_citations(text, publisher=args.publisher)
    json.dump({"citations": citations}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
