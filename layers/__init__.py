"""Embedded default layers of hn_geo (installed as the ``hn_geo.layers`` package).

The files here are built by ``scripts/build_layers.py`` and friends; see SOURCES.md for what is
real, approximate and synthetic.
"""
