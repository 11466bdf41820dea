"""The projects to screen against the access list: the user's layer or file, else the
embedded demo projects (``layers/projects_demo.gpkg``)."""
from __future__ import annotations

from hn_geo.ground import catalog

DEMO_PROJECTS = "projects_demo.gpkg"
"""File of the embedded demo projects under the layers folder."""


def demo_projects():
    """The embedded demo projects, validated (catalog schema 'projects'), in EPSG:4490.

    Seeded synthetic projects that meet every rule kind of the default access list at
    least once passing and once failing (``scripts/build_control_units.py``).
    """
    return catalog.load_layer("projects", catalog.layers_dir() / DEMO_PROJECTS)


def projects_of(inputs):
    """The projects of a run: ``inputs`` layer 'projects' when the user gave one, else the
    input file ``projects``, else :func:`demo_projects`.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
    """
    if inputs.is_user("projects"):
        return inputs.layer("projects")
    path = inputs.file("projects")
    if path is not None:
        return catalog.load_layer("projects", path)
    return demo_projects()
