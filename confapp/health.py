"""Readiness for the load balancer: can this host serve requests now? The database answers a
`SELECT 1` and, when REDIS_URL is set (jobs, rate limits), Redis answers a ping within a second.

The answer says only ready or not: what failed goes to this host's log, never to the caller
(no host names, versions or error texts on a public URL). `/healthz` stays the cheap
"the process answers" check; this one costs a database round trip."""
from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import text

from .extensions import db

log = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 1.0


def unready_parts(app: Flask) -> list[str]:
    """The names of the services this host cannot reach (empty when ready); logs why."""
    failed = []
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; the kind goes to the log
        log.warning("Not ready: the database did not answer (%s: %s)", type(error).__name__, _first_line(error))
        failed.append("database")
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        import redis

        client = redis.Redis.from_url(redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        except Exception as error:
            log.warning("Not ready: Redis did not answer (%s: %s)", type(error).__name__, _first_line(error))
            failed.append("redis")
        finally:
            client.close()
    return failed


def _first_line(error: BaseException) -> str:
    return (str(getattr(error, "orig", None) or error).strip().splitlines() or [""])[0][:200]
