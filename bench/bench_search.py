"""Finding a survivor by name: blind-index search against decrypting the whole table.

The baseline is what a system without blind indexes must do — load every survivor of the
caller's scope and decrypt each name — measured on the same database in the same run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import create_app
from app.cases import service
from app.passwords import hash_password
from config import TestConfig
from crypto import KeyRing
from models import Agency, AuditHead, Base, Case, Survivor, User, db
from models.location import load_locations

from .harness import Figure, paired, print_table

CASES = 2000
GIVEN = ("Aïssata", "Fatoumata", "Mariam", "Kadidia", "Hawa", "Aminata", "Oumou", "Djénéba", "Fanta", "Rokia")
FAMILY = ("Maïga", "Touré", "Cissé", "Traoré", "Diallo", "Coulibaly", "Keïta", "Sidibé", "Dicko", "Sangaré")


def _check(found: list[object]) -> None:
    if len(found) != 1:  # a fast wrong answer is no benchmark
        raise RuntimeError(f"expected one match, found {len(found)}")


def _populate(user: User) -> None:
    for n in range(CASES):
        service.create_case(
            user,
            {
                "kind": "gbv",
                "location": "ML-7-03",
                "survivor": {
                    "given_name": f"{GIVEN[n % 10]}{n}",
                    "family_name": FAMILY[(n // 10) % 10],
                    "age": 25,
                    "sex": "female",
                    "phone": f"+223 76 {n:06d}",
                },
                "consent": {"services": True, "reporting": True, "given_by": "survivor"},
            },
        )
        if n % 200 == 199:
            db.session.commit()
    db.session.commit()


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            TestConfig,
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}", "SUTURA_KEYRING": KeyRing.generate()},
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            db.session.add(AuditHead(id=1, last_seq=0, last_hash=""))
            load_locations(db.session)
            agency = Agency(code="BENCH", name="Bench", isp_signed=True)
            user = User(username="bench", role="caseworker", agency=agency, password_hash=hash_password("x" * 16))
            db.session.add_all([agency, user])
            db.session.commit()
            started = time.perf_counter()
            _populate(user)
            per_case = (time.perf_counter() - started) / CASES
            wanted = f"{GIVEN[7]}1337"

            def decrypt_all() -> None:
                db.session.expire_all()
                # Loaded the fastest way (one query, keys joined): only the decryption is left to pay.
                rows = db.session.scalars(
                    select(Survivor)
                    .join(Case)
                    .where(Case.owner_id == user.id)
                    .options(joinedload(Survivor.case).joinedload(Case.data_key_record))
                )
                found = [s for s in rows.unique() if s.given_name == wanted]
                _check(found)

            def blind_index() -> None:
                db.session.expire_all()
                stmt = service.list_query(user, service.CaseFilters(q=wanted))
                found = service.exact_matches(list(db.session.scalars(stmt.limit(500)).unique()), wanted)
                _check(found)

            base, ours = paired(decrypt_all, blind_index, number=3, repeat=5)
            db.session.remove()
            db.engine.dispose()

    figures = [
        Figure(f"register one case (service, encryption, audit) ×{CASES}", per_case),
        Figure(f"find a name by decrypting all {CASES} survivors", base),
        Figure("find the same name through the blind index", ours, "decrypt all", ours / base),
    ]
    print_table(f"search — {CASES} cases on SQLite", figures)
    return figures


if __name__ == "__main__":
    run()
