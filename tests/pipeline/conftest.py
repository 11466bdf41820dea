"""Fixtures of the pipeline tests."""
from __future__ import annotations

import pytest

from hn_geo.pipeline import run as run_mod
from hn_geo.pipeline.steps import Step


@pytest.fixture
def steps(monkeypatch):
    """Install stand-in steps: ``steps({name: func})`` runs them in that order."""
    def install(funcs):
        for name, func in funcs.items():
            monkeypatch.setitem(run_mod.STEPS, name, Step(name, func))
        monkeypatch.setattr(run_mod, "plan_steps", lambda config, only=None: list(funcs))
    return install
