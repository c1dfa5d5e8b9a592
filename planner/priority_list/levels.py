"""The scenario of each budget level, written as a scenario folder of its own.

`planner priority` plans every level from files, as `planner solve` plans a scenario,
so that each plan it writes is checked against files anyone can check it against
again (`planner check DIR/levels/x0.7 DIR/levels/x0.7/plan`):

    DIR/scenario/              the scenario as given, settled: its tables and settings
                               with `base` and `overrides` applied (planner.scenario.frames)
    DIR/levels/x0.7/           a variant of it (base: ../../scenario): every fund's
                               amount x 0.7 (`overrides.funds` scale, the scaling
                               `planner sweep` and variants use: planner.scenario.overrides),
                               and locked.csv: the works of the level below locked in
    DIR/levels/x0.7/plan/      the nested plan of the level
    DIR/optimum/x0.7/          the same money without the nesting locks
    DIR/optimum/x0.7/plan/     the best plan at that money (a full, un-nested solve)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..scenario import Scenario, load_scenario
from ..scenario.frames import settings_of, write_scenario
from ..tables import write_csv

BASE = "scenario"
LEVELS = "levels"
OPTIMUM = "optimum"
PLAN = "plan"
TABLES = ("villages", "gaps", "projects", "funds")


def label(scale: float) -> str:
    """The folder name of a level: x0.7, x1, x0.25."""
    return f"x{scale:g}"


def write_base(scn: Scenario, out: Path) -> Path:
    """The scenario settled into `out/scenario` (tables and settings, no base, no
    overrides: a variant of it inherits nothing it could lose)."""
    tables = {t: getattr(scn, t).drop(columns="_row", errors="ignore") for t in TABLES}
    return write_scenario(Path(out) / BASE, tables, settings_of(scn))


def write_level(out: Path, kind: str, scale: float, name: str, streams, lock_in=(),
                lock_out=()) -> Path:
    """The variant folder of a level (`kind`: levels or optimum): every stream scaled by
    `scale`; locked.csv: the `lock_in` project ids locked in, the `lock_out` ones out."""
    folder = Path(out) / kind / label(scale)
    folder.mkdir(parents=True, exist_ok=True)
    what = ("the works of the level below locked in (locked.csv)" if lock_in else
            "the works not in the level above's plan locked out (locked.csv)" if lock_out
            else "no work locked beyond the scenario's own locks")
    config = {"base": f"../../{BASE}", "name": f"{name} {label(scale)}",
              "overrides": {"funds": [{"stream": s, "scale": float(scale)} for s in streams]}}
    text = (f"# planner priority: every fund's amount x {scale:g}; {what}\n"
            + yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    if lock_in or lock_out:
        ids = sorted(lock_in) + sorted(lock_out)
        write_csv(pd.DataFrame({"project_id": ids,
                                "lock": ["in"] * len(lock_in) + ["out"] * len(lock_out)}),
                  folder / "locked.csv")
    return folder


def load_level(folder: Path) -> Scenario:
    return load_scenario(folder)
