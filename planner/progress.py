"""One live progress line on stderr, for commands that run longer than a moment.

    with progress("sweep") as p:
        p.update("point 3 of 11: scale 0.7")      # what the command does now
        solve(..., progress=p)                     # the solver's phase and figures
        p.echo("[3/11] scale 0.7: value 812")      # a whole line, kept above the live one

On a terminal (stderr a tty) the line is rewritten in place with '\\r' and shows
`label: step | phase | figures | elapsed`; a thread redraws it twice a second, so the
elapsed time keeps moving while a solver runs without reporting (CBC, CP-SAT, a
tie-break phase).  The line is cut to the terminal's width (Chinese text counted two
columns a character) and wiped when the block ends, so the command's own output starts
on a clean line.  In a pipe, a file or click's test runner nothing is drawn; only
`echo` lines are written.

A `Progress` is also the solver's reporter (models.solve: `progress=`): called with
(seconds, objective, bound) by the HiGHS callbacks, and told each phase with
`phase(text)` (exit-priority stages, the value, the tie-break).  `update` starts a new
step and clears the phase and figures under it; `phase` clears the figures.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import unicodedata
from contextlib import contextmanager

#: seconds between redraws of the live line
INTERVAL = 0.5
#: width used when the terminal's cannot be read
FALLBACK_WIDTH = 80
#: between the parts of the line (ASCII: one column on every terminal)
SEP = " | "


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide and full-width characters (Chinese) two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, width: int) -> str:
    """`text` cut to at most `width` terminal columns, ending in '...' when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 3  # room for the dots
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > width:
            break
        out.append(c)
        used += w
    return "".join(out) + "..."


def number(x: float) -> str:
    """A solver figure without trailing zeros: 27, 946.5, 21152.895."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class Progress:
    """The live line of one command (see the module's docstring).  `live`: draw it
    (default: when `stream` is a terminal); `stream`: default sys.stderr as it is when
    the Progress is made."""

    def __init__(self, label: str, *, live: bool | None = None, stream=None,
                 interval: float = INTERVAL):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = _is_tty(self.stream) if live is None else bool(live)
        self.interval = interval
        self.step = self.phase_text = self.figures = ""
        self.started = time.monotonic()
        self._drawn = 0  # columns of the line on screen
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- the command's side

    def update(self, text: str) -> None:
        """What the command does now; clears the solver's phase and figures."""
        with self._lock:
            self.step, self.phase_text, self.figures = text, "", ""
            self._draw()

    def echo(self, line: str) -> None:
        """A whole line on the stream (also when not live), above the live line."""
        with self._lock:
            self._wipe()
            self.stream.write(line + "\n")
            self._draw()

    # ---------------------------------------------------------------- the solver's side

    def phase(self, text: str) -> None:
        """The solver's phase (models.solve.announce); clears the figures."""
        with self._lock:
            self.phase_text, self.figures = text, ""
            self._draw()

    def __call__(self, seconds: float, objective: float, bound: float) -> None:
        """The solver's figures (HiGHS callbacks: best objective, bound; 1e300 and above
        means none yet)."""
        parts = []
        if abs(objective) < 1e300:
            parts.append(f"best {number(objective)}")
        if abs(bound) < 1e300:
            parts.append(f"bound {number(bound)}")
            if abs(objective) < 1e300:
                parts.append(f"gap {abs(bound - objective) / max(abs(objective), 1e-9):.2%}")
        with self._lock:
            self.figures = "  ".join(parts)
            self._draw()

    # ---------------------------------------------------------------- drawing

    def text(self, width: int | None = None) -> str:
        """The line as drawn now: what runs, cut to `width` columns when given, and the
        elapsed time, never cut."""
        parts = [p for p in (self.step, self.phase_text, self.figures) if p]
        head = f"{self.label}: " + SEP.join(parts) if parts else f"{self.label}:"
        tail = f"{SEP if parts else ' '}{time.monotonic() - self.started:.1f} s"
        if width is not None:
            head = cut(head, max(1, width - display_width(tail)))
        return head + tail

    def _width(self) -> int:
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        return columns if columns > 10 else FALLBACK_WIDTH  # 0: a terminal of no size

    def _draw(self) -> None:  # the lock held
        if not self.live:
            return
        line = self.text(self._width() - 1)
        shown = display_width(line)
        self.stream.write("\r" + line + " " * max(0, self._drawn - shown))
        self.stream.flush()
        self._drawn = shown

    def _wipe(self) -> None:  # the lock held
        if self.live and self._drawn:
            self.stream.write("\r" + " " * self._drawn + "\r")
            self.stream.flush()
            self._drawn = 0

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._draw()

    def start(self) -> Progress:
        if self.live and self._thread is None:
            with self._lock:
                self._draw()
            self._thread = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop redrawing and wipe the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._wipe()


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(label: str, *, live: bool | None = None, stream=None):
    """A `Progress` for the block: drawn on a terminal, silent in a pipe; the line is
    wiped when the block ends (also by an exception)."""
    p = Progress(label, live=live, stream=stream).start()
    try:
        yield p
    finally:
        p.close()
