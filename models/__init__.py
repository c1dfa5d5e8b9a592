"""The mathematics: a validated instance, formulations, solvers, results."""
