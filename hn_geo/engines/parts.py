"""Partitioned outputs: a result layer written as a GeoParquet dataset, one part per partition.

Each part is presented in the run's language exactly as the in-memory engine's GeoPackage
layers are (:func:`hn_geo.render.tables.present`: codes -> words, English field names) and
written by :func:`hn_geo.render.writers.write_parquet` (EPSG:4490, atomic). The parts go into
a private folder beside the target, which replaces the target folder only when every part is
written: a failed run leaves no half dataset and an earlier dataset stays as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground import catalog
from hn_geo.render import tables, writers


def layer_codes(codes, columns):
    """``codes`` plus the value families of catalog fields among ``columns`` (as the
    workflows declare them for result layers that carry input fields)."""
    out = dict(codes)
    for schema in catalog.SCHEMAS.values():
        for f in schema.fields:
            if f.family and f.name in columns:
                out.setdefault(f.name, f.family)
    return out


@dataclass
class Dataset:
    """A partitioned output being written (picklable: dask workers write the parts).

    Attributes
    ----------
    target : Path
        The dataset folder, e.g. ``OUT/solar_buildings``.
    staging : Path
        The private folder the parts are written into.
    """

    target: Path
    staging: Path
    lang: str
    scope: str
    layer: str
    codes: dict

    @classmethod
    def create(cls, target, *, lang, scope, layer, codes):
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        return cls(target, staging, lang, scope, layer, dict(codes))

    def part_path(self, k):
        return self.staging / f"part.{k:05d}.parquet"

    def present(self, gdf):
        """:func:`hn_geo.render.tables.present` of a layer as the GeoPackage writer calls it, with
        each distinct value of an object column rendered once (a million rows share a few
        thousand unit lists and rule sets)."""
        kw = {"lang": self.lang, "scope": self.scope, "codes": layer_codes(self.codes, gdf.columns),
              "labels": False, "table": self.layer, "bool_words": False}
        geom = gdf.geometry.name
        objects = [c for c in gdf.columns if c != geom and gdf[c].dtype == object]
        shown = tables.present(gdf.drop(columns=objects), keep_geometry=True, **kw)
        for c in objects:
            codes, uniq = pd.factorize(gdf[c], use_na_sentinel=True)
            small = pd.DataFrame({c: pd.Series(list(uniq) + [None], dtype=object)})
            words = tables.present(small, **kw)[c].to_numpy(dtype=object)
            shown[c] = pd.Series(words[np.where(codes >= 0, codes, len(uniq))], index=shown.index, dtype=object)
        return shown[[c for c in gdf.columns if c != geom and c in shown.columns] + [geom]]

    def write(self, gdf, k):
        """Present partition ``k`` in words and write it; returns its path, None when empty."""
        if len(gdf) == 0:
            return None
        shown = self.present(gdf)
        # the layers are in EPSG:4490 already (validated inputs): no reprojection on the way out
        return writers.write_parquet(shown, self.part_path(k), crs=None if shown.crs.equals(STORAGE_CRS) else STORAGE_CRS)

    def commit(self):
        """Move the finished parts onto :attr:`target` (replacing an earlier dataset)."""
        old = None
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".old", dir=self.target.parent))
            os.replace(self.target, old / self.target.name)
        os.replace(self.staging, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return sorted(self.target.glob("part.*.parquet"))

    def discard(self):
        shutil.rmtree(self.staging, ignore_errors=True)


class Scratch:
    """A private scratch folder for intermediate parts, removed at the end."""

    def __init__(self, parent):
        Path(parent).mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".hn_geo_engine.", suffix=".tmp", dir=parent))

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
