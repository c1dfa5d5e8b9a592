"""The solver backends, behind one `Backend` protocol.

Every backend takes the same `LinearModel` and answers with a `Solution`:
status first, values only when a plan exists.  Backends are registered by name
and imported only when used (OR-Tools is slow to import); `available()` probes
them without failing, `get(name)` returns one or raises `BackendError`.

`params` of `Backend.solve` is a `models.params.SolveParams`: the backend reads
time_limit, gap, threads and seed (None: the backend's own default) and its `extras`,
the options of this backend, which it lists in `Backend.extras` (name -> rule of
`models.allowed`; `SolveParams` refuses any other).  `verbose`: the log to stderr;
`progress` (HiGHS only): True for a live line on stderr, or a callable.  `hint`: a
value for every variable of the model (a complete plan), or None.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..linear import LinearModel
from ..result import SolveStatus

#: name -> module holding `BACKEND`, an object following the protocol
REGISTRY = {
    "highs": "models.backends.highs",
    "cbc": "models.backends.cbc",
    "cpsat": "models.backends.cpsat",
}
DEFAULT_BACKEND = "highs"
#: a backend that rounds the model (CP-SAT's integer scaling) warns above this
SCALING_TOLERANCE = 1e-6


class BackendError(ValueError):
    """Unknown or uninstalled backend."""


@dataclass
class Solution:
    """A backend's answer: `values` (one per variable) and `objective` only when a plan
    was found; `bound` the best objective proven (None: none); `scaling_error` the
    largest relative rounding of the model's coefficients (CP-SAT), else None."""
    status: SolveStatus
    values: np.ndarray | None = None
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    scaling_error: float | None = None


class Backend(Protocol):
    name: str
    #: the backend's own options (SolveParams.extras): name -> rule (models.allowed)
    extras: Mapping

    def version(self) -> str: ...

    def available(self) -> bool: ...

    def solve(self, model: LinearModel, params, hint: np.ndarray | None = None, *,
              verbose: bool = False, progress=False) -> Solution: ...


class LibraryBackend:
    """What the bundled backends share: `library` (the module whose import makes the
    backend available), `version` and `extras` of their own, and `run(model, params,
    hint, verbose, progress)`, which takes the hint as (variable indices, values)."""
    name: str
    library: str

    def available(self) -> bool:
        importlib.import_module(self.library)
        return True

    def solve(self, model: LinearModel, params, hint: np.ndarray | None = None, *,
              verbose: bool = False, progress=False) -> Solution:
        full = None if hint is None else (np.arange(model.n_vars), hint)
        return self.run(model, params, full, verbose, progress)


def get(name: str) -> Backend:
    """The backend called `name`; BackendError when unknown or not installed."""
    if name not in REGISTRY:
        raise BackendError(f"unknown solver {name!r}; installed: {', '.join(available())}")
    try:
        return importlib.import_module(REGISTRY[name]).BACKEND
    except ImportError as exc:
        raise BackendError(f"solver {name!r} is not installed ({exc}); installed: "
                           f"{', '.join(available())}") from None


def extras_of(name: str) -> Mapping:
    """The options backend `name` takes (its `extras`), read without its solver
    installed (a backend module imports its solver only to solve); BackendError when
    the name is unknown."""
    if name not in REGISTRY:
        raise BackendError(f"unknown solver {name!r}; installed: {', '.join(available())}")
    return importlib.import_module(REGISTRY[name]).BACKEND.extras


def available() -> dict[str, str]:
    """Installed backends and their versions."""
    found = {}
    for name, path in REGISTRY.items():
        try:
            backend = importlib.import_module(path).BACKEND
            if backend.available():
                found[name] = backend.version()
        except Exception:  # a broken optional backend must not break the others
            continue
    return found
