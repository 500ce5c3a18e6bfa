"""Golden per-site extraction cases (Fundus-style): one recorded page per folder
``tests/sites/<site>/<case>/`` and the fields ``article_from_html`` must give for it, taken from the
mirrors' ground truth.

See tests/sites/regenerate.py for the layout; ``python -m tests.sites.regenerate`` prints the same diffs
and ``--accept CASE`` rewrites a case's expectation when the change is intended.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sites.regenerate import FIELDS, case_folders, case_id, compare, extract, load_case, report

CASES = case_folders()


def test_every_site_has_cases() -> None:
    sites = {folder.parent.name for folder in CASES}
    assert {"vecher_kz", "kazinform"} <= sites, f"case folders found: {[case_id(f) for f in CASES]}"


@pytest.mark.parametrize("folder", CASES, ids=case_id)
def test_case_is_well_formed(folder: Path) -> None:
    case = load_case(folder)
    assert case.meta["site"] == folder.parent.name, f"{case.id}: meta.json site is {case.meta['site']!r}"
    assert "__BASE__" not in case.html, f"{case.id}: page.html.gz still holds the mirror placeholder"
    expected = case.expected
    assert set(expected) == {*FIELDS, "text_must_contain", "text_must_not_contain", "text"}, case.id
    assert len(expected["text_must_contain"]) >= 3, f"{case.id}: give 3 snippets the text must contain"
    assert expected["text_must_not_contain"], f"{case.id}: give snippets of the page's boilerplate"
    for snippet in expected["text_must_not_contain"]:
        assert snippet in case.html, f"{case.id}: boilerplate snippet {snippet!r} is not on the page"
    if expected["text"] is not None:
        for snippet in expected["text_must_contain"]:
            assert snippet in expected["text"], f"{case.id}: {snippet!r} is not in the expected text"


@pytest.mark.parametrize("folder", CASES, ids=case_id)
def test_extraction_matches_golden_case(folder: Path) -> None:
    case = load_case(folder)
    mismatches = compare(case.expected, extract(case))
    if mismatches:
        pytest.fail(report(case, mismatches), pytrace=False)
