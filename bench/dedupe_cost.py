"""Dedupe cost per article at two database sizes: it must not grow with the database.

    python bench/dedupe_cost.py [--small 1000] [--large 50000] [--probes 300]

Fills a database with N stored articles (rows, URL keys, MinHash signatures and LSH buckets of
synthetic texts, written in bulk), then times what the store does per new article: the URL-key
lookup, the row's insert (with its full-text index) and ``link_near_duplicates`` (signature, 16 bucket lookups, candidate scoring). Prints JSON:
milliseconds per article at each size and their ratio. No settings are read.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.dedupe import bands, link_near_duplicates, signature
from pipelines.schema import open_database
from pipelines.urls import url_key

WORDS = ["город", "акимат", "дорога", "ремонт", "школа", "больница", "автобус", "маршрут", "тенге", "бюджет", "погода", "снег", "жители", "депутаты", "проект", "парк", "улица", "район", "полиция", "пожар", "суд", "закон", "министр", "область", "столица"]  # fmt: skip


def text(rng: random.Random, words: int = 180) -> str:
    return " ".join(f"{rng.choice(WORDS)}{rng.randint(0, 999)}" for _ in range(words))


def fill(path: Path, count: int, rng: random.Random) -> None:
    db = open_database(path)
    with db.atomic():
        for start in range(0, count, 1000):
            rows, signatures, buckets = [], [], []
            for n in range(start, min(count, start + 1000)):
                body = text(rng)
                url = f"https://vecher.kz/ru/article/story-{n}.html"
                rows.append(
                    (
                        n + 1,
                        url,
                        url,
                        "vecher_kz",
                        f"Story {n}",
                        body,
                        "2026-01-01",
                        url_key(url),
                        "2026-01-01",
                    )
                )
                sig = signature(body)
                assert sig is not None
                signatures.append((n + 1, sig.tobytes()))
                buckets += [(band, bucket, n + 1) for band, bucket in enumerate(bands(sig))]
            db.conn.executemany(
                "INSERT INTO articles (id, url, fetched_url, outlet, title, text, fetched_at, url_key, first_seen) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
            db.conn.executemany("INSERT INTO minhashes VALUES (?, ?)", signatures)
            db.conn.executemany("INSERT INTO lsh_buckets VALUES (?, ?, ?)", buckets)
    db.close()


def probe(path: Path, probes: int, rng: random.Random) -> float:
    db = open_database(path)
    texts = [text(rng) for _ in range(probes)]
    started = time.perf_counter()
    for n, body in enumerate(texts):
        url = f"https://www.vecher.kz/ru/article/new-{n}.html?utm_source=x"
        key = url_key(url)
        with db.atomic():
            assert db.execute("SELECT id FROM articles WHERE url_key = ?", [key]).fetchone() is None
            db.execute(
                "INSERT INTO articles (id, url, fetched_url, text, fetched_at, url_key, first_seen) "
                "VALUES (?, ?, ?, ?, '2026-01-02', ?, '2026-01-02')",
                [10_000_000 + n, url, url, body, key],
            )
            link_near_duplicates(db, 10_000_000 + n, body, "2026-01-02")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed / probes * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=50000)
    parser.add_argument("--probes", type=int, default=300)
    args = parser.parse_args(argv)
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (args.small, args.large):
            path = Path(folder) / f"db-{size}.db"
            fill(path, size, random.Random(size))
            figures[size] = probe(path, args.probes, random.Random(1))
    print(json.dumps({
        f"ms_per_article_at_{args.small}": round(figures[args.small], 3),
        f"ms_per_article_at_{args.large}": round(figures[args.large], 3),
        "ratio": round(figures[args.large] / figures[args.small], 3),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
