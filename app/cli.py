"""Flask CLI commands (docs/api.md lists them): users, agencies, providers, keys, audit, demo, locations."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from crypto import KeyMaterialError, KeyRing, rotate
from crypto.sqla import SqlWrappedKeyStore
from models import DataKeyRecord, db
from models.keys import keyring

from . import audit
from .admin import service
from .errors import ValidationFailed
from .referrals.directory_admin import import_csv, upsert_provider

users_cli = AppGroup("users", help="Manage user accounts.")
agencies_cli = AppGroup("agencies", help="Manage agencies.")
providers_cli = AppGroup("providers", help="The service directory.")
keys_cli = AppGroup("keys", help="Key-encryption keys: generate, rotate, retire.")
audit_cli = AppGroup("audit", help="The audit log.")
demo_cli = AppGroup("demo", help="Synthetic demo data.")
locations_cli = AppGroup("locations", help="Regions, cercles and communes.")
drafts_cli = AppGroup("drafts", help="Drafts of the long forms, kept on the server while they are typed.")
stats_cli = AppGroup("stats", help="The maintained statistics aggregate.")


def _fail(exc: ValidationFailed) -> None:
    db.session.rollback()
    for field, messages in (exc.fields or {}).items():
        for message in messages:
            click.echo(f"error: {field}: {message}", err=True)
    if not exc.fields:
        click.echo(f"error: {exc.message}", err=True)
    sys.exit(2)


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\n")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="caseworker, supervisor, provider, cluster_lead or admin")
@click.option("--agency", "agency_code", default=None, help="agency code (required for agency roles)")
@click.option("--provider", "provider_code", default=None, help="directory entry a provider user answers for")
@click.option("--sub-cluster", "sub_cluster", default=None, help="gbv or cp (cluster leads)")
@click.option("--language", default="fr", type=click.Choice(["fr", "en"]))
def users_create(
    username: str, role: str, agency_code: str | None, provider_code: str | None, sub_cluster: str | None, language: str
) -> None:
    """Create a user; the password is read from stdin when it is not a terminal."""
    try:
        user = service.create_user(
            username,
            role,
            agency_code,
            _read_password(),
            language=language,
            provider_code=provider_code,
            sub_cluster=sub_cluster,
        )
    except ValidationFailed as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"created user {user.username} ({user.role})")


@providers_cli.command("create")
@click.argument("code")
@click.option("--agency", "agency_code", required=True, help="agency code")
@click.option("--service", "services", multiple=True, required=True, help="service type (repeat for several)")
@click.option("--location", "locations", multiple=True, required=True, help="location code (repeat for several)")
@click.option("--name", default=None, help="display name (default: the code)")
@click.option("--hours", default=None)
@click.option("--languages", default=None)
@click.option("--adults-only", is_flag=True, help="does not serve children")
@click.option("--clinical-management-of-rape", "cmr", is_flag=True)
@click.option("--pep-kits", is_flag=True, help="PEP kits in stock")
def providers_create(
    code: str,
    agency_code: str,
    services: tuple[str, ...],
    locations: tuple[str, ...],
    name: str | None,
    hours: str | None,
    languages: str | None,
    adults_only: bool,
    cmr: bool,
    pep_kits: bool,
) -> None:
    """Add a service to the directory, or update it."""
    try:
        provider = upsert_provider(
            {
                "code": code,
                "name": name or code,
                "agency": agency_code,
                "services": list(services),
                "locations": list(locations),
                "hours": hours,
                "languages": languages,
                "serves_children": not adults_only,
                "clinical_management_of_rape": cmr,
                "pep_kits_in_stock": pep_kits,
            }
        )
    except ValidationFailed as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"provider {provider.code}: {', '.join(provider.service_types)} in {', '.join(provider.location_codes)}")


@providers_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def providers_import(path: str) -> None:
    """Create or update directory entries from a CSV file (all lines or none)."""
    try:
        count = import_csv(Path(path).read_text(encoding="utf-8-sig"))
    except ValidationFailed as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"{count} providers imported")


@agencies_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--isp-signed", is_flag=True, help="the agency signed the GBVIMS Information Sharing Protocol")
def agencies_create(code: str, name: str, isp_signed: bool) -> None:
    """Create an agency (organisation)."""
    try:
        agency = service.create_agency(code, name, isp_signed)
    except ValidationFailed as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"created agency {agency.code}{' (ISP signed)' if isp_signed else ''}")


def _key_file() -> Path:
    path = current_app.config.get("SUTURA_KEY_FILE")
    if not path:
        raise click.ClickException("SUTURA_KEY_FILE is not set: key generation writes to a key file")
    return Path(path)


def _check_seconds() -> float:
    watcher = current_app.extensions.get("sutura.keyring_watcher")
    return float(watcher.interval) if watcher is not None else 2.0


def _settle(path: Path, what: str) -> None:
    """Wait until every running worker has had time to load the key file as it is now.

    Workers check the file every few seconds (SUTURA_KEYRING_CHECK_SECONDS); until they have
    seen a new KEK, they still wrap new data keys under the previous one."""
    if current_app.extensions.get("sutura.keyring_watcher") is None:
        return  # this process was given its keys directly (tests): no server watches a file
    settle = 2 * _check_seconds() + 1
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return
    if age < settle:
        wait = settle - age
        click.echo(f"waiting {wait:.0f} s for running servers to load the key file before {what}")
        time.sleep(wait)


def _count_under(kek_id: str) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(DataKeyRecord)
            .where(DataKeyRecord.kek_id == kek_id, DataKeyRecord.wrapped_key.is_not(None))
        )
        or 0
    )


@keys_cli.command("generate")
@click.option("--if-missing", is_flag=True, help="do nothing when the key file exists (used by make run)")
def keys_generate(if_missing: bool) -> None:
    """Create the key file, or add a new key-encryption key to it (then run `keys rotate`)."""
    path = _key_file()
    if path.exists():
        if if_missing:
            return
        try:
            ring = KeyRing.from_file(path).with_new_kek()
        except KeyMaterialError as exc:
            raise click.ClickException(str(exc)) from None
        ring.write(path)
        older = ", ".join(ring.kek_ids[:-1])
        click.echo(f"added key-encryption key {ring.newest_id} to {path}")
        click.echo(
            f"running servers load it within {_check_seconds():g} s and wrap new data keys under it (no restart)"
        )
        click.echo("next: flask --app wsgi keys rotate")
        click.echo(f"then, for each older key ({older}): flask --app wsgi keys retire KEY_ID")
        click.echo("do not edit the key file by hand: `keys retire` removes a key only when nothing needs it")
    else:
        ring = KeyRing.generate()
        ring.write(path)
        click.echo(f"created key file {path} (mode 0600) with key-encryption key {ring.newest_id}")
        click.echo("keep a copy offline: without it the encrypted data cannot be read")
    watcher = current_app.extensions.get("sutura.keyring_watcher")
    if watcher is not None:
        watcher.refresh()
    current_app.extensions["sutura.keyring"] = ring
    try:
        audit.record("keys.generated", actor_name="cli", details={"kek_id": ring.newest_id})
        db.session.commit()
    except SQLAlchemyError:  # a fresh install has no tables yet: the key file is what matters
        db.session.rollback()


@keys_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True)
def keys_rotate(batch_size: int) -> None:
    """Re-wrap every data key under the newest key-encryption key (resumable)."""
    path = current_app.config.get("SUTURA_KEY_FILE")
    if path:
        _settle(Path(path), "re-wrapping")
    ring = keyring(refresh=True)

    def progress(p: object) -> None:
        click.echo(f"re-wrapped {p.rewrapped}, remaining {p.remaining}")  # type: ignore[attr-defined]

    result = rotate(SqlWrappedKeyStore(db.session, DataKeyRecord), ring, batch_size=batch_size, on_progress=progress)
    audit.record(
        "keys.rotated",
        actor_name="cli",
        details={"kek_id": ring.newest_id, "rewrapped": result.rewrapped, "remaining": result.remaining},
    )
    db.session.commit()
    click.echo(f"done: {result.rewrapped} data keys re-wrapped under {ring.newest_id}; remaining {result.remaining}")
    older = ring.kek_ids[:-1]
    if result.remaining == 0 and older:
        click.echo(f"older keys wrap nothing now: {', '.join(older)}")
        click.echo("retire each with: flask --app wsgi keys retire KEY_ID")
    elif result.remaining:
        click.echo("run `flask --app wsgi keys rotate` again to finish; retire no key before it reports remaining 0")


@keys_cli.command("retire")
@click.argument("kek_id")
def keys_retire(kek_id: str) -> None:
    """Remove a key-encryption key from the key file once no data key is wrapped under it."""
    path = _key_file()
    try:
        ring = KeyRing.from_file(path)
    except KeyMaterialError as exc:
        raise click.ClickException(str(exc)) from None
    if kek_id not in ring.kek_ids:
        raise click.ClickException(f"{path} holds no key-encryption key {kek_id!r} (keys: {', '.join(ring.kek_ids)})")
    if kek_id == ring.newest_id:
        raise click.ClickException(
            f"{kek_id} is the newest key-encryption key: it wraps every new data key and cannot be retired"
        )
    # Servers that have not yet loaded the newest key would still wrap under this one.
    _settle(path, "counting")
    remaining = _count_under(kek_id)
    if remaining:
        raise click.ClickException(
            f"refused: {remaining} data keys are still wrapped under {kek_id}; "
            "run `flask --app wsgi keys rotate` until it reports remaining 0, then retire again"
        )
    ring = KeyRing.from_file(path)  # as it is now, should another key have been added meanwhile
    ring.without_kek(kek_id).write(path)
    # A request that began before the servers loaded the newest key may still commit a data key
    # under the retired one: sweep once more with the key still in memory.
    time.sleep(_check_seconds() + 1)
    late = rotate(SqlWrappedKeyStore(db.session, DataKeyRecord), ring).rewrapped if _count_under(kek_id) else 0
    watcher = current_app.extensions.get("sutura.keyring_watcher")
    if watcher is not None:
        watcher.refresh()
    audit.record("keys.retired", actor_name="cli", details={"kek_id": kek_id, "late_rewrapped": late})
    db.session.commit()
    click.echo(f"retired {kek_id}: removed from {path}; running servers drop it within {_check_seconds():g} s")
    click.echo(
        "destroy every other copy of the old key file only once no backup you keep still needs it "
        "(docs/key-rotation.md)"
    )


@audit_cli.command("seal")
def audit_seal() -> None:
    """Chain every committed event still waiting (workers seal a moment after their responses;
    this catches the few left when two sealers crossed or a worker stopped before its seal).
    Safe to run from cron at any time."""
    click.echo(f"sealed {audit.seal(wait=True)} audit events")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken entry."""
    audit.seal(wait=True)
    result = audit.verify(db.session, keyring().audit_key)
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} entries")
        return
    click.echo(f"audit chain BROKEN at entry {result.broken_seq}: {result.reason}", err=True)
    sys.exit(1)


