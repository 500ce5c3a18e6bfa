"""Golden per-site extraction cases: load them, run the extractor on them, diff, and accept changes.

A case is a folder ``tests/sites/<site_id>/<case_name>/`` holding

- ``page.html.gz``: the page as the real site serves it (gzipped UTF-8 HTML);
- ``meta.json``: ``url`` (the page's real URL), ``site`` (the site id), ``fetched_at`` (ISO 8601, the
  ``now`` of the extraction) and ``note`` (what the case exercises);
- ``expected.json``: the fields ``article_from_html`` must give. The values come from the mirrors'
  ground truth (``mirror/<site>/_articles.json``), not from the extractor. ``text`` is the exact text
  (paragraphs joined by newlines) when the case asserts it, else null, and then only
  ``text_must_contain`` / ``text_must_not_contain`` (snippets of boilerplate on the page) are checked.

Usage::

    python -m tests.sites.regenerate                          # diff every case against the extractor
    python -m tests.sites.regenerate vecher_kz/seed           # diff some cases
    python -m tests.sites.regenerate --accept vecher_kz/seed  # overwrite expected.json with the output

``--accept`` takes every field from the extractor's current output, keeps the must-contain and
must-not-contain lists as they are (and warns when the new output breaks them), and rewrites ``text``
only for cases that assert exact text. Accept only after checking that the extractor is right and the
expectation is what changed; the diff mode never writes anything. ``tests/test_sites.py`` runs the
same comparison as a parametrised test.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines import article_from_html

SITES_DIR = Path(__file__).resolve().parent
REPO_ROOT = SITES_DIR.parent.parent
# Fields of the record compared as they are (== against expected.json).
FIELDS = ("title", "published", "modified", "authors", "section", "tags", "lang", "image_url", "lead")
TEXT_KEYS = ("text_must_contain", "text_must_not_contain", "text")
META_KEYS = ("url", "site", "fetched_at", "note")


@dataclass(frozen=True)
class Case:
    """One golden case: its id (``site/name``), folder, page, meta and expectations."""

    id: str
    folder: Path
    html: str
    meta: dict[str, Any]
    expected: dict[str, Any]


@dataclass(frozen=True)
class Mismatch:
    """One way the extractor's output differs from a case's expectations."""

    field: str
    got: Any
    expected: Any
    detail: str = ""


def case_folders() -> list[Path]:
    """Every case folder, ``tests/sites/*/*/``, in a stable order."""
    return sorted(p for p in SITES_DIR.glob("*/*") if p.is_dir() and not p.name.startswith(("_", ".")))


def case_id(folder: Path) -> str:
    """``vecher_kz/seed`` for ``tests/sites/vecher_kz/seed``."""
    return f"{folder.parent.name}/{folder.name}"


def folder_for(name: str) -> Path:
    """The folder of a case given as ``site/name`` or as a path to it."""
    text = name.strip().rstrip("/").replace("\\", "/")
    if "tests/sites/" in text:
        text = text.split("tests/sites/", 1)[1]
    folder = SITES_DIR / text
    if text.count("/") != 1 or not (folder / "expected.json").is_file():
        known = ", ".join(case_id(f) for f in case_folders())
        raise SystemExit(f"no such case: {name!r} (cases: {known})")
    return folder


def read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")


def load_case(folder: Path) -> Case:
    """Read a case folder; a missing file or key is an error that names it."""
    with gzip.open(folder / "page.html.gz", "rt", encoding="utf-8") as page:
        html = page.read()
    meta = read_json(folder / "meta.json")
    expected = read_json(folder / "expected.json")
    missing = [k for k in META_KEYS if k not in meta]
    missing += [k for k in (*FIELDS, *TEXT_KEYS) if k not in expected]
    if missing:
        raise ValueError(f"{case_id(folder)}: meta.json / expected.json lack {missing}")
    return Case(id=case_id(folder), folder=folder, html=html, meta=meta, expected=expected)


def extract(case: Case) -> dict[str, Any]:
    """What ``article_from_html`` gives for the case's page now."""
    return article_from_html(
        case.html,
        case.meta["url"],
        site=case.meta["site"],
        now=datetime.fromisoformat(case.meta["fetched_at"]),
    )


def _paragraph_with(text: str, snippet: str) -> str:
    return next((line for line in text.split("\n") if snippet in line), text)


