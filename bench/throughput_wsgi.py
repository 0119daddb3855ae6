"""WSGI entry for ``bench/bench_throughput.py``: the service on the benchmark's own schema and key
file, given by the environment (``BENCH_THROUGHPUT_DATABASE_URL``, ``SUTURA_KEY_FILE``) because
gunicorn's workers import it in processes of their own; ``SUTURA_AUDIT_SEAL_DELAY`` says how the
workers seal the audit chain."""

from __future__ import annotations

import os

from app import create_app
from config import TestConfig

app = create_app(
    TestConfig,
    {
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_THROUGHPUT_DATABASE_URL"],
        "SUTURA_KEY_FILE": os.environ["SUTURA_KEY_FILE"],
        "RATELIMIT_ENABLED": False,
        # Sealing as deployed (the test settings seal each response's events at once).
        "AUDIT_SEAL_DELAY": float(os.environ["SUTURA_AUDIT_SEAL_DELAY"]),
    },
)
