"""Key ring loading, data-key wrapping, rotation of single keys."""

import base64
import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto import DataKey, DecryptionError, KeyMaterialError, KeyRing, UnknownKeyId, kek_id_of, rewrap, unwrap, wrap

RING = KeyRing.generate()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_wrap_round_trip_and_kek_id_is_beside() -> None:
    dk = DataKey.generate()
    blob = wrap(dk, RING, "case:1")
    assert kek_id_of(blob) == RING.newest_id
    back = unwrap(blob, RING, "case:1")
    assert back.key_id == dk.key_id and back.secret == dk.secret


@given(st.data())
def test_tampering_any_byte_of_a_wrapped_key_fails(data: st.DataObject) -> None:
    blob = bytearray(wrap(DataKey.generate(), RING, "case:1"))
    blob[data.draw(st.integers(0, len(blob) - 1))] ^= data.draw(st.integers(1, 255))
    with pytest.raises(DecryptionError):
        unwrap(bytes(blob), RING, "case:1")


def test_wrapped_key_bound_to_its_owner() -> None:
    blob = wrap(DataKey.generate(), RING, "case:1")
    with pytest.raises(DecryptionError):
        unwrap(blob, RING, "case:2")


def test_unknown_and_wrong_kek() -> None:
    blob = wrap(DataKey.generate(), RING, "case:1")
    with pytest.raises(UnknownKeyId):
        unwrap(blob, KeyRing.generate(), "case:1")
    impostor = KeyRing(keks={RING.newest_id: os.urandom(32)}, index_key=os.urandom(32), audit_key=os.urandom(32))
    with pytest.raises(DecryptionError):
        unwrap(blob, impostor, "case:1")


def test_rewrap_moves_to_newest_and_old_kek_can_retire() -> None:
    dk = DataKey.generate()
    blob = wrap(dk, RING, "case:9")
    ring2 = RING.with_new_kek()
    fresh = rewrap(blob, ring2, "case:9")
    assert kek_id_of(fresh) == ring2.newest_id != RING.newest_id
    retired = ring2.without_kek(RING.newest_id)
    assert unwrap(fresh, retired, "case:9").secret == dk.secret
    with pytest.raises(UnknownKeyId):
        unwrap(blob, retired, "case:9")


def test_key_file_round_trip_is_private(tmp_path) -> None:
    path = tmp_path / "keys.json"
    RING.write(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    loaded = KeyRing.from_file(path)
    assert loaded.kek_ids == RING.kek_ids and loaded.index_key == RING.index_key


def test_world_readable_key_file_is_refused(tmp_path) -> None:
    path = tmp_path / "keys.json"
    RING.write(path)
    path.chmod(0o644)
    with pytest.raises(KeyMaterialError, match="chmod 600"):
        KeyRing.from_file(path)


def test_keys_from_environment_newest_last() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    ring = KeyRing.from_env(
        {
            "SUTURA_KEKS": f"old:{b64(k1)}, new:{b64(k2)}",
            "SUTURA_INDEX_KEY": b64(os.urandom(32)),
            "SUTURA_AUDIT_KEY": b64(os.urandom(32)),
        }
    )
    assert ring.newest_id == "new" and ring.kek("old") == k1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no key material"),
        ({"SUTURA_KEKS": "k1"}, "id:base64key"),
        ({"SUTURA_KEKS": "k1:!!!"}, "SUTURA_KEKS entry k1 is not valid base64"),
        ({"SUTURA_KEKS": f"k1:{b64(b'short')}"}, "must be 32 bytes"),
        ({"SUTURA_KEKS": f"k1:{b64(bytes(32))}"}, "SUTURA_INDEX_KEY is missing"),
        (
            {
                "SUTURA_KEKS": f"bad id:{b64(bytes(32))}",
                "SUTURA_INDEX_KEY": b64(bytes(32)),
                "SUTURA_AUDIT_KEY": b64(bytes(32)),
            },
            "KEK id",
        ),
        ({"SUTURA_KEY_FILE": "/nonexistent/keys.json"}, "does not exist"),
    ],
)
def test_missing_or_malformed_keys_are_named(env, message) -> None:
    with pytest.raises(KeyMaterialError, match=message):
        KeyRing.from_env(env)


@pytest.mark.parametrize(
    "doc",
    [
        "not json",
        json.dumps([]),
        json.dumps({"version": 1, "keks": []}),
        json.dumps(
            {
                "version": 1,
                "keks": [{"id": "a", "key": b64(bytes(32))}, {"id": "a", "key": b64(bytes(32))}],
                "index_key": b64(bytes(32)),
                "audit_key": b64(bytes(32)),
            }
        ),
    ],
)
def test_malformed_key_file_is_refused(doc) -> None:
    with pytest.raises(KeyMaterialError):
        KeyRing.from_json(doc)


def test_keyring_repr_hides_keys() -> None:
    text = repr(RING)
    assert b64(RING.kek(RING.newest_id)) not in text and RING.newest_id in text
