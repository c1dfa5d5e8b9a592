"""The validated planning instance: index sets and numpy arrays, nothing else.

Indices: villages v, gaps g, projects p, money pools b (a stream, county-scoped
or pooled), years t (0..Y-1 for the horizon), targets k.  Money is held in
integer *units* (`money_units` per scenario money unit: `models.money.UNITS`, one
unit is one yuan), so that budgets, costs and the schedule add up
exactly.  The instance knows nothing of files or columns; `planner.build`
makes it from a scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .eligibility import class_of, compact, work_county, work_deep
from .money import UNITS

OBJECTIVES = ("max_coverage", "min_cost")
#: Value coefficients are rounded to this resolution, so that two plans of
#: different value differ by at least this much and a tie-break below half of
#: it can never trade value away.
VALUE_QUANTUM = 1e-4


class InstanceError(ValueError):
    """The arrays do not describe a consistent instance (a programming error upstream)."""


def take_columns(matrix: np.ndarray, index: np.ndarray, chunk: int = 2048) -> np.ndarray:
    """matrix[:, index], a block of rows at a time, runs of consecutive columns by slices
    (block copies) and the other columns by np.take: on the nation's (works x pools)
    eligibility the element-wise gather of the whole took minutes."""
    index = np.asarray(index, dtype=np.int64)
    if len(index) == 0 or index.min() < 0:
        return matrix[:, index]
    out = np.empty((matrix.shape[0], len(index)), dtype=matrix.dtype)
    cuts = np.flatnonzero(np.diff(index) != 1) + 1
    runs = [(lo, hi) for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(index)])
            if hi - lo >= 8]
    rest = np.ones(len(index), dtype=bool)
    for lo, hi in runs:
        rest[lo:hi] = False
    at, taken = np.flatnonzero(rest), index[rest]
    for r in range(0, matrix.shape[0], chunk):
        block, part = matrix[r: r + chunk], out[r: r + chunk]
        for lo, hi in runs:
            part[:, lo:hi] = block[:, index[lo]: index[lo] + hi - lo]
        if len(at):
            part[:, at] = np.take(block, taken, axis=1)
    return out


@dataclass(frozen=True)
class DeadlineSpec:
    label: str
    target: int  # target index
    year: int  # year index: the work must finish by the end of this year
    villages: np.ndarray  # village indices in scope (planned villages only)
    share: float
    soft: bool

    def required(self) -> int:
        """Villages in scope that must have no open gap of the target."""
        return int(np.ceil(self.share * len(self.villages) - 1e-9))


@dataclass(frozen=True)
class Instance:
    years: np.ndarray
    objective: str
    # villages
    village_ids: tuple[str, ...]
    village_county: np.ndarray  # county index
    village_due: np.ndarray  # year index by which the exit standard is due
    village_deep: np.ndarray
    county_names: tuple[str, ...]
    # targets and gaps
    target_codes: tuple[str, ...]
    gap_village: np.ndarray
    gap_target: np.ndarray
    gap_weight: np.ndarray  # value of closing on time
    gap_exit: np.ndarray  # bool: part of the village's exit standard
    # projects
    project_ids: tuple[str, ...]
    proj_gap: np.ndarray
    proj_duration: np.ndarray
    proj_cost_units: np.ndarray  # (P, Dmax) full cost per year of duration, units
    proj_pooled_units: np.ndarray  # (P, Dmax) pooled money per year of duration, units
    proj_earliest: np.ndarray  # earliest start, year index
    proj_latest: np.ndarray  # latest start, year index (already able to finish)
    proj_class: np.ndarray  # (P,) the work's eligibility class (models.eligibility)
    class_pools: np.ndarray  # (K, B) bool: pool b may pay for the works of class k
    proj_group: np.ndarray  # alternative group index, -1 for none
    requires: np.ndarray  # (R, 2): project r[0] requires project r[1]
    lock_in: np.ndarray  # bool (P)
    lock_out: np.ndarray  # bool (P)
    # money pools
    pool_stream: tuple[str, ...]
    pool_county: np.ndarray  # county index, -1 when pooled across counties
    pool_budget_units: np.ndarray  # (B, Y) int
    pool_carry: np.ndarray  # (B, Y) bool: unspent money of year t moves to t+1
    # rules and value
    deadlines: tuple[DeadlineSpec, ...] = ()
    late_factor: float = 0.5
    on_time_bonus: float = 3.0
    soft_penalty: float = 2.0
    money_units: float = UNITS
    # fairness between counties (on-time exit rate = planned villages on time / planned)
    max_spread: float | None = None  # largest allowed gap between two counties' rates
    min_rate: float | None = None  # every county's rate at least this
    # cumulative gaps: a gap with quantity > 0 closes when the contributions of the works
    # finished by a year reach it (None: every gap is closed by one work)
    gap_quantity: np.ndarray | None = None  # (G,) 0 for a one-work gap
    proj_contrib: np.ndarray | None = None  # (P,) how much of its gap's quantity it provides
    partial_credit: bool = False  # cumulative gaps earn value pro rata of their progress
    # revolving pools (扶贫周转金): money spent in year t comes back in year t + return_after
    # (0: never), floor(return_share * spent) in whole units
    pool_return_after: np.ndarray | None = None  # (B,) int
    pool_return_share: np.ndarray | None = None  # (B,) float
    # levering pools: 1 unit of the pool's money on a work unlocks up to pool_leverage[b]
    # units of outside money for it; at most pool_outside_limit[b, t] units a year (-1: none)
    pool_leverage: np.ndarray | None = None  # (B,) float, 0 for none
    pool_outside_limit: np.ndarray | None = None  # (B, Y) int units, -1 for no limit
    # exit priority (退出优先、批次推进), the lexicographic rule: the batches of villages
    # in the order they are served (empty: today's one weighted objective), their labels,
    # and the on-time counts kept from the stages solved so far (models.priority)
    batches: tuple[np.ndarray, ...] = ()
    batch_labels: tuple[str, ...] = ()
    batch_floor: tuple[int, ...] = ()
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self._validate()

    # sizes
    @property
    def n_years(self) -> int:
        return len(self.years)

    @property
    def n_villages(self) -> int:
        return len(self.village_ids)

    @property
    def n_gaps(self) -> int:
        return len(self.gap_village)

    @property
    def n_projects(self) -> int:
        return len(self.project_ids)

    @property
    def n_pools(self) -> int:
        return len(self.pool_stream)

    def pool_counties_pooled(self) -> np.ndarray:
        """Bool per pool: shared by all counties (not county-scoped)."""
        return self.pool_county < 0

    POOL_FIELDS = ("pool_county", "pool_budget_units", "pool_carry", "pool_return_after",
                   "pool_return_share", "pool_leverage", "pool_outside_limit")

    def take_pools(self, index: np.ndarray, rows: np.ndarray | None = None) -> dict:
        """Replacements for every per-pool field (and the eligibility columns), taking the
        pools at `index` in that order (repeats allowed: a pool cut into parts); `rows`:
        only these works' classes (a county's)."""
        index = np.asarray(index, dtype=np.int64)
        out = {name: getattr(self, name)[index] for name in self.POOL_FIELDS
               if getattr(self, name) is not None}
        out["pool_stream"] = tuple(self.pool_stream[b] for b in index)
        proj_class, class_pools = self.proj_class, self.class_pools
        if rows is not None:
            proj_class, class_pools = compact(proj_class[rows], class_pools)
        out["proj_class"] = proj_class
        out["class_pools"] = take_columns(class_pools, index)
        return out

    def replace(self, **changes) -> Instance:
        return replace(self, **changes)

    # derived values
    def gap_value(self, finish: np.ndarray, gaps: np.ndarray) -> np.ndarray:
        """Value of closing gap `gaps[i]` by finishing in year index `finish[i]`."""
        due = self.village_due[self.gap_village[gaps]]
        factor = np.where(finish <= due, 1.0, self.late_factor)
        return np.round(self.gap_weight[gaps] * factor / VALUE_QUANTUM) * VALUE_QUANTUM

    @property
    def bonus(self) -> float:
        return round(self.on_time_bonus / VALUE_QUANTUM) * VALUE_QUANTUM

    @property
    def cumulative(self) -> np.ndarray:
        """Bool per gap: closed by the sum of contributions, not by one work."""
        if self.gap_quantity is None:
            return np.zeros(self.n_gaps, dtype=bool)
        return self.gap_quantity > 0

    def progress(self, start: np.ndarray) -> np.ndarray:
        """(Y, G): share of each gap done by the end of each year index (0..1)."""
        chosen = start >= 0
        finish = np.where(chosen, start + self.proj_duration - 1, self.n_years)
        contrib = (self.proj_contrib if self.proj_contrib is not None
                   else np.ones(self.n_projects))
        done = np.zeros((self.n_years + 1, self.n_gaps))
        np.add.at(done, (finish, self.proj_gap), np.where(chosen, contrib, 0.0))
        done = np.cumsum(done[:-1], axis=0)
        cumulative = self.cumulative
        need = np.where(cumulative, self.gap_quantity if self.gap_quantity is not None
                        else 1.0, 1.0)
        return np.minimum(np.where(cumulative, done / need, (done > 0).astype(float)), 1.0)

    def close_year(self, start: np.ndarray) -> np.ndarray:
        """(G,) year index by whose end each gap is closed; n_years when it stays open."""
        closed = self.progress(start) >= 1 - 1e-9
        return np.where(closed.any(axis=0), closed.argmax(axis=0), self.n_years)

    @property
    def revolving(self) -> np.ndarray:
        """Bool per pool: money spent from it comes back after some years."""
        if self.pool_return_after is None:
            return np.zeros(self.n_pools, dtype=bool)
        return self.pool_return_after > 0

    @property
    def levering(self) -> np.ndarray:
        """Bool per pool: its money unlocks outside money."""
        if self.pool_leverage is None:
            return np.zeros(self.n_pools, dtype=bool)
        return self.pool_leverage > 0

    def starts(self) -> tuple[np.ndarray, np.ndarray]:
        """All allowed (project, start year) pairs, in project order."""
        lo = np.where(self.lock_out, 1, self.proj_earliest)
        hi = np.where(self.lock_out, 0, self.proj_latest)
        counts = np.maximum(hi - lo + 1, 0)
        proj = np.repeat(np.arange(self.n_projects), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return proj, lo[proj] + offset

    def _validate(self):
        Y, V, G, P, B = self.n_years, self.n_villages, self.n_gaps, self.n_projects, self.n_pools
        if self.objective not in OBJECTIVES:
            raise InstanceError(f"objective must be one of {OBJECTIVES}")
        if Y < 1 or np.any(np.diff(self.years) != 1):
            raise InstanceError("years must be consecutive")

        def check(name, arr, shape, lo=None, hi=None):
            arr = np.asarray(arr)
            if arr.shape != shape:
                raise InstanceError(f"{name} has shape {arr.shape}, expected {shape}")
            if arr.size and lo is not None and arr.min() < lo:
                raise InstanceError(f"{name} has values below {lo}")
            if arr.size and hi is not None and arr.max() > hi:
                raise InstanceError(f"{name} has values above {hi}")

        check("village_county", self.village_county, (V,), 0, len(self.county_names) - 1)
        check("village_due", self.village_due, (V,), 0, Y - 1)
        check("village_deep", self.village_deep, (V,))
        check("gap_village", self.gap_village, (G,), 0, V - 1)
        check("gap_target", self.gap_target, (G,), 0, len(self.target_codes) - 1)
        check("gap_weight", self.gap_weight, (G,), 0)
        check("gap_exit", self.gap_exit, (G,))
        check("proj_gap", self.proj_gap, (P,), 0, G - 1)
        check("proj_duration", self.proj_duration, (P,), 1, Y)
        dmax = self.proj_cost_units.shape[1] if self.proj_cost_units.ndim == 2 else 0
        check("proj_cost_units", self.proj_cost_units, (P, dmax), 0)
        check("proj_pooled_units", self.proj_pooled_units, (P, dmax), 0)
        check("proj_earliest", self.proj_earliest, (P,), 0, Y - 1)
        check("proj_latest", self.proj_latest, (P,), -1, Y - 1)
        K = len(self.class_pools)
        check("proj_class", self.proj_class, (P,), 0, K - 1)
        check("class_pools", self.class_pools, (K, B))
        if len(np.unique(self.proj_class)) != K:
            raise InstanceError("an eligibility class has no work")
        for per_work in (work_county(self), work_deep(self)):
            if np.any(class_of(self, per_work)[self.proj_class] != per_work):
                raise InstanceError("an eligibility class spans counties or deep-poverty "
                                    "statuses")
        check("proj_group", self.proj_group, (P,), -1)
        check("lock_in", self.lock_in, (P,))
        check("lock_out", self.lock_out, (P,))
        if self.requires.size:
            check("requires", self.requires, (len(self.requires), 2), 0, P - 1)
        check("pool_county", self.pool_county, (B,), -1, len(self.county_names) - 1)
        check("pool_budget_units", self.pool_budget_units, (B, Y), 0)
        check("pool_carry", self.pool_carry, (B, Y))
        if np.any(self.proj_latest + self.proj_duration - 1 > Y - 1):
            raise InstanceError("a project's latest start cannot finish inside the horizon")
        if np.any(self.lock_in & self.lock_out):
            raise InstanceError("a project is locked both in and out")
        if not 0 <= self.late_factor <= 1:
            raise InstanceError("late_factor must be in [0, 1]")
        if self.pool_return_after is not None:
            check("pool_return_after", self.pool_return_after, (B,), 0)
            check("pool_return_share", self.pool_return_share, (B,), 0, 1)
        if self.pool_leverage is not None:
            check("pool_leverage", self.pool_leverage, (B,), 0)
            check("pool_outside_limit", self.pool_outside_limit, (B, Y), -1)
            if np.any(self.levering & self.revolving):
                raise InstanceError("a pool cannot both revolve and lever")
        if self.gap_quantity is not None:
            check("gap_quantity", self.gap_quantity, (G,), 0)
            check("proj_contrib", self.proj_contrib, (P,), 0)
        if len(self.batch_labels) != len(self.batches) or \
                len(self.batch_floor) > len(self.batches):
            raise InstanceError("batch labels and floors must match the batches")
        for b in self.batches:
            check("a batch", b, (len(b),), 0, V - 1)
        for d in self.deadlines:
            if not (0 <= d.target < len(self.target_codes) and 0 <= d.year < Y
                    and 0 < d.share <= 1):
                raise InstanceError(f"deadline {d.label} is out of range")
