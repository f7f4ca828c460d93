"""Concurrent POSTs to /api/v1 for the PostgreSQL tests: each body from its own thread and test
client, all released together by a barrier, so the requests really overlap in the server."""
from __future__ import annotations

import threading


def post_at_once(app, url: str, secret: str, bodies: list[dict], keys: list[str | None]) -> list[tuple[int, dict]]:
    """POST `bodies[n]` with `Idempotency-Key: keys[n]` (None: no key) at once; (status, JSON) of
    each answer, in the order they came back. A client that raised fails the calling test."""
    return send_at_once(app, "POST", url, secret, bodies, keys)


def send_at_once(app, method: str, url: str, secret: str, bodies: list[dict],
                 keys: list[str | None] | None = None) -> list[tuple[int, dict]]:
    """As post_at_once, with any method (a PATCH sent by several clients at once); no keys by default."""
    keys = keys if keys is not None else [None] * len(bodies)
    assert len(bodies) == len(keys)
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def integration(body: dict, key: str | None) -> None:
        try:
            client = app.test_client()
            headers = {"Authorization": f"Bearer {secret}", **({"Idempotency-Key": key} if key else {})}
            barrier.wait(timeout=30)
            response = client.open(url, method=method, json=body, headers=headers)
            answers.append((response.status_code, response.get_json()))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=integration, args=(body, key)) for body, key in zip(bodies, keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [], errors
    assert len(answers) == len(bodies), "a client did not get its answer within a minute"
    return answers
