"""Shared fixtures: mirrors served on 127.0.0.1, crawls run as a user runs them, fresh databases."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

import tests.hypothesis_profiles  # noqa: F401
from mirror.server import serve
from pipelines.schema import open_database

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = ROOT / "mirror"


@pytest.fixture
def fresh_db() -> Iterator[Database]:
    db = open_database(":memory:")
    yield db
    db.close()


@pytest.fixture(scope="session")
def vecher_mirror() -> Iterator[str]:
    server, base_url = serve(MIRRORS / "vecher")
    yield base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def kazinform_mirror() -> Iterator[str]:
    server, base_url = serve(MIRRORS / "kazinform")
    yield base_url
    server.shutdown()
    server.server_close()


def run_crawl(spider: str, base_url: str, db: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl SPIDER -a base_url=...`` in a subprocess, as a user runs it."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"base_url={base_url}"]
    command += ["-s", f"NEWSDB_PATH={db}", "-s", "LOG_LEVEL=INFO"]
    for setting in settings:
        command += ["-s", setting]
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"}
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env, check=False
    )


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def ground_truth(site: str) -> list[dict[str, Any]]:
    return json.loads((MIRRORS / site / "_articles.json").read_text("utf-8"))


def non_articles(site: str) -> list[str]:
    return json.loads((MIRRORS / site / "_non_articles.json").read_text("utf-8"))
