"""One result type for every backend.

Each backend maps its own status codes to `SolveStatus` in one place; anything
it does not recognise becomes UNKNOWN.  `has_solution` is read before any value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np


class SolveStatus(str, enum.Enum):
    OPTIMAL = "optimal"  # proven within the requested gap
    FEASIBLE = "feasible"  # a plan, stopped for another reason than the time limit
    TIME_LIMIT = "time_limit"  # the limit was hit; a plan exists when has_solution
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"
    UNKNOWN = "unknown"


@dataclass
class Result:
    status: SolveStatus
    backend: str
    backend_version: str = ""
    objective: float | None = None  # plan value (max_coverage) or pooled cost (min_cost)
    bound: float | None = None  # best proven bound on the same quantity
    gap: float | None = None  # relative gap |bound - objective| / max(|objective|, 1e-9)
    seconds: float = 0.0
    values: np.ndarray | None = None  # the full variable vector, when has_solution
    start: np.ndarray | None = None  # (P,) start year index of each project, -1 if not chosen
    on_time: np.ndarray | None = None  # (V,) bool
    flows: dict | None = None  # money held in whole units: models.columns.whole_flows
    options: dict = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.start is not None

    @staticmethod
    def no_solution(status: SolveStatus, backend: str, seconds: float, **kw) -> Result:
        return Result(status=status, backend=backend, seconds=seconds, **kw)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)
