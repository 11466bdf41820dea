"""Engines: how an analysis runs over its inputs -- in memory (the default) or partition by
partition with dask-geopandas over a partitioned GeoParquet dataset.

The in-memory engine is the analyses themselves (:func:`hn_geo.solar.rooftop_potential`,
:func:`hn_geo.zoning.check`) on one GeoDataFrame. The dask engine
(:mod:`hn_geo.engines.solar`, :mod:`hn_geo.engines.zoning`) reads a dataset lazily
(:func:`hn_geo.ground.datasets.open_dataset`), computes the small inputs once (yields per
orientation class, control units, rules, zones, existing loads) and broadcasts them, runs
the same pure pieces of the analysis on every partition, writes the per-building /
per-project results as a partitioned GeoParquet dataset and returns the same aggregate
tables and figures as the in-memory engine. :mod:`hn_geo.engines.cluster` gives the
schedulers: ``threads``, ``processes`` or the address of a dask.distributed scheduler
(``tcp://host:port``).

Layer: below the workflows (which choose the engine), above inputs, analyses and outputs.
"""
from __future__ import annotations

ENGINES = ("memory", "dask")
"""Engine names (``--engine``, ``engine:`` of the run config)."""
