"""Each input file's bytes typed once per process: the checker reads the same files again.

`planner solve` reads the scenario's tables (planner.scenario), then the independent
checker reads them once more from the folder (planner.check.inputs) with the same
reader, `planner.tables.read_path`.  Typing the same bytes twice gives the same frame,
so the second reading is taken from here when the file's bytes are those read before:
the key is the file's path, the table, the money unit and a BLAKE2 digest of its bytes,
so a file changed between the two readings (even to the same size, in the same
second) is read again.  A stored frame is never handed out: the reader gets a deep
copy, and what it does to it (the scenario's validation adds columns, sweeps change
amounts) never reaches the next reader.  Only readings without a problem are kept,
and at most `KEEP` of them, the least recently used dropped first.

On the nation (planner generate --nation) the checker's reading of villages, gaps
and projects was most of what it spent on the inputs (27 s under the profiler;
benchmarks/README.md, the nation's rows of 2026-12-04; README "What planner check
verifies").
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path

import pandas as pd

#: readings kept at most (a scenario has 4-5 tables; replan and sweep read more)
KEEP = 8

_kept: OrderedDict[tuple, pd.DataFrame] = OrderedDict()


def key(path: Path, table: str, unit: str | None) -> tuple | None:
    """The reading's key, None when the file cannot be read (its reader says why)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    digest = hashlib.blake2b(data, digest_size=20).hexdigest()
    return (str(Path(path).resolve()), table, unit, len(data), digest)


def copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A deep copy, its attrs (file, path, warnings) its own."""
    out = frame.copy(deep=True)
    out.attrs = {k: (list(v) if isinstance(v, list) else v) for k, v in frame.attrs.items()}
    return out


def get(k: tuple | None) -> pd.DataFrame | None:
    if k is None or k not in _kept:
        return None
    _kept.move_to_end(k)
    return copy(_kept[k])


def put(k: tuple | None, frame: pd.DataFrame) -> None:
    if k is None:
        return
    _kept[k] = copy(frame)
    _kept.move_to_end(k)
    while len(_kept) > KEEP:
        _kept.popitem(last=False)


def clear() -> None:
    _kept.clear()