def compare(expected: dict[str, Any], record: dict[str, Any]) -> list[Mismatch]:
    """Every difference between a record and a case's expectations, field by field."""
    found = [
        Mismatch(field, record.get(field), expected[field])
        for field in FIELDS
        if record.get(field) != expected[field]
    ]
    text = record.get("text") or ""
    if expected["text"] is not None:
        if text != expected["text"]:
            diff = difflib.unified_diff(
                expected["text"].split("\n"), text.split("\n"), "expected", "got", lineterm="", n=1
            )
            found.append(Mismatch("text", text, expected["text"], "\n".join(diff)))
        return found
    for snippet in expected["text_must_contain"]:
        if snippet not in text:
            found.append(Mismatch("text_must_contain", None, snippet, "missing from the text"))
    for snippet in expected["text_must_not_contain"]:
        if snippet in text:
            found.append(
                Mismatch(
                    "text_must_not_contain", _paragraph_with(text, snippet), snippet, "boilerplate in text"
                )
            )
    return found


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def describe(mismatch: Mismatch) -> str:
    """A few indented lines: the field, what came out, what was expected."""
    if mismatch.field == "text":
        return (
            f"  text: differs from the expected exact text (- expected, + got):\n{_indent(mismatch.detail)}"
        )
    if mismatch.field == "text_must_contain":
        return f"  text_must_contain: snippet missing\n    wanted: {show(mismatch.expected)}"
    if mismatch.field == "text_must_not_contain":
        return (
            f"  text_must_not_contain: boilerplate kept in the text\n"
            f"    unwanted snippet: {show(mismatch.expected)}\n"
            f"    got paragraph:    {show(mismatch.got)}"
        )
    return f"  {mismatch.field}:\n    got:      {show(mismatch.got)}\n    expected: {show(mismatch.expected)}"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def report(case: Case, mismatches: Sequence[Mismatch]) -> str:
    """The failure message of a case: which fields differ, got vs expected, and how to fix it."""
    fields = ", ".join(dict.fromkeys(m.field for m in mismatches))
    where = case.folder.relative_to(REPO_ROOT) if case.folder.is_relative_to(REPO_ROOT) else case.folder
    lines = [f"{case.id}: {len(mismatches)} difference(s) from expected.json in: {fields}"]
    lines += [describe(m) for m in mismatches]
    lines += [
        f"Page: {case.meta['url']} ({where}/page.html.gz). Case: {case.meta['note']}",
        "The expected values are the mirror's ground truth (mirror/<site>/_articles.json), not extractor "
        "output. If the extractor is wrong, fix pipelines/ (run python -m tests.sites.regenerate "
        f"{case.id} to see the diff). If the page or the expectation changed on purpose, run "
        f"python -m tests.sites.regenerate --accept {case.id} and review {where}/expected.json.",
    ]
    return "\n".join(lines)


def accepted(case: Case, record: dict[str, Any]) -> dict[str, Any]:
    """expected.json rewritten from a record: fields from the output, snippet lists kept."""
    new = {field: record.get(field) for field in FIELDS}
    new["text_must_contain"] = case.expected["text_must_contain"]
    new["text_must_not_contain"] = case.expected["text_must_not_contain"]
    new["text"] = record.get("text") if case.expected["text"] is not None else None
    return new


def accept(folder: Path) -> None:
    case = load_case(folder)
    record = extract(case)
    changes = [m for m in compare(case.expected, record) if m.field in (*FIELDS, "text")]
    new = accepted(case, record)
    write_json(folder / "expected.json", new)
    print(f"{case.id}: expected.json rewritten from article_from_html ({len(changes)} field(s) changed)")
    if changes:
        print("  (got = the new expected value, expected = the old one)")
    for mismatch in changes:
        print(describe(mismatch))
    still = [m for m in compare(new, record) if m.field.startswith("text_must")]
    for mismatch in still:
        print(f"  WARNING (edit the list by hand if the page changed): {describe(mismatch).strip()}")


def diff(folders: Sequence[Path]) -> int:
    """Print each case's differences; 1 when any case differs."""
    failed = 0
    for folder in folders:
        case = load_case(folder)
        mismatches = compare(case.expected, extract(case))
        if mismatches:
            failed += 1
            print(report(case, mismatches), end="\n\n")
        else:
            print(f"{case.id}: OK")
    print(f"{failed} of {len(folders)} case(s) differ from expected.json")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.sites.regenerate",
        description="Diff the golden site cases (tests/sites/) against article_from_html, or accept its "
        "output as the new expectation of a case.",
    )
    parser.add_argument(
        "cases", nargs="*", metavar="CASE", help="cases to diff, e.g. vecher_kz/seed (default: all)"
    )
    parser.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="CASE",
        help="rewrite CASE's expected.json from article_from_html's output (repeatable); "
        "keeps text_must_contain / text_must_not_contain",
    )
    args = parser.parse_args(argv)
    if args.accept:
        for name in args.accept:
            accept(folder_for(name))
        return 0
    folders = [folder_for(name) for name in args.cases] if args.cases else case_folders()
    return diff(folders)


if __name__ == "__main__":
    sys.exit(main())
