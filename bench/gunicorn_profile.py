"""A gunicorn config that samples where a worker spends its CPU (bench_chat.py --profile): a SIGPROF timer
records the running Python stack, whatever greenlet runs, and the worker writes them on exit.

External samplers (py-spy) saw about half of a gevent worker's CPU and misplaced it: they read the thread's
stack from outside while greenlets switch under them. Sampled from inside, at the process's own CPU clock, the
stack is always the one that was running. Code in C (SQLite, the JSON encoder) counts for the Python line that
called it. Writes collapsed stacks ("frame;frame;frame count" lines, flamegraph's input) to LINLI_PROFILE_OUT.

    gunicorn -c bench/gunicorn_profile.py -k gevent -w 1 wsgi:app
    python bench/gunicorn_profile.py PROFILE [N]   # the N (30) costliest functions, inclusive and self

SIGUSR1 forgets what was sampled so far (the bench sends it when its load starts).
"""

import os
import signal
import sys
from collections import Counter

INTERVAL = 0.0005  # seconds of CPU between samples
_samples: Counter = Counter()


def _frame_name(frame) -> str:
    code = frame.f_code
    path = code.co_filename
    for marker in ("site-packages/", "/work/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{code.co_name} ({path}:{frame.f_lineno})"


def _sample(_signum, frame) -> None:
    stack = []
    while frame is not None:
        stack.append(_frame_name(frame))
        frame = frame.f_back
    _samples[";".join(reversed(stack))] += 1


def post_worker_init(_worker) -> None:
    signal.signal(signal.SIGUSR1, lambda *_: _samples.clear())
    signal.signal(signal.SIGPROF, _sample)
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)


def worker_exit(_server, _worker) -> None:
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    out = os.environ.get("LINLI_PROFILE_OUT")
    if out:
        with open(out, "w") as fh:
            wsgi = sys.modules.get("wsgi")  # the app's chat writer, when the app is what runs
            writer = wsgi and wsgi.app.extensions.get("chat_writer")
            if writer:
                fh.write(f"# chat writer: {writer.messages} messages in {writer.batches} batches\n")
            for stack, n in _samples.most_common():
                fh.write(f"{stack} {n}\n")


def report(path: str, top: int = 30) -> None:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    with open(path) as fh:
        for line in fh:
            if line.startswith("#"):
                print(line.strip())
                continue
            stack, n = line.rsplit(" ", 1)
            frames = [f.rsplit(":", 1)[0] + ")" for f in stack.split(";")]  # the function, not the line
            total += int(n)
            for name in set(frames):
                inclusive[name] += int(n)
            own[frames[-1]] += int(n)
    print(f"{total} samples ({total * INTERVAL:.1f} s of CPU)")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n{title}:")
        for name, n in counter.most_common(top):
            print(f"{n / total * 100:6.1f} %  {name}")


if __name__ == "__main__":
    report(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
