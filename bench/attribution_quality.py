"""Quality of the attribution detector (``pipelines.attribution.find_citations``) on a labelled set.

Reads a JSONL set (default ``tests/provenance/attribution_set.jsonl``; one item a line with ``id``,
``lang``, ``publisher`` (a domain), ``family``, ``text`` and ``expected``: the ordered chain of
``{source, source_name, cited_by, relation}``) and prints:
- micro precision and recall of sources: a predicted citation matches an expected one when the source
  ids are equal, or both ids are null and the normalised names are equal or one contains the other;
- the same per family and per language;
- the share of items whose whole chain is exactly right (same sources, same order, right cited_by);
- relation accuracy on the matched pairs.

Labels are scored as written. ``--reconcile-labels`` is a maintenance aid for a set written apart
from the registry: an expected id the registry does not know, or an expected null whose name the
registry resolves, is replaced by what the registry says for that name, and each change is listed
(check them, then fix the set itself).

    python -m bench.attribution_quality [--data PATH] [--show-errors] [--json PATH] [--reconcile-labels]

No settings are read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.attribution import find_citations, resolve_name
from pipelines.outlets import Registry, load_registry, normalise_name

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "tests" / "provenance" / "attribution_set.jsonl"


@dataclass
class Tally:
    """Counts behind precision, recall and relation accuracy."""

    predicted: int = 0
    expected: int = 0
    matched: int = 0
    relation_ok: int = 0
    items: int = 0
    chains_exact: int = 0

    def add(self, other: Tally) -> None:
        self.predicted += other.predicted
        self.expected += other.expected
        self.matched += other.matched
        self.relation_ok += other.relation_ok
        self.items += other.items
        self.chains_exact += other.chains_exact

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def relation_accuracy(self) -> float:
        return self.relation_ok / self.matched if self.matched else 1.0

    @property
    def chain_exact_share(self) -> float:
        return self.chains_exact / self.items if self.items else 1.0

    def figures(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "relation_accuracy": round(self.relation_accuracy, 4),
            "chain_exact": round(self.chain_exact_share, 4),
            "items": self.items,
            "expected": self.expected,
            "predicted": self.predicted,
            "matched": self.matched,
        }


@dataclass
class Report:
    """Overall, per-family and per-language tallies, the wrong items and the reconciled labels."""

    overall: Tally = field(default_factory=Tally)
    by_family: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[dict[str, Any]] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.figures(),
            "by_family": {k: v.figures() for k, v in sorted(self.by_family.items())},
            "by_lang": {k: v.figures() for k, v in sorted(self.by_lang.items())},
            "reconciled_labels": self.reconciled,
            "wrong_items": [e["id"] for e in self.errors],
        }


def load_items(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(name: str | None) -> str:
    return " ".join(normalise_name(name or ""))


def reconcile(item: dict[str, Any], registry: Registry) -> tuple[list[dict[str, Any]], list[str]]:
    """The expected chain with ids brought in line with the registry, and a note per change."""
    notes: list[str] = []
    chain: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for hop in item.get("expected") or []:
        hop = dict(hop)
        source = hop.get("source")
        if source is None or registry.by_id(source) is None:
            outlet = resolve_name(hop.get("source_name") or "", registry)
            new = outlet.id if outlet else None
            if new != source and (source is not None or new is not None):
                notes.append(f"{item.get('id')}: {hop.get('source_name')!r} {source} -> {new}")
                if source is None and new is not None:
                    renamed[_key(hop.get("source_name"))] = new
                hop["source"] = new
        cited_by = hop.get("cited_by")
        if isinstance(cited_by, str) and _key(cited_by) in renamed:
            hop["cited_by"] = renamed[_key(cited_by)]
        chain.append(hop)
    return chain, notes


def _same_source(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    if pred.get("source") or gold.get("source"):
        return pred.get("source") == gold.get("source")
    a, b = _key(pred.get("source_name")), _key(gold.get("source_name"))
    return bool(a and b) and (a == b or a in b or b in a)


def _same_party(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and _key(a) == _key(b)


def match_pairs(predicted: Sequence[dict[str, Any]], gold: Sequence[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs (predicted index, expected index), each side used once, in expected order."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if pi not in used and _same_source(p, g):
                pairs.append((pi, gi))
                used.add(pi)
                break
    return pairs


def score_item(predicted: Sequence[dict[str, Any]], gold: Sequence[dict[str, Any]]) -> Tally:
    pairs = match_pairs(predicted, gold)
    tally = Tally(predicted=len(predicted), expected=len(gold), matched=len(pairs), items=1)
    tally.relation_ok = sum(predicted[p].get("relation") == gold[g].get("relation") for p, g in pairs)
    exact = len(predicted) == len(gold) and all(
        _same_source(p, g) and _same_party(p.get("cited_by"), g.get("cited_by"))
        for p, g in zip(predicted, gold, strict=True)
    )
    tally.chains_exact = int(exact)
    return tally


def evaluate(
    items: Sequence[dict[str, Any]], registry: Registry | None = None, *, strict: bool = True
) -> Report:
    """Run the detector on every item and tally the results."""
    registry = registry or load_registry()
    report = Report()
    for item in items:
        if strict:
            gold = list(item.get("expected") or [])
        else:
            gold, notes = reconcile(item, registry)
            report.reconciled.extend(notes)
        predicted = find_citations(item.get("text") or "", item.get("publisher"))
        tally = score_item(predicted, gold)
        report.overall.add(tally)
        report.by_family[str(item.get("family"))].add(tally)
        report.by_lang[str(item.get("lang"))].add(tally)
        if not tally.chains_exact or tally.relation_ok < tally.matched:
            report.errors.append({"id": item.get("id"), "item": item, "gold": gold, "predicted": predicted})
    return report


def _row(label: str, tally: Tally) -> str:
    return (
        f"{label:<24} {tally.items:>5} {tally.expected:>5} {tally.predicted:>5} {tally.precision:>6.3f} "
        f"{tally.recall:>6.3f} {tally.f1:>6.3f} {tally.relation_accuracy:>6.3f} {tally.chain_exact_share:>6.3f}"
    )


def format_report(report: Report) -> str:
    header = (
        f"{'':<24} {'items':>5} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6} {'rel':>6} {'chain':>6}"
    )
    lines = [header, _row("overall", report.overall), ""]
    lines += [_row(f"family {k}", v) for k, v in sorted(report.by_family.items())]
    lines.append("")
    lines += [_row(f"lang {k}", v) for k, v in sorted(report.by_lang.items())]
    if report.reconciled:
        lines += ["", f"labels reconciled with the registry ({len(report.reconciled)}):"]
        lines += [f"  {note}" for note in report.reconciled]
    return "\n".join(lines)


def _chain(hops: Sequence[dict[str, Any]]) -> str:
    return " | ".join(
        f"{h.get('source')}<{h.get('source_name')}> by {h.get('cited_by')} {h.get('relation')}" for h in hops
    )


def format_errors(report: Report) -> str:
    lines: list[str] = []
    for error in report.errors:
        item = error["item"]
        lines.append(f"{item.get('id')} [{item.get('family')}] {item.get('publisher')}: {item.get('text')}")
        lines.append(f"  expected:  {_chain(error['gold']) or '-'}")
        lines.append(f"  predicted: {_chain(error['predicted']) or '-'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the attribution detector on a labelled JSONL set.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the labelled set (JSONL)")
    parser.add_argument(
        "--show-errors", action="store_true", help="print the items that are not exactly right"
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--reconcile-labels",
        action="store_true",
        help="bring the set's ids in line with the registry before scoring (lists each change)",
    )
    args = parser.parse_args(argv)
    report = evaluate(load_items(args.data), strict=not args.reconcile_labels)
    print(format_report(report))
    if args.show_errors and report.errors:
        print("\nwrong items:")
        print(format_errors(report))
    if args.json:
        args.json.write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
