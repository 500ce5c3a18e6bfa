"""The offline demo: serve the bundled mirrors on 127.0.0.1 and crawl them into the database.

    python -m mirror.demo [--db output/news.db] [--spider vecher --spider kazinform]

Runs ``scrapy crawl <spider> -a base_url=<mirror>`` for each spider, exactly as a user would run it
against the real site, then prints what the database holds. Exits non-zero when a crawl fails.
No settings are read; ``--db`` is passed to the crawl as ``-s NEWSDB_PATH``.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
from pathlib import Path

from mirror.server import serve

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = {"vecher": ROOT / "mirror" / "vecher", "kazinform": ROOT / "mirror" / "kazinform"}


def crawl(spider: str, base_url: str, db: Path, extra: list[str] | None = None) -> int:
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider,
        "-a", f"base_url={base_url}", "-s", f"NEWSDB_PATH={db}", *(extra or []),
    ]  # fmt: skip
    print("$", " ".join(command[2:]), flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def summary(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT outlet, count(*), min(published), max(published) FROM articles GROUP BY outlet"
        ).fetchall()
    lines = [f"{db}:"]
    lines += [f"  {outlet}: {count} articles, {first} .. {last}" for outlet, count, first, last in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=ROOT / "output" / "news.db")
    parser.add_argument("--spider", action="append", choices=sorted(MIRRORS))
    args = parser.parse_args(argv)
    status = 0
    for spider in args.spider or ["vecher", "kazinform"]:
        if not any(MIRRORS[spider].iterdir()):
            print(f"no mirror for {spider} at {MIRRORS[spider]}, skipped", file=sys.stderr)
            continue
        server, base_url = serve(MIRRORS[spider])
        try:
            status = crawl(spider, base_url, args.db) or status
        finally:
            server.shutdown()
    if args.db.exists():
        print(summary(args.db))
    return status


if __name__ == "__main__":
    sys.exit(main())
