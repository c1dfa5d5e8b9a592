"""models.backends.stdout: descriptor 1 restored whatever order threads leave in.

The order that broke it: thread A redirects, thread B redirects (saving A's /dev/null),
A restores the real stdout, B restores /dev/null -- and every later print was lost (a
script splitting by county on a cluster of threads printed nothing and exited 0)."""

from __future__ import annotations

import os
import threading

from models.backends.stdout import stdout_to


def _where() -> tuple[int, int]:
    st = os.fstat(1)
    return st.st_dev, st.st_ino


def test_interleaved_threads_leave_descriptor_one_where_it_was():
    before = _where()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with stdout_to("devnull"):
            seen["a"] = _where()
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b():
        a_in.wait(5)
        with stdout_to("devnull"):
            b_in.set()
            a_out.wait(5)
            seen["b after a left"] = _where()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    null = os.stat(os.devnull)
    assert seen["a"] == (null.st_dev, null.st_ino)  # redirected while inside
    assert seen["b after a left"] == (null.st_dev, null.st_ino)  # B still inside
    assert _where() == before  # the last one out put it back
