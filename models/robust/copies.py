"""One sample's program: the planning program of `models.formulation`, with the works
started in the first year priced as they are tendered now and the works started later
at the sample's costs.

An `Instance` holds one cost per work, whatever its start year.  The copy is therefore
built twice, from `now` (the sample's money, the costs of today) and from `later` (the
same money, the sample's costs), which give the very same variables and rows (the costs
enter only the coefficients of the start variables in the spending rows and the caps of
the per-work leverage variables); the copy takes `now`'s coefficients in the columns of
the first year's starts and `later`'s elsewhere.  `copy_of` checks that the two builds
agree in everything else and refuses them otherwise.

No dominated start is dropped (presolve's dominance moves a start later at the same
money, which need not hold when a later start costs more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..evaluate import plan_value
from ..formulation import Layout, build
from ..instance import Instance
from ..linear import LinearModel


class CopyError(ValueError):
    """The two builds of a sample differ in more than the costs (a programming error)."""


@dataclass
class Copy:
    """One sample's program, its layout and the instance its values are judged on."""
    model: LinearModel
    layout: Layout
    inst: Instance
    first: np.ndarray  # positions in layout.x of the starts in the first year

    def starts_of(self, values: np.ndarray) -> np.ndarray:
        """Start year index per project (-1: not chosen) from the copy's own values."""
        L = self.layout
        start = np.full(self.inst.n_projects, -1, dtype=np.int64)
        chosen = values[L.x] > 0.5
        start[L.x_proj[chosen]] = L.x_start[chosen]
        return start

    def x_of(self, start: np.ndarray) -> np.ndarray:
        """The start variables' values of a start-year array."""
        L = self.layout
        return (start[L.x_proj] == L.x_start).astype(float)

    def value(self, start: np.ndarray) -> float:
        """The plan's value in this sample (models.evaluate.plan_value)."""
        return plan_value(self.inst, start)


def copy_of(now: Instance, later: Instance) -> Copy:
    """The program of one sample (see the module's docstring)."""
    m_now, L = build(now, reduce=False)
    m_later, L2 = build(later, reduce=False)
    if not (np.array_equal(L.x_proj, L2.x_proj) and np.array_equal(L.x_start, L2.x_start)
            and m_now.n_vars == m_later.n_vars and m_now.n_rows == m_later.n_rows):
        raise CopyError("the two builds of a sample have different variables")
    first = np.flatnonzero(L.x_start == 0)
    in_first = np.zeros(m_now.n_vars, dtype=bool)
    in_first[L.x[first]] = True
    for name in ("lb", "integer", "cost", "row_lo", "row_hi", "rows", "cols"):
        a, b = getattr(m_now, name), getattr(m_later, name)
        if len(a) != len(b) or any(not np.array_equal(x, y) for x, y in zip(a, b)):
            raise CopyError(f"the two builds of a sample differ in {name}")
    for i, (cols, v_now, v_later) in enumerate(zip(m_now.cols, m_now.vals, m_later.vals)):
        m_later.vals[i] = np.where(in_first[cols], v_now, v_later)
    # caps that depend on a work's cost (leverage per work): the larger of the two holds
    m_later.ub = [np.maximum(a, b) for a, b in zip(m_now.ub, m_later.ub)]
    return Copy(m_later, L2, later, first)

