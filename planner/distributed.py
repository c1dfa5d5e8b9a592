"""Dask as the engine for many solves: a client (a LocalCluster sized to the machine,
or an existing cluster by address) and a `map` that runs functions as Dask tasks.

Plumbing only: it knows nothing of scenarios or plans (`planner.many` plans many
scenarios on it, `planner.pipeline` the counties of one)."""

from __future__ import annotations

import os
from contextlib import contextmanager


def client_for(scheduler: str | None, tasks: int):
    """A Dask client: the given scheduler, or a local cluster sized to the machine."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler)
    workers = max(1, min(os.cpu_count() or 1, tasks))
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def close(client) -> None:
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


@contextmanager
def dask_mapper(scheduler: str | None = None, tasks: int | None = None):
    """Yields map(fn, *iterables) -> list, each call a Dask task, results in order."""
    client = client_for(scheduler, tasks or (os.cpu_count() or 1))
    try:
        def mapper(fn, *iterables):
            futures = client.map(fn, *iterables, pure=False)
            return client.gather(futures)
        mapper.workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield mapper
    finally:
        close(client)