@demo_cli.command("load")
def demo_load() -> None:
    """Load the synthetic demo data set (once; refused under production settings)."""
    from .demo import DEMO_PASSWORDS, load

    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("demo data is refused under production settings (SUTURA_ENV=production)")
    created = load()
    if created:
        click.echo("demo data loaded")
    click.echo("demo accounts (demo only, refused under production settings):")
    for username, (role, password) in DEMO_PASSWORDS.items():
        click.echo(f"  {username:<14} {role:<13} {password}")


@locations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def locations_import(path: str) -> None:
    """Add or rename locations from a CSV file: code,name_fr,name_en,level,parent (all lines or none)."""
    try:
        created, renamed = service.import_locations(Path(path).read_text(encoding="utf-8-sig"))
    except ValidationFailed as exc:
        _fail(exc)
        return
    db.session.commit()
    click.echo(f"{created} locations created, {renamed} renamed")


@drafts_cli.command("purge-expired")
def drafts_purge_expired() -> None:
    """Shred the drafts nobody came back to within their lifetime (run daily, e.g. from cron)."""
    from .cases import drafts

    count = drafts.purge_expired()
    if count:
        audit.record("draft.expired", actor_name="cli", details={"count": count})
    db.session.commit()
    click.echo(f"{count} expired drafts shredded")


