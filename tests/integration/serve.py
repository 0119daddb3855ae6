"""Run one Sutura server process on a given port and database (used by the multi-process
tests): ``python -m tests.integration.serve PORT DATABASE_URL KEY_FILE``."""

from __future__ import annotations

import sys

from werkzeug.serving import run_simple

from app import create_app
from config import TestConfig

if __name__ == "__main__":
    port, url, key_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": key_file})
    run_simple("127.0.0.1", port, app, threaded=True)
