"""Main-text extraction quality on a folder of pages with hand-cleaned gold text.

    python bench/extraction_quality.py [--data DIR] [--json out.json] [--worst N]

The folder (default: ../shared/data/ru-news-extraction-dev next to the repository) holds
``gold.jsonl`` ({"id", "url", "text"} a line) and ``pages/<id>.html`` (UTF-8).  Every page is
scored, side by side, for:

* trafilatura.extract(html), default options, and with favor_precision=True, each alone and
  with trafilatura's own extracted title prepended (the gold usually starts with the headline);
* our pipeline: pipelines.article_from_html(html, url) -> {"title", "text"}, scored on "text"
  and on "title + text"; when that function is missing or broken, pipelines.extract
  .extract_paragraphs with trafilatura's title instead (a note says so).  Our extractor alone
  (extract_paragraphs, before the phrase cleaner) is always scored too.

Metric (the dev set's score.py, re-implemented here): NFKC, lower-case, \\w+ tokens, multiset
overlap; per page P = TP/|pred|, R = TP/|gold|, F1; means over pages.  An empty prediction
scores 0.  Pages are decoded to str before extraction, as the crawl does.  pages/s counts the
extraction call only.  Reads no settings.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = (REPO / ".." / "shared" / "data" / "ru-news-extraction-dev").resolve()
_WORD = re.compile(r"\w+")


def tokens(text: str | None) -> Counter[str]:
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text or "").lower()))


def page_scores(gold: str, pred: str | None) -> tuple[float, float, float]:
    """(P, R, F1) of one page; both empty is a perfect score, one empty scores 0."""
    g, p = tokens(gold), tokens(pred)
    n_gold, n_pred = sum(g.values()), sum(p.values())
    if n_gold == 0 and n_pred == 0:
        return 1.0, 1.0, 1.0
    tp = sum((g & p).values())
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


@dataclass
class Page:
    id: str
    url: str
    gold: str
    html: str
    trafilatura_title: str = ""


@dataclass
class Variant:
    """One way of extracting; `run` returns (title, text) for a page."""

    name: str
    run: Callable[[Page], tuple[str, str]]
    seconds: float = 0.0
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)


def load_pages(data: Path) -> list[Page]:
    pages = []
    with (data / "gold.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                raw = (data / "pages" / f"{row['id']}.html").read_bytes()
                pages.append(
                    Page(
                        row["id"],
                        row.get("url") or "",
                        row.get("text") or "",
                        raw.decode("utf-8", errors="replace"),
                    )
                )
    return pages


def _extract_module() -> Any:
    """pipelines.extract, loaded from its file when the package itself does not import."""
    try:
        from pipelines import extract

        return extract
    except Exception:  # another stage of the package may be broken
        spec = importlib.util.spec_from_file_location("_bench_extract", REPO / "pipelines" / "extract.py")
        if spec is None or spec.loader is None:
            raise
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


def our_variants() -> tuple[list[Variant], str]:
    """The pipeline variants and a note on which entry point was used."""
    sys.path.insert(0, str(REPO))
    extract = _extract_module()

    def paragraphs_only(page: Page) -> tuple[str, str]:
        return page.trafilatura_title, "\n".join(extract.extract_paragraphs(page.html, page.url))

    variants = [Variant("ours: extract_paragraphs (+trafilatura title)", paragraphs_only)]
    try:
        from pipelines import article_from_html
    except Exception as exc:  # report, and score the extractor alone
        note = (
            f"NOTE: pipelines.article_from_html unavailable ({type(exc).__name__}: {exc}); "
            "scored extract_paragraphs with trafilatura's title instead"
        )
        return variants, note

    def pipeline(page: Page) -> tuple[str, str]:
        record = article_from_html(page.html, page.url)
        return str(record.get("title") or ""), str(record.get("text") or "")

    variants.insert(0, Variant("ours: article_from_html", pipeline))
    return variants, "ours = pipelines.article_from_html(html, url)"


def trafilatura_variants() -> list[Variant]:
    def default(page: Page) -> tuple[str, str]:
        return page.trafilatura_title, trafilatura.extract(page.html) or ""

    def precision(page: Page) -> tuple[str, str]:
        return page.trafilatura_title, trafilatura.extract(page.html, favor_precision=True) or ""

    return [Variant("trafilatura default", default), Variant("trafilatura favor_precision", precision)]


def run_variant(variant: Variant, pages: list[Page]) -> None:
    for page in pages:
        start = time.perf_counter()
        try:
            variant.outputs[page.id] = variant.run(page)
        except Exception as exc:  # a crash scores as an empty prediction
            print(f"  {variant.name}: {page.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            variant.outputs[page.id] = ("", "")
        variant.seconds += time.perf_counter() - start


def summarize(variant: Variant, pages: list[Page], with_title: bool) -> dict[str, Any]:
    per_page = {}
    for page in pages:
        title, text = variant.outputs[page.id]
        pred = f"{title}\n{text}" if with_title and title else text
        per_page[page.id] = page_scores(page.gold, pred)
    n = len(pages)
    return {
        "variant": variant.name + (" | title + text" if with_title else " | text"),
        "f1": sum(s[2] for s in per_page.values()) / n,
        "precision": sum(s[0] for s in per_page.values()) / n,
        "recall": sum(s[1] for s in per_page.values()) / n,
        "empty": sum(1 for p in pages if not variant.outputs[p.id][1].strip()),
        "pages_per_second": n / variant.seconds if variant.seconds else None,
        "per_page": per_page,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["variant"]) for r in rows)
    print(f"{'variant':<{width}}  {'F1':>6} {'P':>6} {'R':>6} {'empty':>5} {'pages/s':>8}")
    for r in rows:
        speed = f"{r['pages_per_second']:8.1f}" if r["pages_per_second"] else f"{'-':>8}"
        print(
            f"{r['variant']:<{width}}  {r['f1']:6.3f} {r['precision']:6.3f} "
            f"{r['recall']:6.3f} {r['empty']:5d} {speed}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"folder with gold.jsonl and pages/ (default: {DEFAULT_DATA})",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--worst", type=int, default=0, help="list the N lowest-F1 pages for ours")
    ap.add_argument("--limit", type=int, default=0, help="score only the first N pages")
    args = ap.parse_args(argv)

    data = args.data.resolve()
    if not (data / "gold.jsonl").is_file() or not (data / "pages").is_dir():
        print(
            f"No evaluation data at {data} (expected gold.jsonl and pages/); nothing to "
            "score.  Pass --data DIR to point at the ru-news-extraction-dev folder."
        )
        return 0
    pages = load_pages(data)
    if args.limit:
        pages = pages[: args.limit]
    for page in pages:  # trafilatura's own title, for the baselines (not timed)
        page.trafilatura_title = trafilatura.extract_metadata(page.html).title or ""

    ours, note = our_variants()
    variants = trafilatura_variants() + ours
    for variant in variants:
        run_variant(variant, pages)
    rows = []
    for variant in variants:
        rows += [summarize(variant, pages, False), summarize(variant, pages, True)]

    print(f"{len(pages)} pages from {data}\n{note}\n")
    print_table(rows)
    if args.worst:
        main_row = next(r for r in rows if r["variant"] == ours[0].name + " | title + text")
        print(f"\nlowest F1, {main_row['variant']}:\n{'F1':>6} {'P':>6} {'R':>6}  id")
        worst = sorted(main_row["per_page"].items(), key=lambda kv: (kv[1][2], kv[0]))
        for page_id, (p, r, f) in worst[: args.worst]:
            print(f"{f:6.3f} {p:6.3f} {r:6.3f}  {page_id}")
    if args.json:
        out = {
            "data": str(data),
            "pages": len(pages),
            "note": note,
            "variants": [{k: v for k, v in r.items() if k != "per_page"} for r in rows],
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