@stats_cli.command("rebuild")
def stats_rebuild() -> None:
    """Count every incident again and replace the aggregate (writers wait meanwhile)."""
    from gbvims import maintained

    written = maintained.rebuild(db.session)
    audit.record("stats.rebuilt", actor_name="cli", details={"rows": written})
    db.session.commit()
    click.echo(f"statistics rebuilt: {written} counts")


@stats_cli.command("check")
def stats_check() -> None:
    """Compare the aggregate with a full count; exit 1 listing every difference (run from cron)."""
    from gbvims import maintained

    if not maintained.is_current(db.session):
        click.echo("statistics aggregate not built yet: the first report builds it (or `stats rebuild`)")
        return
    found = maintained.differences(db.session)
    db.session.rollback()
    if not found:
        click.echo("statistics aggregate matches a full count")
        return
    for line in found[:50]:
        click.echo(line, err=True)
    click.echo(f"{len(found)} counts differ: run `stats rebuild`", err=True)
    sys.exit(1)


def register(app: Flask) -> None:
    for group in (users_cli, agencies_cli, providers_cli, keys_cli, audit_cli, demo_cli, drafts_cli, stats_cli):
        app.cli.add_command(group)
    app.cli.add_command(locations_cli)
    from .backup import backup_cli

    app.cli.add_command(backup_cli)
