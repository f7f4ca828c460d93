"""What translation costs on the hot public pages (issue 13: "the benchmark with translations
on"): the same pages of the demo's bilingual event rendered in English and in Spanish, in-process
(Flask test client, one request at a time, gc frozen as gunicorn.conf.py does), CPU ms per request
(median and p90 of N) and SQL statements per request. In Spanish every interface string goes
through the catalogue, dates and numbers through Babel, and the event's own texts through their
translations.

    .venv/bin/python bench/languages.py [--n 200] [--write-docs]
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
FOLDER = Path(tempfile.mkdtemp(prefix="confapp-bench-languages-"))
os.environ.update(CONFAPP_INSTANCE=str(FOLDER), DATABASE_URL=f"sqlite:///{FOLDER / 'bench.db'}",
                  RATELIMIT_ENABLED="0", HUEY_SQLITE_FILE=str(FOLDER / "huey.db"), HUEY_IMMEDIATE="1")
for name in ("REDIS_URL", "CONFAPP_ENV"):
    os.environ.pop(name, None)

PAGES = {
    "event list": "/",
    "event page": "/e/phrge-institute-next/",
    "registration form": "/e/phrge-institute-next/register",
    "agenda": "/e/phrge-institute-next/agenda/",
}
LANGUAGES = {"English": "en", "Spanish": "es"}


def build():
    from flask_migrate import upgrade

    from confapp import create_app
    from confapp.demo import load_demo
    from confapp.extensions import db
    from confapp.types import utcnow

    app = create_app()
    with app.app_context():
        upgrade()
        load_demo(utcnow())
        db.session.commit()
        db.session.remove()
    return app


def measure(app, n: int) -> dict:
    from confapp.extensions import db
    from tests.support.queries import count_queries

    results = {}
    with app.app_context():
        engine = db.engine
    for page, url in PAGES.items():
        clients, times = {}, {}
        for label, code in LANGUAGES.items():
            client = clients[label] = app.test_client()
            client.set_cookie("confapp_language", code)
            for _ in range(5):  # warm: templates compiled, catalogue loaded, statement cache filled
                assert client.get(url).status_code == 200
            with count_queries(engine, ignore=("BEGIN", "COMMIT", "ROLLBACK")) as counter:
                page_html = client.get(url).get_data(as_text=True)
            assert f'lang="{code}"' in page_html[:200]
            times[label] = ([], counter.count)
        # The languages alternate request by request, so a busy moment of the shared machine
        # falls on both alike.
        for _ in range(n):
            for label in LANGUAGES:
                started = time.process_time()
                clients[label].get(url)
                times[label][0].append((time.process_time() - started) * 1000)
        for label, (samples, statements) in times.items():
            samples.sort()
            results[(page, label)] = (statistics.median(samples), samples[int(n * 0.9) - 1], statements)
    return results


def render(results: dict, n: int, load_before: float) -> str:
    load = os.getloadavg()[0]
    lines = [f"Run on {datetime.now():%d %b %Y %H:%M}, load average {load_before:.1f} before and {load:.1f} after; "
             f"{n} requests per cell, the two languages alternating request by request, in-process, CPU time of the request alone.", "",
             "| page | English ms (p50 / p90) | Spanish ms (p50 / p90) | Spanish ÷ English (p50) | SQL statements (en / es) |",
             "|---|---:|---:|---:|---:|"]
    for page in PAGES:
        en, es = results[(page, "English")], results[(page, "Spanish")]
        lines.append(f"| {page} | {en[0]:.2f} / {en[1]:.2f} | {es[0]:.2f} / {es[1]:.2f} | {es[0] / en[0]:.2f} | {en[2]} / {es[2]} |")
    return "\n".join(lines)


def write_docs(report: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text()
    section = f"<!-- languages:start -->\n## Pages in English and in Spanish (bench/languages.py)\n\n{report}\n<!-- languages:end -->"
    if "<!-- languages:start -->" in text:
        before, rest = text.split("<!-- languages:start -->", 1)
        text = before + section + rest.split("<!-- languages:end -->", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    app = build()
    gc.collect()
    gc.freeze()
    report = render(measure(app, args.n), args.n, load_before)
    print(report)
    if args.write_docs:
        write_docs(report)


if __name__ == "__main__":
    main()
