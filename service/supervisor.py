"""Keep a timer worker process running: restart it when it dies or hangs, stop it on a signal.

The worker touches a file after every case and poll; a worker whose file has not moved for
`hang_seconds` is stuck (e.g. in one C-level operation no signal interrupts) and is killed. Its
unfinished claim is counted on the case, so after a few such deaths the case is set aside as an
incident and the restarted worker goes on with the others.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ALIVE_ENV = "ZHIFA_WORKER_ALIVE_FILE"
STOP_GRACE_SECONDS = 10.0


def supervise(
    command: Sequence[str],
    *,
    hang_seconds: float = 300.0,
    stop: threading.Event | None = None,
    report: Callable[[str], None] = print,
    max_pause: float = 30.0,
) -> int:
    """Run `command` until `stop` is set (or SIGINT/SIGTERM, or our parent dies); return its restarts."""
    stop = stop or threading.Event()
    parent = os.getppid()
    restarts, pause = 0, 1.0
    with tempfile.TemporaryDirectory(prefix="zhifa-worker-") as folder:
        alive = Path(folder) / "alive"
        while not stop.is_set():
            alive.touch()
            started = time.monotonic()
            child = subprocess.Popen(list(command), env={**os.environ, ALIVE_ENV: str(alive)})  # noqa: S603
            reason = _watch(child, alive, hang_seconds, stop, parent)
            if reason is None:
                break
            restarts += 1
            # A worker that ran a good while before dying gets restarted at once; a crash loop backs off.
            pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, max_pause)
            report(f"timer worker {reason}; restarting in {pause:.0f} s")
            stop.wait(pause)
    return restarts


def _watch(
    child: subprocess.Popen[bytes], alive: Path, hang_seconds: float, stop: threading.Event, parent: int
) -> str | None:
    """Wait on the child; return why it must be restarted, or None when we were asked to stop."""
    while True:
        if stop.wait(0.5) or os.getppid() != parent:
            _terminate(child)
            return None
        code = child.poll()
        if code is not None:
            return f"exited with status {code}"
        if time.time() - alive.stat().st_mtime > hang_seconds:
            child.kill()
            child.wait()
            return f"made no progress for {hang_seconds:.0f} s and was killed"


def _terminate(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM set `stop` (main thread only; handlers restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, lambda *_: stop.set())
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
