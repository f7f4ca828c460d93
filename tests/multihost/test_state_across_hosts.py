"""Nothing lives on one host only: a photo uploaded through host A is served by host B, an
organiser signed in on one host stays signed in on the other, and the login rate limit counts
attempts in Redis, so it trips at the same attempt whichever host answers."""
from __future__ import annotations

import io
import time

from PIL import Image

from tests.conftest import TEST_PASSWORD
from tests.support.multihost_clients import csrf_token, form_fields, new_session


def _png(size=(800, 800)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 80, 160)).save(out, format="PNG")
    return out.getvalue()


def _sign_in(session, base: str, email: str, password: str = TEST_PASSWORD):
    page = session.get(f"{base}/account/login", timeout=30).text
    return session.post(f"{base}/account/login", timeout=30, allow_redirects=False,
                        data={"csrf_token": csrf_token(page), "email": email, "password": password})


def test_a_photo_uploaded_through_host_a_is_served_by_host_b_and_the_session_follows(cluster, seed):
    from tests.factories import make_event, make_speaker, make_user

    with seed():
        organiser = make_user(email="photo-organiser@example.org")
        event = make_event(organiser=organiser, slug="photo-convening")
        speaker = make_speaker(event, name="Audre Lorde", actor=organiser)
        slug, speaker_id, email = event.slug, speaker.id, organiser.email
    cluster.reset_rate_limits()
    host_a, host_b = cluster.hosts
    browser = new_session()
    assert _sign_in(browser, host_a.url, email).status_code == 302
    edit = f"/manage/{slug}/programme/speakers/{speaker_id}"
    fields = form_fields(browser.get(host_a.url + edit, timeout=30).text, "name")
    saved = browser.post(host_a.url + edit, data=fields, files={"photo": ("portrait.png", _png(), "image/png")},
                         timeout=30, allow_redirects=False)
    assert saved.status_code == 302, saved.text[:2000]
    # The session cookie host A set is good on host B: same SECRET_KEY, nothing kept per host.
    speakers = browser.get(f"{host_b.url}/manage/{slug}/programme/speakers", timeout=30, allow_redirects=False)
    assert speakers.status_code == 200 and "Audre Lorde" in speakers.text
    photo = browser.get(f"{host_b.url}/e/{slug}/speakers/{speaker_id}/photo", timeout=30)
    assert photo.status_code == 200 and photo.headers["Content-Type"].startswith("image/")
    assert Image.open(io.BytesIO(photo.content)).size == (600, 600)
    from_a = browser.get(f"{host_a.url}/e/{slug}/speakers/{speaker_id}/photo", timeout=30)
    assert from_a.content == photo.content and from_a.headers["ETag"] == photo.headers["ETag"]
    # Neither host wrote the photo into its instance folder.
    for host in cluster.hosts:
        written = [p for p in (host.directory / "instance").rglob("*") if p.is_file() and p.suffix in (".png", ".jpg", ".webp")]
        assert written == []
    # And through the balancer, signed in, whichever host answers.
    answered = set()
    for _ in range(4):
        response = browser.get(f"{cluster.url}/manage/{slug}/programme/speakers", timeout=30, allow_redirects=False)
        assert response.status_code == 200
        answered.add(response.headers["X-Upstream"])
    assert answered == {host.address for host in cluster.hosts}


def _attempts_until_limited(base_urls: list[str], email: str, limit: int) -> tuple[int, set[str]]:
    """Wrong passwords, cycling over `base_urls`, until a 429: its attempt number, and who answered.
    One login page (one CSRF token, good on every host) and then only POSTs, so that the balancer's
    round robin sends them to each host in turn."""
    session = new_session()
    token = csrf_token(session.get(f"{base_urls[0]}/account/login", timeout=30).text)
    answered = set()
    for attempt in range(1, limit + 5):
        base = base_urls[attempt % len(base_urls)]
        response = session.post(f"{base}/account/login", timeout=30, allow_redirects=False,
                                data={"csrf_token": token, "email": email, "password": "wrong-password-123"})
        answered.add(response.headers.get("X-Upstream") or base)
        if response.status_code == 429:
            return attempt, answered
        assert response.status_code == 200 and "do not match" in response.text, response.status_code
    return 0, answered


def test_the_login_limit_trips_at_the_same_attempt_whichever_host_answers(cluster, seed):
    from tests.factories import make_user

    with seed():
        email = make_user(email="limited@example.org").email
    limit = int(cluster.hosts[0].env["LOGIN_RATE_LIMIT"].split()[0])
    host_a, host_b = cluster.hosts
    started = time.monotonic()
    counts = {}
    for label, urls in (("host A only", [host_a.url]), ("alternating A and B", [host_a.url, host_b.url]),
                        ("through the balancer", [cluster.url])):
        cluster.reset_rate_limits()
        counts[label], answered = _attempts_until_limited(urls, email, limit)
        if label == "through the balancer":
            assert answered == {host.address for host in cluster.hosts}
    assert counts == dict.fromkeys(counts, limit + 1), counts
    print(f"\nlogin limit {limit}/minute: refused at attempt {counts} ({time.monotonic() - started:.1f} s)")
