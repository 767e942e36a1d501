"""Stored views: a lookup's Document kept in SQLite, so a repeated lookup needs no YAML,
no schema classes and no view building.

A view depends only on the knowledge-base files, spasm's version and the request (the
command, the words typed, the region asked for and the locale). The key is a hash of all
of them, with the files' own hash among them, so a stored view is never stale: an edited
base or a new spasm simply misses. Errors (no match) are never stored. If the cache
cannot be read or written, views are built as usual.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from back_spasm_cli import __version__, paths, storage
from back_spasm_cli.document import Document, from_data, to_data

KEEP = 500  # views kept; the earliest stored go first


def _m001_views(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE views (key TEXT PRIMARY KEY, stored REAL NOT NULL, document TEXT NOT NULL)"
    )


MIGRATIONS: tuple[storage.Migration, ...] = (_m001_views,)


def cache_path() -> Path:
    return paths.cache_dir() / "views.sqlite3"


def key(fingerprint: str, request: Sequence[object]) -> str:
    text = json.dumps([__version__, fingerprint, list(request)], ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def get(view_key: str) -> Document | None:
    """The stored view for `view_key`, if there is one (a damaged cache only costs speed)."""
    path = cache_path()
    if not path.is_file():
        return None
    try:
        conn = storage.connect(path, MIGRATIONS)
        try:
            row = conn.execute("SELECT document FROM views WHERE key = ?", (view_key,)).fetchone()
        finally:
            conn.close()
        return from_data(json.loads(row[0])) if row is not None else None
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError):
        return None


def put(view_key: str, document: Document) -> None:
    """Store a view for next time; an unwritable cache is passed over."""
    _put(cache_path(), view_key, document)


def _put(path: Path, view_key: str, document: Document) -> None:
    try:
        conn = storage.connect(path, MIGRATIONS)
        try:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO views VALUES (?, ?, ?)",
                    (view_key, time.time(), json.dumps(to_data(document))),
                )
                conn.execute(
                    "DELETE FROM views WHERE key NOT IN"
                    " (SELECT key FROM views ORDER BY stored DESC LIMIT ?)",
                    (KEEP,),
                )
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        pass
