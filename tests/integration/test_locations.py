"""Locations in production: the migrations load Mali's regions and cercles, communes come from
`flask --app wsgi locations import FILE` (all lines or none), and admins add, rename and
deactivate locations — a deactivated place is no longer offered, records that use it keep it."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text, update

from models import Location, db
from models.location import MALI_LOCATIONS, load_locations

from ..conftest import csrf_token, make_app, post_form, wipe
from ..conftest import text as page_text
from ..databases import isolated_database
from .cases_helpers import make_case

SHIPPED = [row["code"] for row in csv.DictReader(MALI_LOCATIONS.open(encoding="utf-8"))]

COMMUNES = """code,name_fr,name_en,level,parent
ML-7-01-01,Commune urbaine de Ansongo,Ansongo urban commune,commune,ML-7-01
ML-7-03-01,Commune urbaine de Gao,Gao urban commune,commune,ML-7-03
ML-7-03-02,Soni Aliber,Soni Aliber,commune,ML-7-03
"""


@pytest.fixture(autouse=True)
def _shipped_locations(app) -> Iterator[None]:
    """The session's database keeps its locations between tests: put them back as shipped."""
    yield
    wipe(app)
    with app.app_context():
        for level in ("commune", "cercle", "region"):
            db.session.execute(delete(Location).where(Location.level == level, Location.code.not_in(SHIPPED)))
        db.session.execute(update(Location).values(active=True))
        load_locations(db.session)
        db.session.commit()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _count(app) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Location)) or 0)


