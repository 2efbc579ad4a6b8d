"""Wall-clock and memory limits for sandboxed expressions and scripts.

A `while True:` must not hang a worker: `time_limit` uses SIGALRM, so it applies where requests and
timer runs execute on the main thread (gunicorn sync workers, the CLI). Elsewhere (a threaded
development server) the limit is skipped; gunicorn's worker timeout still ends a runaway request
there, and the request's transaction rolls back.

A script must not balloon a worker either: `memory_limit` lowers the process's address-space limit
(RLIMIT_AS) to what it uses now plus `MEMORY_ALLOWANCE` for the duration of one evaluation, so a
large allocation fails with MemoryError instead of swapping the host. It applies only while the
evaluation is the process's only thread (the limit is process-wide, and must not make another
thread's allocation fail). The size checks in bounded.py refuse the known large operations before
they start; this ceiling catches whatever they do not foresee.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from .errors import SandboxViolation

SCRIPT_SECONDS = 2.0
MEMORY_ALLOWANCE = 512 * 1024 * 1024
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def time_limit(seconds: float = SCRIPT_SECONDS) -> Iterator[None]:
    """Raise SandboxViolation in the block if it runs longer than `seconds` (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield  # not ours to arm: another alarm is pending, or signals cannot reach this thread
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise SandboxViolation(f"script or expression ran longer than {seconds:g} s and was stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def memory_limit(allowance: int = MEMORY_ALLOWANCE) -> Iterator[None]:
    """Let the block allocate at most about `allowance` more bytes; MemoryError beyond that."""
    if threading.active_count() != 1 or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        ceiling = _address_space() + allowance
    except OSError:  # no /proc (not Linux): the size checks in bounded.py still apply
        yield
        return
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield  # an operator's own, lower limit already applies
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    """Return the process's current virtual memory size in bytes (a pread on a kept descriptor: ~2 µs)."""
    pid = os.getpid()
    if _STATM.get("pid") != pid:  # /proc/self was resolved when opened: reopen after a fork
        _STATM["fd"] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        _STATM["pid"] = pid
    return int(os.pread(_STATM["fd"], 64, 0).split()[0]) * _PAGE_SIZE


_STATM: dict[str, int] = {}
