"""C-level stdout (file descriptor 1) sent elsewhere while a solver library writes to it,
safely across threads.

HiGHS prints a banner when it is made, and CBC its log, to the process's file
descriptor 1, which Python's `print` shares.  Redirecting it is process-wide: two
threads each saving and restoring descriptor 1 (county solves on a Dask cluster of
threads) can restore in the wrong order and leave it pointing at /dev/null for good,
so that every later `print` is lost (seen: a script's output gone, exit code 0).  Here
the first thread in redirects and the last one out restores, under one lock; while any
redirect is active descriptor 1 points where the first asked.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_saved: int | None = None


@contextmanager
def stdout_to(target: str | int):
    """Descriptor 1 to `target` ("devnull", or a descriptor such as 2) for the block."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            sys.stdout.flush()
            _saved = os.dup(1)
            if target == "devnull":
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                os.close(null)
            else:
                os.dup2(int(target), 1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                sys.stdout.flush()
                os.dup2(_saved, 1)
                os.close(_saved)
                _saved = None
