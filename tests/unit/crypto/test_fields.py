"""Field encryption: round trips, tampering, moved ciphertexts, bad input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    DataKey,
    DecryptionError,
    UnknownKeyId,
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
    encrypt_text,
    field_context,
)
from crypto.errors import CryptoError

KEY = DataKey.generate()
CTX = field_context("persons", "given_name", "0b5e2c1e-0000-4000-8000-000000000001")


@given(st.text())
def test_any_unicode_text_round_trips(text: str) -> None:
    assert decrypt_text(KEY, encrypt_text(KEY, text, CTX), CTX) == text


@given(st.binary(max_size=4096))
def test_any_bytes_round_trip(data: bytes) -> None:
    assert decrypt_bytes(KEY, encrypt_bytes(KEY, data, CTX), CTX) == data


def test_same_value_encrypts_differently_each_time() -> None:
    assert encrypt_text(KEY, "Aïcha", CTX) != encrypt_text(KEY, "Aïcha", CTX)


@settings(max_examples=200)
@given(st.text(min_size=0, max_size=64), st.data())
def test_tampering_any_byte_fails(text: str, data: st.DataObject) -> None:
    blob = bytearray(encrypt_text(KEY, text, CTX))
    position = data.draw(st.integers(0, len(blob) - 1))
    flip = data.draw(st.integers(1, 255))
    blob[position] ^= flip
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, bytes(blob), CTX)


@given(st.text(max_size=64), st.data())
def test_truncation_fails(text: str, data: st.DataObject) -> None:
    blob = encrypt_text(KEY, text, CTX)
    cut = data.draw(st.integers(0, len(blob) - 1))
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, blob[:cut], CTX)


@given(
    st.text(max_size=32),
    st.sampled_from(["persons", "incidents"]),
    st.sampled_from(["given_name", "family_name", "phone"]),
    st.uuids(),
)
def test_moving_a_ciphertext_to_another_row_or_column_fails(text, table, column, row) -> None:
    other = field_context(table, column, row)
    if other == CTX:
        return
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, encrypt_text(KEY, text, CTX), other)


def test_wrong_data_key_is_named() -> None:
    blob = encrypt_text(KEY, "Fatoumata", CTX)
    with pytest.raises(UnknownKeyId):
        decrypt_text(DataKey.generate(), blob, CTX)


def test_relabelled_key_id_fails_authentication() -> None:
    other = DataKey(key_id=DataKey.generate().key_id, secret=KEY.secret)
    blob = encrypt_text(KEY, "Fatoumata", CTX)
    with pytest.raises(DecryptionError):
        decrypt_text(other, blob[:1] + other.key_id + blob[17:], CTX)


@pytest.mark.parametrize("junk", [b"", b"\x01", b"\x02" + bytes(60), "text", None, 42])
def test_junk_raises_a_named_error_never_invalid_tag(junk) -> None:
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, junk, CTX)


def test_errors_never_carry_the_plaintext() -> None:
    blob = bytearray(encrypt_text(KEY, "Mariam Coulibaly", CTX))
    blob[-1] ^= 1
    with pytest.raises(CryptoError) as caught:
        decrypt_text(KEY, bytes(blob), CTX)
    assert "Mariam" not in str(caught.value) and "Mariam" not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_context_rejects_separator_and_empty_parts() -> None:
    with pytest.raises(ValueError):
        field_context("persons", "given\x1fname", 1)
    with pytest.raises(ValueError):
        field_context("persons", "", 1)


def test_key_repr_hides_the_secret() -> None:
    assert KEY.secret.hex() not in repr(KEY) and str(KEY.secret) not in repr(KEY)
