"""Run one Sutura server process on a given port and database (used by the multi-process
tests): ``python -m tests.integration.serve PORT DATABASE_URL KEY_FILE [LIMIT_STORE LIMIT]``."""

from __future__ import annotations

import sys

from werkzeug.serving import run_simple

from app import create_app
from config import TestConfig

if __name__ == "__main__":
    port, url, key_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": key_file}
    if len(sys.argv) > 4:  # rate limits kept in a shared store (Redis), and a low limit to reach
        overrides.update(RATELIMIT_STORAGE_URI=sys.argv[4], SUTURA_LOGIN_RATE_LIMIT=sys.argv[5])
    app = create_app(TestConfig, overrides)
    run_simple("127.0.0.1", port, app, threaded=True)
