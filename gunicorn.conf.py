"""gunicorn settings (read automatically from the working directory); each can be overridden by environment.

Sync workers, two per core plus one: the pages are short and CPU-bound in Python,
a worker waiting on PostgreSQL leaves the core to another, and persistent database
connections (DB_CONN_MAX_AGE) keep a worker from reconnecting per request. Put a
proxy in front for slow clients and keep-alive; see README "Performance".
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never grow without bound. Not too often: a worker serves
# 200–300 requests a second at full load, and each restart costs about a second of loading Django, during
# which requests queue (at 5 000 the bench saw p95 jump to 0.5 s every twenty seconds or so).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
