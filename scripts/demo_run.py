"""`make demo`'s last step: the web server and the Celery worker (with beat) as
children of this one process, and a clean stop on Ctrl-C or SIGTERM.

Each child runs in its own session, so the terminal's Ctrl-C reaches only this
process; it asks each child once to stop (SIGTERM: Celery's warm shutdown,
runserver's exit), waits up to ``--grace`` seconds, then kills whatever is left
of each child's process group (runserver's reloader child, Celery's pool).
By then Celery's warm shutdown has stopped consuming and finished its tasks;
what can linger is its timer thread's and embedded beat's last sleep.
A second Ctrl-C kills at once. If one child ends on its own, the other is
stopped too and the exit status says so.

    python scripts/demo_run.py [--addr 127.0.0.1:8000] [--grace 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _own_session() -> None:
    """In the child, before exec: a session of its own, and SIGTERM should this
    runner die without stopping it (Linux; elsewhere the session alone)."""
    os.setsid()
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=ROOT, preexec_fn=_own_session)


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:8000", help="runserver's address:port")
    parser.add_argument("--grace", type=float, default=5.0, help="seconds before killing")
    args = parser.parse_args(argv)

    stops: list[int] = []

    def on_signal(signum, frame):
        stops.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    py = sys.executable
    children = [
        _start(
            [py, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel=INFO"]
            + ["--concurrency=2"]
        ),
        _start([py, "manage.py", "runserver", args.addr]),
    ]
    status = 0
    try:
        while not stops:
            ended = [c for c in children if c.poll() is not None]
            if ended:
                status = ended[0].returncode or 1
                print(f"demo: {ended[0].args[1:4]} stopped; stopping the rest.", file=sys.stderr)
                break
            time.sleep(0.2)
        seen = len(stops)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)  # once, to the child itself
        deadline = time.monotonic() + args.grace
        while time.monotonic() < deadline and len(stops) == seen:
            if all(c.poll() is not None for c in children):
                break
            time.sleep(0.1)
    finally:
        for child in children:
            _signal_group(child, signal.SIGKILL)  # leftovers: reloader child, pool processes
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
    return status


if __name__ == "__main__":
    sys.exit(main())
