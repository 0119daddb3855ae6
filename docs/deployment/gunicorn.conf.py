"""gunicorn settings for sutura.service (docs/deployment/README.md).

No access log: the app logs one JSON line per request itself, with a request id and the path
WITHOUT its query string (search terms are names and phone numbers; gunicorn's access log
would print them). gunicorn's own messages go to stderr, i.e. the journal.
"""

import multiprocessing
import os

bind = os.environ.get("SUTURA_BIND", "127.0.0.1:8000")  # behind the TLS proxy
workers = int(os.environ.get("SUTURA_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "sync"
timeout = 60  # a worker silent this long is killed and replaced by the master
graceful_timeout = 25  # below TimeoutStopSec=30 of the unit
keepalive = 5
max_requests = 2000  # recycle workers now and then; jitter so they do not all restart at once
max_requests_jitter = 200
accesslog = None
errorlog = "-"
loglevel = "info"
# Never print request headers or bodies in gunicorn's debug output.
capture_output = False


def child_exit(server, worker):  # noqa: ANN001, ANN201 — gunicorn's hook signature
    """A dead worker's live gauges must not be summed forever (Prometheus multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
