"""Run a command and measure it: wall time, CPU seconds and peak resident memory of its process tree.

CPU time comes from ``os.wait4`` (the child and the descendants it waited for, e.g. worker pools).
Peak memory is sampled from /proc every 200 ms over the whole process tree (the crawl and its worker
processes together), and also reported for the main process alone. With a ``progress`` callable
(say, the number of articles stored so far) the peak is also noted as it stood when progress first
reached each of ``marks``: whether memory grows with the crawl shows in one run. No settings are read.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measurement:
    name: str
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float  # the whole process tree
    peak_main_rss_mb: float  # the measured process alone
    returncode: int
    stderr_tail: str = ""
    # mark -> peak MB of the process tree up to the moment progress first reached the mark
    peak_rss_mb_at: dict[int, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text("ascii")
            found += [int(child) for child in text.split()]
    except OSError:
        pass
    return found


def _tree_rss(pid: int) -> tuple[int, int]:
    main = _rss(pid)
    total, stack = main, _children(pid)
    while stack:
        child = stack.pop()
        total += _rss(child)
        stack += _children(child)
    return main, total


def run(name: str, command: list[str], cwd: Path, env: dict[str, str] | None = None,
        stdout: Any = subprocess.DEVNULL, progress: Callable[[], int] | None = None,
        marks: Sequence[int] = ()) -> Measurement:  # fmt: skip
    """Run ``command`` to the end and measure it."""
    started = time.monotonic()
    peak_at: dict[int, float] = {}
    next_probe = started
    with tempfile.TemporaryFile() as log:
        # stderr goes to a file: a pipe nobody reads fast enough would stall a chatty crawl.
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=log)
        peak_main = peak_total = 0
        while True:
            finished, status, usage = os.wait4(process.pid, os.WNOHANG)
            if finished:
                break
            main, total = _tree_rss(process.pid)
            peak_main, peak_total = max(peak_main, main), max(peak_total, total)
            if progress is not None and time.monotonic() >= next_probe and len(peak_at) < len(marks):
                next_probe = time.monotonic() + (0.5 if time.monotonic() - started < 10 else 5.0)
                reached = progress()
                for mark in marks:
                    if reached >= mark and mark not in peak_at:
                        peak_at[mark] = round(peak_total / 2**20, 1)
            time.sleep(0.05 if time.monotonic() - started < 5 else 0.2)  # short steps stay exact
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(max(0, log.seek(0, os.SEEK_END) - 4000))
        tail = log.read()
    return Measurement(
        name=name,
        seconds=round(time.monotonic() - started, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(peak_total / 2**20, 1),
        peak_main_rss_mb=round(peak_main / 2**20, 1),
        returncode=process.returncode,
        stderr_tail=tail.decode("utf-8", "replace"),
        peak_rss_mb_at=peak_at,
    )
