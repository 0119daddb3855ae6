"""Isolated databases for tests: a SQLite file, or a fresh PostgreSQL schema when
TEST_DATABASE_URL is set (CI runs the suite once each way)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

from config import database_url


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    return database_url(url) if url else None


@contextmanager
def isolated_database(tmp_dir: Path) -> Iterator[str]:
    """Yield a database URL nobody else uses; drop it afterwards. The URL alone selects it,
    so a server started in another process reaches the same database."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_dir / f'sutura-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
