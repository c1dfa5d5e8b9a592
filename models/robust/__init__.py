"""Two-stage plans under uncertain money and costs (`planner robust`).

    copies.py     one sample's program: first-year works at today's costs, later ones
                  at the sample's
    extensive.py  the sample-average program in one piece: the copies side by side, the
                  first year's starts tied together, expected value, worst case or CVaR
    hedging.py    the same by scenario decomposition (progressive hedging), each
                  sample's program a task of its own

Nothing here reads a file: the samples come as instances (planner.robust draws them).
"""

from .copies import Copy, CopyError, copy_of
from .extensive import OBJECTIVES, CopiesResult, risk, solve_copies, stack

#: how the sample-average program is solved: in one piece, by progressive hedging, or
#: `auto`: in one piece up to EXTENSIVE_LIMIT variables in all, else by hedging
METHODS = ("auto", "extensive", "hedging")
EXTENSIVE_LIMIT = 10_000

__all__ = ["EXTENSIVE_LIMIT", "METHODS", "OBJECTIVES", "CopiesResult", "Copy", "CopyError",
           "copy_of", "risk", "solve_copies", "stack"]
