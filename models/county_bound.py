"""The bound of a county split that is not exact, and the prices that split pooled money.

When counties share money or rules (a pooled pool, a deadline with a share over
several counties) or keep exit-batch counts together, the sum of the county bounds is
no bound of the whole.  Two ways to a valid one, chosen by size (`WHOLE_LP_MAX`):

* **the whole program's LP relaxation** (one LP, solved in this process): cheap on a
  small program;
* **the Lagrangian dual of the coupling rows** (models.lagrange): county LPs solved as
  tasks of the same `mapper` as the county solves, the multipliers by a box-step bundle
  method.  It reaches the same bound (LP duality) without one LP of the whole program,
  and, when time is left, each county's integer program at the best multipliers
  tightens it (their dual bounds).

Measured (2 cores, load about 5 from other work; generated provinces with a pooled
stream, seed 3): the whole LP 0.66 s against the Lagrangian's 1.45 s at 6,756 works,
2.2 s against 2.3 s at 12,888 works, 40 s against 8.6 s at 52,376 works; on
scenarios/shanxi-province (38,362 works) with the exit batches' counts kept, 20.4 s
against 3.3 s, the same bound within 1e-5.  Hence the whole LP up to WHOLE_LP_MAX works.

Both phases give the same things: `first` (before the county solves) the bound without
batch floors and the (B, C, Y) pooled money each county would spend, which cuts the
pooled pools into county slices (models.pooled_split.price_directed_shares); `final`
(after them) the bound keeping the batch counts the counties reached.
"""

from __future__ import annotations

import time

import numpy as np

from .instance import Instance

#: programs of at most this many works take the whole LP relaxation; larger ones the
#: Lagrangian dual (module docstring: the measured crossover is near 12,000 works)
WHOLE_LP_MAX = 10_000
#: share of the run's time left the Lagrangian's first phase may take (the whole LP: 40 %)
FIRST_SHARE = 0.25
#: ... the whole LP's first phase
WHOLE_LP_SHARE = 0.4
#: the integer programs of the counties get at most this long each when time is left
MIP_SECONDS = 2.0
#: the Lagrangian from no multipliers, seconds per work of the program (measured: 3.3-3.5
#: s on scenarios/shanxi-province, 38,362 works, its exit batches' counts kept; 2 cores)
SECONDS_PER_WORK = 1e-4
#: a county's exit-priority stages by their LP dives only, seconds of one worker per work
#: (measured: 12 counties of the generated 8,000-village province, 10,575 works, 6.98 s in
#: one process, load 1; models.county_solve.solve_in_rounds' first round)
DIVE_SECONDS_PER_WORK = 6.6e-4


def dives_seconds(works: int, workers: int) -> float:
    """Seconds for every county's stage dives: `works` works over `workers` workers."""
    return DIVE_SECONDS_PER_WORK * max(1, works) / max(1, workers)
#: seconds for the LP bound of a county that has none of its own (lp_bounds)
LP_BOUND_SECONDS = 10.0


def lp_bounds(parts: list, outs: list[dict]) -> None:
    """A county with a plan but no bound of its own (reached late, or cut short before its
    solver had one) gets its LP relaxation's, keeping its batch counts as floors: the
    bound its own solve would have kept (`LP_BOUND_SECONDS` each at most)."""
    from .marginal import lp_relaxation

    for part, out in zip(parts, outs):
        if out["bound"] is not None or out["start"] is None:
            continue
        sub = part.instance
        if out.get("stages"):
            sub = sub.replace(batch_floor=tuple(s["on_time"] for s in out["stages"]))
        try:
            out["bound"] = lp_relaxation(sub, 1, time_limit=LP_BOUND_SECONDS)[0]
            out["bound_by"] = "LP relaxation"
        except RuntimeError:
            pass


