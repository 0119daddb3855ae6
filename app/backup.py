"""Backups of the database, with an integrity check, and restores that keep purges purged.

``flask --app wsgi backup create PATH`` writes a directory holding the dump (``pg_dump`` custom
format on PostgreSQL, a consistent copy made with SQLite's online backup API on SQLite) and a
``manifest.json`` with the dump's SHA-256, itself authenticated with an HMAC under a key derived
from the audit key. ``backup restore PATH`` refuses a dump or manifest that does not match, then
replaces the database in one transaction and re-applies the shred journal: every data key
shredded since the backup (a purged survivor, a closed referral's packet) is shredded again
before anyone reads the restored data.

Keys are never in a backup: the database holds none (crypto/README.md), and ``create`` checks
the uncompressed dump for every key of the ring, refusing to finish if one were found. The key
file is kept apart (docs/backups.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 — pg_dump, pg_restore and psql, with argument lists
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, scoped_session

from crypto import KeyRing, ShredEntry, ShredJournal, ShredJournalError
from models import DataKeyRecord, db
from models.keys import keyring

from . import audit

backup_cli = AppGroup("backup", help="Database backups: create, restore (keys are never included).")

FORMAT = "sutura-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(click.ClickException):
    """A backup cannot be made or restored (the message says why, never with data or keys)."""


@dataclass
class RestoreReport:
    reshredded: int = 0
    cases_purged: int = 0
    missing_keks: dict[str, int] = field(default_factory=dict)


# --- manifest -------------------------------------------------------------------------------


def _manifest_key(ring: KeyRing) -> bytes:
    return hmac.new(ring.audit_key, b"sutura/backup-manifest/v1", hashlib.sha256).digest()


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_manifest(manifest: dict[str, Any], ring: KeyRing) -> dict[str, Any]:
    signed = dict(manifest)
    signed["hmac"] = hmac.new(_manifest_key(ring), _canonical(manifest), hashlib.sha256).hexdigest()
    return signed


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, ring: KeyRing, dialect: str) -> tuple[dict[str, Any], Path]:
    """The manifest and dump of the backup at ``path``, or BackupError if anything is off."""
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} is not a Sutura backup: no {MANIFEST}") from None
    except (OSError, ValueError):
        raise BackupError(f"{manifest_path} cannot be read as a manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{manifest_path} is not a version {VERSION} Sutura backup manifest")
    expected = hmac.new(_manifest_key(ring), _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(manifest.get("hmac", ""))):
        raise BackupError(
            "refused: the manifest's signature does not match (tampered, or made with another deployment's keys)"
        )
    if manifest.get("dialect") != dialect:
        raise BackupError(f"refused: this is a {manifest.get('dialect')} backup and the database is {dialect}")
    dump = path / str(manifest.get("file", ""))
    if dump.parent != path or not dump.is_file():
        raise BackupError(f"refused: the dump named by the manifest is missing from {path}")
    if dump.stat().st_size != manifest.get("size") or sha256_of(dump) != manifest.get("sha256"):
        raise BackupError("refused: the dump's SHA-256 does not match the manifest (tampered or damaged)")
    return manifest, dump


def assert_no_keys(dump: Path, ring: KeyRing) -> None:
    """Refuse a dump that contains any key of the ring, raw or base64 (it never should)."""
    data = dump.read_bytes()
    secrets = [*ring.keks.values(), ring.index_key, ring.audit_key]
    for secret in secrets:
        for form in (secret, base64.b64encode(secret), secret.hex().encode()):
            if form in data:
                dump.unlink()
                raise BackupError("refused: the dump contains key material; nothing was written")


# --- databases ------------------------------------------------------------------------------


def _url() -> URL:
    return db.engine.url


def _dialect() -> str:
    name = _url().get_backend_name()
    if name not in DUMP_NAMES:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {name}")
    return name


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_schema(url: URL) -> str:
    """The schema the app works in: the search_path given in the URL's options, else public."""
    options = url.query.get("options", "")
    for part in (options if isinstance(options, tuple) else (options,)):
        for word in str(part).split():
            if word.startswith("-csearch_path="):
                return word.split("=", 1)[1].split(",")[0].strip('"')
    return "public"


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"{args[0]} is not installed (PostgreSQL client tools are needed for backups)")
    result = subprocess.run([tool, *args[1:]], capture_output=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        # The tools' messages name objects and options, not row contents.
        raise BackupError(f"{args[0]} failed: {result.stderr.decode(errors='replace').strip()[-2000:]}")
    return result


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _dump(dialect: str, target: Path) -> None:
    url = _url()
    if dialect == "postgresql":
        _run(["pg_dump", "--format=custom", "--compress=0", "--no-owner", "--no-privileges",
              f"--schema={_pg_schema(url)}", f"--file={target}", f"--dbname={_libpq(url)}"])
        return
    source = sqlite3.connect(_sqlite_path(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # a consistent snapshot even while the app writes
    finally:
        copy.close()
        source.close()


_UUID = re.compile(r"^[0-9A-Fa-f-]{1,36}$")
# @keys and @cases become lists of quoted UUIDs (checked against _UUID first). Cases keep naive
# UTC times (models.base.UTCDateTime), data keys aware ones.
_RESHRED_SQL = (
    "WITH s AS (UPDATE data_keys SET wrapped_key = NULL, kek_id = NULL, shredded_at = now() WHERE id IN (@keys) "
    "AND wrapped_key IS NOT NULL RETURNING id) SELECT 'sutura-reshredded ' || count(*) FROM s;"
)
_REPURGE_SQL = (
    "WITH c AS (UPDATE cases SET purged_at = now() AT TIME ZONE 'UTC', status = 'closed', "
    "closed_at = coalesce(closed_at, now() AT TIME ZONE 'UTC'), next_follow_up = NULL "
    "WHERE id IN (@cases) AND purged_at IS NULL RETURNING id) SELECT 'sutura-repurged ' || count(*) FROM c;"
)


def _journal_sql(entries: list[ShredEntry], schema: str) -> bytes:
    """The journal as SQL run at the end of the restore's transaction: the restored rows are
    never committed with a key the journal says was shredded. Ids are checked to be UUIDs."""
    keys = [e.id for e in entries if _UUID.match(e.id)]
    cases = [e.owner.partition(":")[2] for e in entries if e.owner.startswith("case:")]
    cases = [c for c in cases if _UUID.match(c)]
    key_list = ", ".join(f"'{k}'" for k in keys) or "NULL"
    case_list = ", ".join(f"'{c}'" for c in cases) or "NULL"
    literal = "'" + schema.replace("'", "''") + "'"
    keys_sql = _RESHRED_SQL.replace("@keys", key_list)
    cases_sql = _REPURGE_SQL.replace("@cases", case_list)
    return f"SELECT pg_catalog.set_config('search_path', {literal}, false);\n{keys_sql}\n{cases_sql}\n".encode()


def _pg_restore(dump: Path, entries: list[ShredEntry]) -> RestoreReport:
    url = _url()
    schema = _pg_schema(url)
    libpq = _libpq(url)
    with tempfile.TemporaryDirectory() as tmp:
        listing = _run(["pg_restore", "--list", str(dump)]).stdout.decode()
        # The schema itself already exists in the target; restore what is in it.
        kept = [line for line in listing.splitlines() if " SCHEMA " not in line]
        list_file = Path(tmp) / "toc.list"
        list_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
        script = _run(["pg_restore", "--no-owner", "--no-privileges", f"--use-list={list_file}", "--file=-",
                       str(dump)]).stdout
        with db.engine.connect() as conn:
            names = conn.execute(
                text(
                    "SELECT 'TABLE', quote_ident(tablename) FROM pg_tables WHERE schemaname = :s "
                    "UNION ALL SELECT 'VIEW', quote_ident(viewname) FROM pg_views WHERE schemaname = :s "
                    "UNION ALL SELECT 'SEQUENCE', quote_ident(sequencename) FROM pg_sequences WHERE schemaname = :s "
                    "UNION ALL SELECT 'TYPE', quote_ident(t.typname) FROM pg_type t JOIN pg_namespace n "
                    "ON n.oid = t.typnamespace WHERE n.nspname = :s AND t.typtype = 'e'"
                ),
                {"s": schema},
            ).all()
        quoted = '"' + schema.replace('"', '""') + '"'
        drops = "".join(f"DROP {kind} IF EXISTS {quoted}.{name} CASCADE;\n" for kind, name in names)
        full = Path(tmp) / "restore.sql"
        full.write_bytes(drops.encode() + script + b"\n" + _journal_sql(entries, schema))
        db.engine.dispose()
        # One transaction, journal included: a failed restore leaves the database as it was,
        # and a restored database never exists with a key the journal says was shredded.
        output = _run(["psql", "-X", "-q", "-A", "-t", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                       f"--dbname={libpq}", f"--file={full}"]).stdout.decode()
    report = RestoreReport()
    for line in output.splitlines():
        word, _, number = line.strip().partition(" ")
        if word == "sutura-reshredded":
            report.reshredded = int(number)
        elif word == "sutura-repurged":
            report.cases_purged = int(number)
    return report


def _sqlite_restore(dump: Path, entries: list[ShredEntry]) -> RestoreReport:
    live = _sqlite_path(_url())
    with tempfile.TemporaryDirectory(dir=live.parent) as tmp:
        # The journal is applied to a copy first: the live file only ever receives a database
        # in which every journaled key is shredded.
        staged = Path(tmp) / "staged.sqlite3"
        shutil.copyfile(dump, staged)
        engine = create_engine(f"sqlite:///{staged}")
        try:
            with Session(engine) as session:
                report = reapply_journal(entries, session)
                session.commit()
        finally:
            engine.dispose()
        db.session.remove()
        db.engine.dispose()
        source = sqlite3.connect(staged)
        target = sqlite3.connect(live)
        try:
            source.backup(target)  # replaces every page of the live file under one lock
        finally:
            target.close()
            source.close()
    return report


# --- the shred journal on restore -------------------------------------------------------------


def reapply_journal(entries: list[ShredEntry], session: Session | scoped_session[Any]) -> RestoreReport:
    """Shred again every journaled key (and mark its case purged) in ``session``; idempotent."""
    from models import Case

    from .cases.erasure import erase

    report = RestoreReport()
    now = datetime.now(UTC)
    for entry in entries:
        result = session.execute(
            update(DataKeyRecord)
            .where(DataKeyRecord.id == entry.id, DataKeyRecord.wrapped_key.is_not(None))
            .values(wrapped_key=None, kek_id=None, shredded_at=now)
            .execution_options(synchronize_session=False)
        )
        report.reshredded += int(getattr(result, "rowcount", 0) or 0)
        kind, _, owner_id = entry.owner.partition(":")
        case = session.get(Case, owner_id) if kind == "case" and owner_id else None
        if case is not None:
            # The case was erased after the backup: erased again, as it was, down to its remains.
            erase(case, session)
            report.cases_purged += 1
    return report


def _missing_keks(ring: KeyRing) -> dict[str, int]:
    rows = db.session.execute(
        select(DataKeyRecord.kek_id, func.count())
        .where(DataKeyRecord.wrapped_key.is_not(None))
        .group_by(DataKeyRecord.kek_id)
    ).all()
    return {str(kek): int(n) for kek, n in rows if kek not in ring.kek_ids}


# --- commands -------------------------------------------------------------------------------


def create_backup(path: Path) -> dict[str, Any]:
    ring = keyring(refresh=True)
    dialect = _dialect()
    if path.exists() and any(path.iterdir()):
        raise BackupError(f"{path} exists and is not empty")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    dump = path / DUMP_NAMES[dialect]
    _dump(dialect, dump)
    os.chmod(dump, 0o600)
    assert_no_keys(dump, ring)
    revision = None
    try:
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 — a schema made without migrations (tests) has no such table
        db.session.rollback()
    kek_rows = db.session.execute(
        select(DataKeyRecord.kek_id, func.count()).where(DataKeyRecord.wrapped_key.is_not(None))
        .group_by(DataKeyRecord.kek_id)
    ).all()
    manifest = sign_manifest(
        {
            "format": FORMAT,
            "version": VERSION,
            "dialect": dialect,
            "file": dump.name,
            "size": dump.stat().st_size,
            "sha256": sha256_of(dump),
            "created_at": datetime.now(UTC).isoformat(),
            "alembic_revision": revision,
            # Ids only: which KEKs this backup needs to be readable (the keys are not in it).
            "kek_ids": {str(k): int(n) for k, n in kek_rows},
            "contains_keys": False,
        },
        ring,
    )
    manifest_path = path / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.chmod(manifest_path, 0o600)
    return manifest


def restore_backup(path: Path) -> RestoreReport:
    ring = keyring(refresh=True)
    dialect = _dialect()
    _manifest, dump = verify(path, ring, dialect)
    journal: ShredJournal | None = current_app.extensions.get("sutura.shred_journal")
    try:  # read before anything is replaced: an unreadable journal stops the restore here
        entries = journal.entries() if journal is not None else []
    except ShredJournalError as exc:
        raise BackupError(f"refused: {exc}") from None
    db.session.rollback()
    if dialect == "postgresql":
        report = _pg_restore(dump, entries)
    else:
        report = _sqlite_restore(dump, entries)
    db.session.remove()
    # Applied inside the restore already; once more through the ORM (a no-op unless an entry
    # escaped the SQL above), committed with the audit event below.
    again = reapply_journal(entries, db.session)
    report.reshredded += again.reshredded
    report.cases_purged += again.cases_purged
    report.missing_keks = _missing_keks(ring)
    audit.record(
        "backup.restored",
        actor_name="cli",
        details={"reshredded": report.reshredded, "cases_purged": report.cases_purged,
                 "created_at": _manifest.get("created_at")},
    )
    db.session.commit()
    return report


@backup_cli.command("create")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_create(path: Path) -> None:
    """Write a backup of the database (never the keys) to the directory PATH."""
    manifest = create_backup(path)
    click.echo(f"backup written to {path}: {manifest['file']}, {manifest['size']} bytes, sha256 {manifest['sha256']}")
    click.echo("the key file is not in it: keep the key file (and retired keys this backup needs: "
               f"{', '.join(manifest['kek_ids']) or 'none'}) apart from the backup; see docs/backups.md")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask for confirmation (the database is replaced)")
def backup_restore(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH, then re-apply the shred journal."""
    if current_app.extensions.get("sutura.shred_journal") is None:
        raise BackupError(
            "no shred journal configured (SUTURA_SHRED_JOURNAL or a key file): a restore could bring "
            "purged survivors back, so it is refused"
        )
    if not yes:
        click.confirm("This replaces the whole database with the backup. Stop every app server first. Continue?",
                      abort=True)
    report = restore_backup(path)
    click.echo(f"restored {path}; shred journal re-applied: {report.reshredded} data keys shredded again, "
               f"{report.cases_purged} cases purged again")
    for kek_id, count in sorted(report.missing_keks.items()):
        click.echo(
            f"warning: {count} data keys are wrapped under {kek_id}, which the key file no longer holds; put that "
            "retired key back from its archived key file, run `keys rotate`, then `keys retire` it again",
            err=True,
        )
