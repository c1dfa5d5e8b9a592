"""`planner robust`: a first year that holds when money or costs change.

    sampling.py  the samples of scenario.yaml's `uncertainty:`, drawn from its seed
    recourse.py  a sample's later years from a first year (planner replan's machinery)
    run.py       the command's steps, one time limit
    report.py    the files written and summary.json, each figure with how it was measured
    stats.py     spread, t-intervals (Student's t quantile)
"""

from .run import METHODS, Run, check_robust, robust

__all__ = ["METHODS", "Run", "check_robust", "robust"]
