"""docs/schema.md describes exactly the tables, views and columns the code creates."""

from __future__ import annotations

import re
from pathlib import Path

from sqlite_utils import Database

from pipelines.schema import MIGRATIONS, migrate

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def documented() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in DOC.read_text("utf-8").splitlines():
        heading = re.match(r"^### `(\w+)`", line)
        if heading:
            current = heading.group(1)
            found[current] = []
            continue
        row = re.match(r"^\| `(\w+)` \|", line)
        if row and current:
            found[current].append(row.group(1))
    return found


def test_schema_doc_matches_the_database(fresh_db: Database) -> None:
    actual = {
        name: [column.name for column in fresh_db[name].columns]
        for name in fresh_db.table_names() + fresh_db.view_names()
        # SQLite's own tables and the FTS index's shadow tables are not ours to document.
        if not name.startswith("sqlite_") and not name.startswith("articles_fts_")
    }
    assert documented() == actual


def test_migrations_are_idempotent_and_versioned(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    assert migrate(db) == [name for name, _ in MIGRATIONS]
    db["articles"].insert({"url": "u", "fetched_url": "u", "fetched_at": "t", "first_seen": "t"})
    assert migrate(db) == []
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db["articles"].count == 1


def test_datasette_metadata_names_real_tables_and_columns(fresh_db: Database) -> None:
    import json

    metadata = json.loads((DOC.parent.parent / "datasette-metadata.json").read_text("utf-8"))
    tables = metadata["databases"]["news"]["tables"]
    for name, config in tables.items():
        assert name in fresh_db.table_names(), name
        columns = {column.name for column in fresh_db[name].columns}
        for facet in config.get("facets", []):
            column = facet if isinstance(facet, str) else next(iter(facet.values()))
            assert column in columns, (name, facet)
    for query in metadata["databases"]["news"]["queries"].values():
        fresh_db.execute(query["sql"]).fetchall()  # valid SQL against the real schema
