"""Lighthouse (npm, mobile profile) against a locally started Linli: prints performance and accessibility.

Targets: performance 90+, accessibility 95+. Runs Debian's Chromium via CHROME_PATH. When npx or
Lighthouse cannot be used here it says why and exits 0, so `make bench` goes on.

    .venv/bin/python bench/bench_lighthouse.py [--path /login] [--runs 3]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE = "lighthouse@12.x"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)
TARGETS = {"performance": 90, "accessibility": 95}
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
)
RESULTS = ROOT / "bench" / "results"


def start_app() -> tuple[str, object]:
    """The real app on a throwaway SQLite database, served by Werkzeug in a thread on a free port."""
    import logging

    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tempfile.mkdtemp(prefix='linli-bench-')}/bench.sqlite"
        REDIS_URL = None
        RATELIMIT_STORAGE_URI = "memory://"

    app = create_app(BenchConfig)
    with app.app_context():
        db.create_all()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def run_lighthouse(url: str, out: Path) -> tuple[dict | None, str]:
    npx = shutil.which("npx")
    if npx is None:
        return None, "npx is not installed (Node.js with npm is needed for Lighthouse)"
    if not os.path.exists(CHROMIUM):
        return None, f"Chromium is not installed at {CHROMIUM}"
    command = [
        npx, "--yes", LIGHTHOUSE, url,
        "--only-categories=performance,accessibility",
        "--form-factor=mobile",
        "--output=json", f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return None, "Lighthouse did not finish within 10 minutes"
    if done.returncode != 0 or not out.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return None, f"Lighthouse failed (exit {done.returncode}): " + " | ".join(tail)
    return json.loads(out.read_text()), ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/login", help="page to audit (default: the sign-in screen)")
    parser.add_argument("--runs", type=int, default=3, help="audits to run; the median score is reported")
    args = parser.parse_args()

    base, server = start_app()
    RESULTS.mkdir(parents=True, exist_ok=True)
    scores: dict[str, list[float]] = {name: [] for name in TARGETS}
    report = None
    try:
        for run in range(args.runs):
            report, why = run_lighthouse(base + args.path, RESULTS / f"lighthouse-{run + 1}.json")
            if report is None:
                print(f"Lighthouse not run: {why}")
                return 0
            for name in TARGETS:
                scores[name].append(round((report["categories"][name]["score"] or 0) * 100))
    finally:
        server.shutdown()

    print(
        f"Lighthouse {report['lighthouseVersion']} ({report['configSettings']['formFactor']}) on {args.path}"
    )
    for name, target in TARGETS.items():
        values = sorted(scores[name])
        median = values[len(values) // 2]
        verdict = "ok" if median >= target else f"BELOW target {target}"
        print(f"  {name:<14} {median:>3}   (target {target}+, runs {values}) {verdict}")
    audits = report["audits"]
    for key in (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
    ):
        if key in audits:
            print(f"  {audits[key]['title']:<26} {audits[key].get('displayValue', '')}")
    failing = [
        a["id"] for a in audits.values() if a.get("score") == 0 and a["id"] in _accessibility_ids(report)
    ]
    if failing:
        print(f"  accessibility audits failing: {', '.join(failing)}")
    print(f"  full reports: {RESULTS.relative_to(ROOT)}/")
    return 0


def _accessibility_ids(report: dict) -> set[str]:
    return {ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]}


if __name__ == "__main__":
    sys.exit(main())
