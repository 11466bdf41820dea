"""The batch run: one YAML config, one command, every analysis and deliverable.

Modules: :mod:`.config` (the run config and its schema), :mod:`.steps` (the registry: each
step calls one workflow), :mod:`.run` (:func:`run_pipeline`: lock, steps, run_summary.json),
:mod:`.summary` (the console summary). The pipeline only wires: the flow of each analysis
is its workflow (:mod:`hn_geo.workflows`), the same one its CLI command runs.
"""
from hn_geo.pipeline.config import ANALYSES, OUTPUTS, RunConfig, load_config, template_text  # noqa: F401
from hn_geo.pipeline.run import RunReport, StepRecord, plan_steps, run_pipeline  # noqa: F401
from hn_geo.pipeline.steps import STEPS  # noqa: F401
from hn_geo.pipeline.summary import format_summary  # noqa: F401
