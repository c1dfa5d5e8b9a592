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


def check_priority_cost(f: Facts, got, value: float, c) -> None:
    """summary.json's priority_cost (what the lexicographic rule cost each batch against
    the weighted rule's plan, found by a second solve whose plan is not written): what
    can be recomputed is; the weighted plan's counts are bounded by what it could be.

    - the rule is lexicographic, `against` is weighted;
    - `plan_value` is this plan's value (`value`, recomputed);
    - the weighted plan's value is at least this plan's (this plan is a weighted plan
      too, and the weighted solve starts from it), at most its bound when given;
    - per batch, in the order served: `due` and `on_time` recomputed from this plan;
      `weighted` a count within 0..the villages of the batch that could be on time at
      all; `difference` = on_time - weighted;
    - when every stage of the exit priority is proven, no plan has a better batch
      vector: this plan's counts are lexicographically at least the weighted plan's."""
    if f.inp.exit_priority[0] != "lexicographic":
        c.bad("priority_cost", "…", "it is written only under the lexicographic rule")
        return
    if not isinstance(got, dict) or got.get("against") != "weighted":
        c.bad("priority_cost.against", got.get("against") if isinstance(got, dict) else got,
              "the rule is compared with 'weighted'")
        return
    c.amount("priority_cost.plan_value", got.get("plan_value"), value,
             "this plan's value recomputed", tol=1e-6, fmt=lambda x: f"{x:.6f}")
    if "batches" not in got:
        return  # the weighted solve found no plan: nothing is claimed of it
    other, bound = got.get("value"), got.get("bound")
    if not isinstance(other, (int, float)) or other < value - 1e-6:
        c.bad("priority_cost.value", other, f"the weighted rule's plan is worth at least "
              f"this plan's value {value:.6f}")
    elif isinstance(bound, (int, float)) and other > bound + 1e-6:
        c.bad("priority_cost.value", other, f"above the weighted solve's bound {bound}")
    vt = f.village_table[~f.village_table["relocated_bool"]]
    batch = batch_of(f)
    present = [b for b in f.inp.exit_priority[1] if (batch == b).any()]
    rows = got["batches"] if isinstance(got["batches"], list) else []
    if [r.get("batch") if isinstance(r, dict) else None for r in rows] != present:
        c.bad("priority_cost.batches", [r.get("batch") for r in rows if isinstance(r, dict)],
              f"the batches in the order served are {present}")
        return
    mine, theirs = [], []
    for i, r in enumerate(rows):
        key = f"priority_cost.batches[{i}]"
        sel = batch == r["batch"]
        due, kept = int(sel.sum()), int(vt.loc[sel, "on_time_bool"].sum())
        possible = int((vt.loc[sel, "on_time_possible"] == "true").sum()) \
            if "on_time_possible" in vt else due
        c.count(f"{key}.due", r.get("due"), due, f"planned villages of batch {r['batch']}")
        c.count(f"{key}.on_time", r.get("on_time"), kept, "this plan's villages on time")
        w = r.get("weighted")
        if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= possible:
            c.bad(f"{key}.weighted", w, f"a count of villages between 0 and the {possible} "
                  "of the batch that could be on time")
            return
        c.count(f"{key}.difference", r.get("difference"), kept - w, "on_time - weighted")
        mine.append(kept)
        theirs.append(w)
    stages = c.s.get("exit_priority", {})
    if isinstance(stages, dict) and stages.get("proven") and tuple(theirs) > tuple(mine):
        c.bad("priority_cost.batches", theirs, f"every stage is proven, so no plan serves "
              f"the batches better in their order than this one's {mine}")
