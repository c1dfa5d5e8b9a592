"""Exit priority (退出优先、批次推进): the batches recomputed from the inputs, and each
stage's claims against the plan's villages on time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import Facts


def batch_of(f: Facts) -> pd.Series:
    """The exit-priority batch of each planned village, by the README's rule."""
    vt = f.village_table[~f.village_table["relocated_bool"]]
    first, last = f.inp.years[0], f.inp.years[-1]
    year = vt["exit_year"].astype(int)
    label = np.where(year < first, "exited", np.minimum(year, last).astype(str))
    if f.inp.exit_priority[2]:  # deep_poverty_first
        label = np.where(vt["deep_bool"], np.char.add(label.astype(str), " deep poverty"),
                         label)
    return pd.Series(label, index=vt.index)


def check_exit_priority(f: Facts, got, c) -> None:
    """summary.json's exit_priority against the plan (`c`: the summary check's compare)."""
    rule, order, _ = f.inp.exit_priority
    if not isinstance(got, dict) or got.get("rule") != rule:
        c.bad("exit_priority", got, f"scenario.yaml's rule is {rule!r}")
        return
    stages = got.get("stages")
    if stages is None:
        return
    vt = f.village_table[~f.village_table["relocated_bool"]]
    batch = batch_of(f)
    present = [b for b in order if (batch == b).any()]
    labels = [s.get("batch") for s in stages] if isinstance(stages, list) else None
    if labels != present:
        c.bad("exit_priority.stages", labels, f"the batches in the order served are {present}")
        return
    for i, st in enumerate(stages):
        key = f"exit_priority.stages[{i}]"
        mine = batch == st["batch"]
        due, kept = int(mine.sum()), int(vt.loc[mine, "on_time_bool"].sum())
        c.count(f"{key}.due", st.get("due"), due, f"planned villages of batch {st['batch']}")
        count, bound = st.get("on_time"), st.get("bound")
        if not isinstance(count, int) or kept < count:
            c.bad(f"{key}.on_time", count, f"the plan keeps {kept} of the batch on time: a "
                  "stage's count is a floor every later stage keeps")
        if bound is not None and kept > bound:
            c.bad(f"{key}.bound", bound, f"the plan has {kept} of the batch on time, above "
                  "the bound the stage claims")
        if st.get("proven") and (bound is None or count != bound or kept != count):
            c.bad(f"{key}.proven", True, f"a proven stage has its count at its bound and "
                  f"kept by the plan (count {count}, bound {bound}, plan {kept})")
    proven = all(bool(st.get("proven")) for st in stages)
    if got.get("proven") != proven:
        c.bad("exit_priority.proven", got.get("proven"), f"the stages say {proven}")
    if c.s.get("status") == "optimal" and not proven:
        c.bad("status", "optimal", "a stage of the exit priority is not proven")
