"""gunicorn settings: no personal data in the access log.

The log line keeps method, path, status and timing but drops the query string (searches
carry names and emails), the client address, and long opaque path segments (self-service,
volunteer and calendar tokens).
"""
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'

_TOKEN = re.compile(r"/[A-Za-z0-9_\-\.]{20,}")


class RedactingLogger(Logger):
    def access(self, resp, req, environ, request_time):
        environ = dict(environ)
        environ["PATH_INFO"] = _TOKEN.sub("/[token]", environ.get("PATH_INFO", ""))
        environ["RAW_URI"] = environ["PATH_INFO"]
        environ["QUERY_STRING"] = ""
        super().access(resp, req, environ, request_time)


logger_class = RedactingLogger