class SplitBound:
    def __init__(self, inst: Instance, mapper=map, workers: int = 1,
                 threads: int | None = None, method: str | None = None):
        self.inst, self.mapper, self.workers, self.threads = inst, mapper, workers, threads
        # the Lagrangian is written for max_coverage (its county programs maximise)
        self.method = method or ("whole LP" if inst.n_projects <= WHOLE_LP_MAX
                                 or inst.objective != "max_coverage" else "lagrangian")
        self.run = None
        self.note = None  # why a phase gave no bound
        self.first_seconds = 0.0
        self.first_bound = None
        self.counts = None  # (counties, batches) the final bound's villages on time
        self.prices = None  # (batches,) its value of a village of each batch on time

    def first(self, seconds: float | None) -> np.ndarray | None:
        """The bound without floors (kept in `first_bound`) and the pooled money each
        county spends in it: (B, C, Y) units, or None when not found in time."""
        t0 = time.perf_counter()
        use = None
        if self.method == "whole LP":
            from .marginal import lp_relaxation

            try:
                self.first_bound, use = lp_relaxation(self.inst, self.threads,
                                                      time_limit=seconds)
            except RuntimeError as exc:
                self.note = str(exc)
        else:
            from .lagrange import lagrangian_bound

            self.run = lagrangian_bound(self.inst.replace(batch_floor=()), self.mapper,
                                        self.workers, seconds=seconds)
            self.first_bound = self.run.bound
            # the combination's spending directs the split once the method has converged;
            # before, it may not even pay each county's deadlines: the split goes by need
            # then, as when the whole LP does not end in time
            use = self.run.use() if self.run.converged else None
            if self.run.bound is None:
                self.note = "the Lagrangian's county LPs did not end in time"
        self.first_seconds = time.perf_counter() - t0
        return use

    def wants_first(self, pooled: bool) -> bool:
        """Whether `first` runs before the county solves: for the shares of pooled money,
        and always with the whole LP (cheap; its bound stands in when the floored LP
        does not end).  Without pooled money the Lagrangian's first phase runs beside
        the county solves instead (`beside`)."""
        return pooled or self.method == "whole LP"

    def first_pays(self, left: float | None) -> bool:
        """Whether the pooled money waits for the Lagrangian first phase's prices: only
        when the counties keep, after it and the time kept for the final phase, the time
        of every county's dives (DIVE_SECONDS_PER_WORK a work, over the workers).  Under
        a shorter limit the money goes by need and the counties get that time, the bound
        coming from the final phase alone.  Measured on the generated province of 8,000
        villages (pooled, seed 3; 2 workers, load 1.3-1.9), from the bound: at 30 s 37.2 %
        and 38.0 % with the first phase, 31.8 % and 25.8 % without; at 60 s 7.0 % and
        8.1 % with it, 10.8 % without."""
        if left is None or self.method != "lagrangian":
            return True
        need = dives_seconds(self.inst.n_projects, self.workers)
        return left * (1 - FIRST_SHARE) - self.reserve(left) >= need

    def first_share(self, pooled: bool) -> float:
        """The share of the time left `first` may take (module constants)."""
        return WHOLE_LP_SHARE if self.method == "whole LP" else FIRST_SHARE

    def beside(self, seconds: float | None) -> bool:
        """The Lagrangian without pooled money: its first phase (no floors) in a thread of
        this process while the counties solve on the workers, for at most `seconds`;
        every phase of it then runs here (`map`), the county LPs kept in this process.
        The final phase, after the counties, starts warm from its models and columns:
        under load its first evaluation alone (building 58 county LPs) took all the time
        kept for the bound.  False when not the case (nothing started)."""
        if self.method != "lagrangian":
            return False
        import threading

        self.mapper, self.workers = map, 1
        self._thread = threading.Thread(target=self.first, args=(seconds,), daemon=True,
                                        name="lagrangian-first")
        self._thread.start()
        return True

    def join(self) -> None:
        """Wait for `beside`'s phase (it ends by its own time)."""
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join()
            self._thread = None

    def reserve(self, left: float | None) -> float:
        """Seconds to keep for `final` out of `left`: about what `first` took, or half
        of it when `first` was the Lagrangian and converged (the final phase starts warm
        from its multipliers: 0.9 s after a first phase of 5.4 s on the 8,000-village
        province at 30 s, where 1.5 times kept 8 s the counties then lacked), or
        SECONDS_PER_WORK a work when it did not run; at most 30 % of `left`."""
        if left is None:
            return 0.0
        warm = self.method == "lagrangian" and self.run is not None and self.run.converged
        guess = ((0.5 if warm else 1.5) * self.first_seconds if self.first_seconds
                 else SECONDS_PER_WORK * self.inst.n_projects)
        return min(0.3 * left, max(1.0, guess))

    def final(self, floored: Instance | None, seconds: float | None
              ) -> tuple[float | None, str, dict]:
        """(the bound, its source, what to record) keeping `floored`'s batch floors
        (None: no floors; the first phase's bound then); `counts` then holds its villages
        on time per county and batch."""
        info: dict = {}
        if self.method == "whole LP":
            source = "LP relaxation of the whole program"
            if floored is None:
                return self.first_bound, source, info
            from .marginal import lp_relaxation

            try:
                bound, _, per, self.prices = lp_relaxation(floored, self.threads,
                                                           time_limit=seconds, counts=True)
                self.counts = per[np.unique(floored.village_county)]
                return bound, source + " with the exit batches' counts kept", info
            except RuntimeError:
                return self.first_bound, source, info  # without the floors: still valid
        from .lagrange import lagrangian_bound

        self.join()
        run = self.run
        if run is None and self.first_bound is None and self.note is None:
            # no first phase (no pooled money): from no multipliers, with the floors
            run = lagrangian_bound(self.inst.replace(batch_floor=()), self.mapper,
                                   self.workers, seconds=seconds,
                                   floors=floored if floored is not None else
                                   self.inst.replace(batch_floor=()))
        elif floored is not None and run is not None:
            run = lagrangian_bound(run, self.mapper, self.workers, seconds=seconds,
                                   floors=floored)
        if run is None or run.bound is None:
            if self.first_bound is not None:  # the floors dropped: still a valid bound
                return self.first_bound, _source(self.run, False), self._info(self.run)
            return None, "", info
        self.run = run
        if floored is not None:
            self.counts = self._combined_counts(run)
            self.prices = run.multipliers[run.coupling.batch_of]
        return run.bound, _source(run, floored is not None), self._info(run)

    @staticmethod
    def _combined_counts(run) -> np.ndarray:
        """(counties, batches) villages on time in the master's combination of columns."""
        cp = run.coupling
        w = run.bundle.combination()
        out = np.zeros((len(cp.counties), len(cp.batch_of)))
        for k, (part, act) in enumerate(zip(run.bundle.county, run.bundle.act)):
            out[part] += w[k] * act[cp.batch_of]
        return out

    def again(self, floored: Instance, bound: float | None, options: dict,
              seconds: float | None) -> tuple[float | None, float | None]:
        """(the least bound, the one found now): `final` keeping `floored`'s counts,
        higher than those a bound was found with; every such bound holds for a plan
        keeping them, so the lower is kept, its source and record written in
        `options`."""
        found, source, info = self.final(floored, seconds)
        if found is not None and (bound is None or found < bound):
            bound = found
            options["bound_source"] = source
            options.update(info)
        return bound, found

    def tighten(self, seconds: float | None) -> tuple[float | None, str, dict] | None:
        """The Lagrangian's bound tightened by the counties' integer programs at its
        multipliers when `seconds` allow one round of them (None: not tried), as
        `final` gives it."""
        per_county = self._mip_seconds(seconds)
        if self.method == "whole LP" or self.run is None or self.run.bound is None \
                or not per_county:
            return None
        from .lagrange import tighten

        floors = bool(self.run.coupling.cap[self.run.coupling.batch_of].any())
        self.run = tighten(self.run, self.mapper, self.workers, seconds=seconds,
                           mip=per_county)
        return self.run.bound, _source(self.run, floors), self._info(self.run)

    def _mip_seconds(self, left: float | None) -> float | None:
        """Seconds for each county's integer program when the time left allows one
        round of them (the workers side by side), else None."""
        n = len(self.run.coupling.counties) if self.run is not None else 0
        if not n:
            return None
        if left is None:
            return MIP_SECONDS
        each = 0.8 * left * self.workers / n
        return min(MIP_SECONDS, each) if each >= 0.2 else None

    @staticmethod
    def _info(run) -> dict:
        if run is None:
            return {}
        return {"lagrangian": {
            "iterations": run.iterations, "evaluations": run.evaluations,
            "converged": bool(run.converged), "bound": _f(run.bound),
            "model_lower": _f(run.lower) if np.isfinite(run.lower) else None,
            "county_integer_bound": _f(run.mip_bound), "seconds": round(run.seconds, 3),
            "prices": {k: round(v, 6) for k, v in run.prices().items()}}}


def _f(x):
    return None if x is None else float(x)


def _source(run, floors: bool) -> str:
    from .lagrange import DEADLINE, MONEY

    kinds = run.coupling.kind
    rows = ", ".join(w for w, on in (("pooled money", (kinds == MONEY).any()),
                                     ("shared deadlines", (kinds == DEADLINE).any()),
                                     ("the exit batches' counts kept", floors)) if on)
    how = "county LPs" + (" and county integer bounds at its multipliers"
                          if run.mip_bound is not None else "")
    end = ("converged" if run.converged else "stopped by the time limit")
    return (f"Lagrangian dual of the rows coupling counties ({rows}), {how}: "
            f"{run.iterations} iterations, {end}")


def everything_bound(inst: Instance) -> float:
    """A valid bound that needs no solve: max_coverage, every gap closed on time and every
    village on time (no soft deadline missed); min_cost, no money at all."""
    if inst.objective != "max_coverage":
        return 0.0
    on_time_value = inst.gap_value(np.full(inst.n_gaps, -1), np.arange(inst.n_gaps)).sum()
    return float(on_time_value + inst.bonus * inst.n_villages)
