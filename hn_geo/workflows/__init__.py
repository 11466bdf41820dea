"""Workflows: one per analysis -- load the inputs, run the analysis, write the outputs.

Each module (``water``, ``zoning``, ``solar``, ``targets``, and the outputs ``report``,
``maps``, ``share``) has one ``run(inputs, out_dir, *, lang, **options)`` function, called
by its CLI command and by the batch pipeline alike, so no flow is written twice. Options
left at None are "not given": the analysis' own defaults (its signature) or the plan's
figures (``hn_geo/data/plan_targets.yaml``) apply.
"""
