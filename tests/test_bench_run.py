"""The throughput benchmark (bench/run.py) runs every step end to end on a small generated mirror
and reports each figure and each target of the issue; no figure is asserted (speed is the
benchmark's business, not a test's), only that every step ran and was measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_the_benchmark_measures_every_step(tmp_path: Path) -> None:
    report_path = tmp_path / "run.json"
    command = [sys.executable, "bench/run.py", "--articles", "40", "--sample", "10", "--crawl-sample", "20",
               "--mirror", str(tmp_path / "mirror"), "--json", str(report_path), "--skip", "dedupe"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(report_path.read_text("utf-8"))
    steps = {r["step"].split(" ")[0]: r for r in report["results"]}
    assert set(steps) == {"1", "1b", "2", "3", "4", "5", "6"}
    assert all(r["returncode"] == 0 for r in steps.values())
    assert steps["1b"]["pages"] == 40 and steps["2"]["pages"] == steps["4"]["pages"] == 10
    assert steps["4"]["extracted"] == 10  # the peer extracted every page of the sample
    assert steps["1"]["pages"] >= 20 and steps["6"]["pages"] == 20  # the samples were honoured
    assert steps["5"]["requests"] < steps["1b"]["requests"]  # the second run is incremental
    for r in steps.values():
        assert r["pages_per_second"] > 0 and r["cpu_seconds_per_page"] > 0 and r["peak_rss_mb"] > 0
    assert steps["1b"]["peak_rss_mb_at_articles"]  # memory noted at a quarter of the crawl
    assert report["cores"] and report["workers"] and report["seconds"] > 0
    names = {t["target"] for t in report["targets"]}
    assert "crawl with workers / extraction limit" in names and "crawl with workers / peer" in names
    assert "target" in result.stdout and "met" in result.stdout  # the table of targets is printed