def test_migrations_load_regions_and_cercles_idempotently_and_downgrade_keeps_used_ones(tmp_path) -> None:
    with isolated_database(tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            rows = db.session.scalars(select(Location)).all()
            assert sorted(loc.code for loc in rows) == sorted(SHIPPED)
            assert all(loc.active for loc in rows)
            assert db.session.get(Location, "ML-7").name_fr == "Gao"
            # An admin renamed Gao and a commune uses the cercle of Gao.
            db.session.execute(update(Location).where(Location.code == "ML-7").values(name_en="Gao Region"))
            db.session.add(Location(code="ML-7-03-01", name_fr="Gao", name_en="Gao", level="commune",
                                    parent_code="ML-7-03"))
            db.session.commit()
            db.session.remove()

            downgrade(revision="0004")
            left = set(db.session.scalars(text("SELECT code FROM locations")))
            assert left == {"ML-7", "ML-7-03", "ML-7-03-01"}, "only what is used stays"
            db.session.remove()

            upgrade()  # again: adds what is missing, changes nothing that is there
            assert _count(app) == len(SHIPPED) + 1
            assert db.session.get(Location, "ML-7").name_en == "Gao Region"
            db.session.remove()
            db.engine.dispose()


def test_cli_import_adds_communes_and_renames(app, tmp_path) -> None:
    path = tmp_path / "communes.csv"
    path.write_text(COMMUNES, encoding="utf-8")
    result = run(app, "locations", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "3 locations created, 0 renamed" in result.output
    with app.app_context():
        commune = db.session.get(Location, "ML-7-03-01")
        assert (commune.level, commune.parent_code, commune.active) == ("commune", "ML-7-03", True)

    path.write_text(COMMUNES.replace("Soni Aliber,Soni Aliber", "Soni Ali Ber,Soni Ali Ber"), encoding="utf-8")
    result = run(app, "locations", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "0 locations created, 1 renamed" in result.output
    with app.app_context():
        assert db.session.get(Location, "ML-7-03-02").name_fr == "Soni Ali Ber"


def test_cli_import_is_all_or_nothing_with_line_numbers(app, tmp_path) -> None:
    before = _count(app)
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name_fr,name_en,level,parent\n"
        "ML-7-03-01,Gao,Gao,commune,ML-7-03\n"  # fine, but not written: line 4 and 5 are wrong
        "ML-7-03-02,Soni Aliber,Soni Aliber,commune,ML-7-99\n"
        "ML-7-03-03,,Ouatagouna,commune,ML-7-03\n"
        "ML-7,Gao,Gao,cercle,ML-6\n",
        encoding="utf-8",
    )
    result = run(app, "locations", "import", str(path))
    assert result.exit_code == 2
    assert "line 3: parent" in result.output and "ML-7-99" in result.output
    assert "line 4: name_fr" in result.output
    assert "line 5: code" in result.output  # an existing place keeps its level and parent
    assert _count(app) == before

    path.write_text("code,name\nML-7-03-01,Gao\n", encoding="utf-8")
    result = run(app, "locations", "import", str(path))
    assert result.exit_code == 2 and "name_fr, name_en, level, parent" in result.output
    assert _count(app) == before


def test_admin_adds_renames_and_deactivates_a_location(app, signed_in) -> None:
    client = signed_in("admin")
    listing = client.get("/admin/locations?level=region")
    assert listing.status_code == 200
    assert "Taoudénit" in page_text(listing) and "Ansongo" not in page_text(listing)

    response = post_form(client, "/admin/locations/new", {
        "code": "ml-7-03-01", "name_fr": "Commune urbaine de Gao", "name_en": "Gao urban commune",
        "level": "commune", "parent": "ML-7-03",
    })
    assert response.status_code == 302, page_text(response)
    refused = post_form(client, "/admin/locations/new", {
        "code": "ML-7-03-09", "name_fr": "X", "name_en": "X", "level": "region", "parent": "ML-7",
    })
    assert refused.status_code == 422 and "Une région n'a pas de lieu parent." in page_text(refused)

    response = post_form(client, "/admin/locations/ML-7-03-01", {
        "code": "ML-7-03-01", "name_fr": "Gao (commune urbaine)", "name_en": "Gao urban commune", "active": "y",
    })
    assert response.status_code == 302
    response = post_form(client, "/admin/locations/ML-7-03-01", {
        "code": "ML-7-03-01", "name_fr": "Gao (commune urbaine)", "name_en": "Gao urban commune",
    })
    assert response.status_code == 302
    with app.app_context():
        commune = db.session.get(Location, "ML-7-03-01")
        assert (commune.name_fr, commune.active, commune.level) == ("Gao (commune urbaine)", False, "commune")
        actions = [row[0] for row in db.session.execute(text("SELECT action FROM audit_events"))]
        assert {"location.created", "location.updated"} <= set(actions)
    assert client.get("/admin/locations/NOPE").status_code == 404


def test_admin_imports_a_csv_of_communes(app, signed_in) -> None:
    client = signed_in("admin")
    token = csrf_token(client.get("/admin/locations").get_data(as_text=True))
    import io

    bad = client.post("/admin/locations/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"code,name_fr,name_en,level,parent\nML-X-1,A,A,commune,ML-404\n"),
                                      "c.csv")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "line 2: parent" in page_text(bad)
    good = client.post("/admin/locations/import", data={
        "csrf_token": token, "file": (io.BytesIO(COMMUNES.encode()), "c.csv")}, content_type="multipart/form-data")
    assert good.status_code == 302
    assert _count(app) == len(SHIPPED) + 3


def test_only_admins_manage_locations(signed_in) -> None:
    client = signed_in("caseworker")
    assert client.get("/admin/locations").status_code == 403


def test_a_deactivated_location_is_no_longer_offered_but_records_keep_it(app, signed_in, factory) -> None:
    client = signed_in("caseworker", "awa")
    case_id = make_case(app, "awa")  # registered in the cercle of Gao (ML-7-03)
    assert 'value="ML-7-03"' in client.get("/cases/new").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Location).where(Location.code == "ML-7-03").values(active=False))
        db.session.commit()
    assert 'value="ML-7-03"' not in client.get("/cases/new").get_data(as_text=True)
    edit = client.get(f"/cases/{case_id}/edit").get_data(as_text=True)
    assert 'value="ML-7-03"' in edit, "the case's own place stays offered on its correction form"
    assert client.get(f"/cases/{case_id}").status_code == 200


def test_bad_input_in_location_forms_is_refused_not_a_server_error(app, signed_in) -> None:
    client = signed_in("admin")
    before = _count(app)
    for data in (
        {"code": "ML-7-03-01", "name_fr": "Gao\x00", "name_en": "Gao", "level": "commune", "parent": "ML-7-03"},
        {"code": "ML\x00-1", "name_fr": "Gao", "name_en": "Gao", "level": "commune", "parent": "ML-7-03"},
        {"code": "ML-7-03-01", "name_fr": "Gao", "name_en": "Gao", "level": "commune", "parent": "ML\x00"},
        {"code": "ML-7-03-01", "name_fr": "Gao", "name_en": "Gao", "level": "village", "parent": "ML-7-03"},
    ):
        # 400: the app refuses NUL bytes in any request before the view; 422: the form's own check.
        assert post_form(client, "/admin/locations/new", data).status_code in (400, 422)
    renamed = post_form(client, "/admin/locations/ML-7", {"code": "ML-7", "name_fr": "G\x00ao", "name_en": "Gao"})
    assert renamed.status_code in (400, 422)
    assert client.get("/admin/locations/ML%00").status_code in (400, 404)
    assert client.get("/admin/locations", query_string={"q": "G\x00ao", "page": "999"}).status_code in (200, 400)
    assert _count(app) == before
