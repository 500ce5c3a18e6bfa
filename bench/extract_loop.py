"""The extraction limit: ``article_from_html`` over a mirror's article pages in a plain loop.

    python bench/extract_loop.py MIRROR_DIR [--limit N] [--files LIST]

One process, no Scrapy, pages read from disk (``__BASE__`` replaced as the server would). Prints
pages, seconds and pages per second as JSON. No settings are read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines import article_from_html

BASE = "http://127.0.0.1:8000"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--files", type=Path, default=None, help="a list of article file names to use")
    args = parser.parse_args(argv)
    folder = args.mirror / "ru" / "article"
    if args.files:
        files = [folder / name for name in args.files.read_text("utf-8").split()]
    else:
        files = sorted(folder.glob("*.html"))
    if args.limit:
        files = files[: args.limit]
    started = time.monotonic()
    with_text = 0
    for file in files:
        html = file.read_text("utf-8").replace("__BASE__", BASE)
        record = article_from_html(html, f"{BASE}/ru/article/{file.name}", site="vecher_kz")
        with_text += bool(record["text"])
    seconds = time.monotonic() - started
    print(json.dumps({"pages": len(files), "with_text": with_text, "seconds": round(seconds, 2),
                      "pages_per_second": round(len(files) / seconds, 1) if seconds else None}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
