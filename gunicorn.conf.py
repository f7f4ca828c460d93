"""gunicorn settings: no personal data in the access log.

The log line keeps method, path, status and timing but drops the query string (searches
carry names and emails), the client address, and long opaque path segments (self-service,
volunteer and calendar tokens).
"""
import gc
import os
import re

from gunicorn.glogging import Logger
from sqlalchemy.orm import configure_mappers

bind = os.environ.get("BIND", "127.0.0.1:5000")
# Processes, not threads, carry the load: Python threads share one core (the GIL), and on a
# 2-core machine 4 workers x 2 threads halved the check-in desk's p99 against 2 x 4 (docs/benchmarks.md).
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
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
