"""gunicorn settings: no personal data in the access log.

The log line keeps method, path, status and timing but drops the query string (searches
carry names and emails), the client address, and long opaque path segments (self-service,
volunteer and calendar tokens).
"""
import gc
import os
import re
import threading
import time

from gunicorn.glogging import Logger
from sqlalchemy.orm import configure_mappers

bind = os.environ.get("BIND", "127.0.0.1:5000")
# Processes, not threads, carry the load: Python threads share one core (the GIL), and on a
# 2-core machine 4 workers x 2 threads halved the check-in desk's p99 against 2 x 4 (docs/benchmarks.md).
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
# Limits a threaded (gthread) worker really enforces. Its `timeout` only notices a worker whose main
# loop stalls, not one slow request in a thread, and nothing in gunicorn watches memory: the hooks
# below do both. A worker is also replaced after max_requests (+ jitter) requests, so slow growth
# never accumulates. Rarely, and at well-spread moments: a new worker imports the app (2-3 s of
# one core here), and with 2,000 + up to 200 the four workers, sharing the load evenly, were all
# replaced within a few hundred requests of each other, every 8,000 requests: the machine spent
# seconds importing while requests queued (p90 of 1.5-3.9 s for /healthz in the shared harness,
# 7 Dec). Memory stays flat without recycling (bench/memory_soak.py), and the limits below act on
# size and time whatever the count.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))
graceful_timeout = 30
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# After a request, a worker above this resident size finishes what it is doing and is replaced.
WORKER_MAX_RSS_MB = int(os.environ.get("WORKER_MAX_RSS_MB", "512"))
# A worker with a request running longer than this, or grown past WORKER_HARD_MAX_RSS_MB (twice the
# size above unless set), is ended
# at once (gunicorn starts another); the watchdog thread checks every second.
REQUEST_TIME_LIMIT = float(os.environ.get("REQUEST_TIME_LIMIT", "60"))
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# A path segment that may identify a person: anything with an "@", and long segments that are
# not plain slugs (lower-case words joined by hyphens), i.e. tokens in self-service links.
_SEGMENT = re.compile(r"(?<=/)[^/]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def redact_path(path: str) -> str:
    def replace(match: re.Match) -> str:
        segment = match.group(0)
        if "@" in segment or "%40" in segment.lower() or (len(segment) >= 20 and not _SLUG.fullmatch(segment)):
            return "[redacted]"
        return segment

    return _SEGMENT.sub(replace, path)


class RedactingLogger(Logger):
    def access(self, resp, req, environ, request_time):
        environ = dict(environ)
        environ["PATH_INFO"] = redact_path(environ.get("PATH_INFO", ""))
        environ["RAW_URI"] = environ["PATH_INFO"]
        environ["QUERY_STRING"] = ""
        environ.pop("REMOTE_ADDR", None)
        environ.pop("HTTP_REFERER", None)
        super().access(resp, req, environ, request_time)


logger_class = RedactingLogger


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
# Thread id -> monotonic start of the request it is serving.
_running: dict[int, float] = {}


def rss_mb() -> float:
    """This process's resident memory now (not its peak), in MB."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0


def pre_request(worker, req):
    _running[threading.get_ident()] = time.monotonic()


def post_request(worker, req, environ, resp):
    _running.pop(threading.get_ident(), None)
    size = rss_mb()
    if size > WORKER_MAX_RSS_MB and worker.alive:
        worker.log.warning("worker %s at %.0f MB (limit %s MB): restarting after its current requests",
                           worker.pid, size, WORKER_MAX_RSS_MB)
        worker.alive = False


def over_limit(now: float) -> str | None:
    """Why this worker must end now, or None."""
    started = min(_running.values(), default=None)
    if started is not None and now - started > REQUEST_TIME_LIMIT:
        return f"a request has run {now - started:.0f} s (limit {REQUEST_TIME_LIMIT:.0f} s)"
    size = rss_mb()
    hard_limit = int(os.environ.get("WORKER_HARD_MAX_RSS_MB") or 2 * WORKER_MAX_RSS_MB)
    if size > hard_limit:
        return f"{size:.0f} MB resident (hard limit {hard_limit} MB)"
    return None


def _watchdog(worker) -> None:
    while True:
        time.sleep(1)
        reason = over_limit(time.monotonic())
        if reason:
            worker.log.error("worker %s ended: %s", worker.pid, reason)
            os._exit(1)


def post_worker_init(worker):
    # The app imports about 170,000 long-lived objects (modules, models, templates). A full
    # garbage collection walks all of them: 100-250 ms on a 2-core machine, landing on whichever
    # request happens to trigger it, which at the door is a scan. Collected once and frozen here,
    # later collections only walk what requests create (docs/benchmarks.md, check-in desk).
    # Mappers are configured first, so that their objects are frozen too and the first request
    # does not pay for it while holding the database's write lock.
    configure_mappers()
    gc.collect()
    gc.freeze()
    # On embedded SQLite, a thread copies the write-ahead log into the database every half
    # second, so no check-in's COMMIT has to (confapp/sqlite.py).
    from confapp.extensions import db
    from confapp.sqlite import checkpoint_in_background

    with worker.wsgi.app_context():
        checkpoint_in_background(db.engine)
    threading.Thread(target=_watchdog, args=(worker,), name="request-watchdog", daemon=True).start()
