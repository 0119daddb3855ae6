"""crypto/: field encryption and data-key wrapping against the raw AESGCM call.

Target (issue "crypto/"): the package's overhead stays under 2x the raw primitive, measured in
the same run. The baseline does what any correct use must do too: draw a random nonce and
pass associated data.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto import DataKey, KeyRing, decrypt_text, encrypt_text, field_context, unwrap, wrap
from crypto.blind_index import BlindIndex

from .harness import Figure, paired, per_op, print_table

FIELD = "Aïssata Coulibaly"  # a typical identifying field (a full name)
N = 20_000


def run() -> list[Figure]:
    ring = KeyRing.generate()
    dk = DataKey.generate()
    ctx = field_context("persons", "given_name", "0b5e2c1e-7d21-4c4e-9a6e-5c4f0e7c1a2b")
    raw_key = AESGCM(os.urandom(32))
    plain = FIELD.encode()
    aad = b"\x01" + dk.key_id + bytes(12) + ctx

    def raw_field() -> None:
        nonce = os.urandom(12)
        raw_key.decrypt(nonce, raw_key.encrypt(nonce, plain, aad), aad).decode()

    def our_field() -> None:
        decrypt_text(dk, encrypt_text(dk, FIELD, ctx), ctx)

    kek_cipher = AESGCM(ring.kek(ring.newest_id))
    wrap_aad = b"sutura/data-key/v1\x00case:0b5e2c1e-7d21-4c4e-9a6e-5c4f0e7c1a2b\x00" + bytes(40)

    def raw_wrap() -> None:
        nonce = os.urandom(12)
        kek_cipher.decrypt(nonce, kek_cipher.encrypt(nonce, dk.secret, wrap_aad), wrap_aad)

    owner = "case:0b5e2c1e-7d21-4c4e-9a6e-5c4f0e7c1a2b"

    def our_wrap() -> None:
        unwrap(wrap(dk, ring, owner), ring, owner)

    index = BlindIndex("persons", "given_name")
    figures = []
    base_field, ours = paired(raw_field, our_field, number=N)
    figures.append(Figure("raw AESGCM encrypt+decrypt, 17-char field", base_field))
    figures.append(Figure("crypto encrypt_text+decrypt_text, same field", ours, "raw field", ours / base_field))
    base_wrap, ours_wrap = paired(raw_wrap, our_wrap, number=N)
    figures.append(Figure("raw AESGCM wrap+unwrap of a 32-byte key", base_wrap))
    figures.append(Figure("crypto wrap+unwrap of a data key", ours_wrap, "raw wrap", ours_wrap / base_wrap))
    bidx = per_op(lambda: index.compute(ring.index_key, FIELD), number=N)
    figures.append(Figure("blind index of a name (normalize + HMAC)", bidx, "raw field", bidx / base_field))
    print_table("crypto/ — per operation, best of 7, measured in alternation", figures)
    return figures


if __name__ == "__main__":
    run()
