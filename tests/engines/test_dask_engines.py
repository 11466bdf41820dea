"""The dask engine gives the in-memory engine's results: per-building kWh, ranks, tables,
figures, notes and warnings of the solar analysis; findings, unit/town/cap tables and
layers of the zoning check -- on datasets of several parts, locally and on a cluster."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely.affinity
import yaml
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.catalog import default_path, layers_dir
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.ground.rules import read_rules_file
from hn_geo.render.tables import present
from hn_geo.workflows import solar, zoning

NUMBERS = ["kwp", "kwh_year", "kwh_per_kwp", "supply_rank", "cum_mw", "tilt_deg", "azimuth_deg",
           "roof_area_m2", "usable_area_m2", "module_area_m2"]


def _split(gdf, folder, n):
    folder.mkdir(parents=True)
    for i, idx in enumerate(np.array_split(np.arange(len(gdf)), n)):
        gdf.iloc[idx].to_parquet(folder / f"part.{i}.parquet")
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets")
    b = gpd.read_parquet(default_path("buildings")).iloc[:2400].copy()
    b.loc[b.index[[7, 1500]], "geometry"] = shapely.affinity.scale(b.geometry.iloc[7], 0.01, 0.01)  # tiny: warned
    b.loc[b.index[1900], "roof_type"] = None                          # roof type guessed: a counted note
    p = gpd.read_file(layers_dir() / "projects_demo.gpkg")
    return {"buildings": _split(b, root / "buildings", 3), "projects": _split(p, root / "projects", 3)}


def _run(flow, name, path, out, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        outcome = flow.run(Inputs(layers={name: LayerSource(path)}), out, lang="en", **kw)
    return outcome, sorted(w.message.render("en") for w in caught if isinstance(w.message, HnGeoWarning))


def _same_result(ref, res, skip=()):
    for name, table in res.tables.items():
        pd.testing.assert_frame_equal(ref.tables[name], table, obj=name)
    assert set(ref.tables) - set(res.tables) <= set(skip)
    assert [(f.code, f.value, f.status) for f in ref.figures] == [(f.code, f.value, f.status) for f in res.figures]
    assert ref.notes == res.notes


def _parts(files, folder):
    return pd.concat([gpd.read_parquet(f) for f in files if f.parent.name == folder])


@pytest.fixture(scope="module")
def solar_memory(data, tmp_path_factory):
    return _run(solar, "buildings", data["buildings"], tmp_path_factory.mktemp("mem"))


def _check_solar(solar_memory, outcome, warned):
    (ref, ref_warned), res = solar_memory, outcome.result
    _same_result(ref.result, res)
    assert warned == ref_warned and any("footprint" in w for w in warned)
    got = _parts(outcome.files, "solar_buildings").set_index("building_id").sort_index()
    layer = ref.result.layers["buildings"].set_index("building_id").sort_index()
    for c in NUMBERS:  # per building, to the last unit
        assert np.array_equal(got[c].to_numpy(), layer[c].to_numpy(), equal_nan=True), c
    words = present(layer.reset_index(), lang="en", scope="solar", codes=ref.result.codes, labels=False)
    assert got["status"].tolist() == words["status"].tolist() and got.crs.to_epsg() == 4490
    assert got.geometry.geom_equals_exact(layer.geometry, 0).all()


@pytest.mark.slow  # ~4 s, with its in-memory reference ~7 s
def test_solar_dask_equals_memory(data, solar_memory, tmp_path):
    outcome, warned = _run(solar, "buildings", data["buildings"], tmp_path, engine="dask")
    _check_solar(solar_memory, outcome, warned)
    assert outcome.result.layers == {} and (tmp_path / "solar_supply_curve.png").stat().st_size > 1000
    assert not list(tmp_path.glob(".*"))  # no scratch or staging left behind


@pytest.fixture(scope="module")
def zoning_memory(data, tmp_path_factory):
    return _run(zoning, "projects", data["projects"], tmp_path_factory.mktemp("zmem"))


def _check_zoning(zoning_memory, outcome, warned):
    (ref, ref_warned), res = zoning_memory, outcome.result
    _same_result(ref.result, res, skip={"projects"})
    assert warned == ref_warned
    pl = _parts(outcome.files, "zoning_projects").set_index("project_id").sort_index()
    mem = present(ref.result.layers["projects"], lang="en", scope="zoning", codes=ref.result.codes,
                  keep_geometry=True, labels=False, bool_words=False).set_index("project_id").sort_index()
    assert pl["status"].tolist() == mem["status"].tolist()
    text = lambda s: [v if isinstance(v, str) else None for v in s]  # noqa: E731  (None/NaN after parquet)
    assert text(pl["violated_rules"]) == text(mem["violated_rules"])
    assert len(_parts(outcome.files, "zoning_violations")) == len(ref.result.layers["violations"])


def test_zoning_dask_equals_memory(data, zoning_memory, tmp_path):
    outcome, warned = _run(zoning, "projects", data["projects"], tmp_path, engine="dask")
    _check_zoning(zoning_memory, outcome, warned)
    assert (tmp_path / "violations.csv").exists() and not (tmp_path / "projects.csv").exists()


def test_bad_engine_and_scheduler_are_clear_errors(data, tmp_path):
    with pytest.raises(HnGeoError) as exc:
        solar.run(Inputs(), tmp_path, engine="spark")
    assert exc.value.code == "pipeline.bad_engine"
    with pytest.raises(HnGeoError) as exc:
        zoning.run(Inputs(layers={"projects": LayerSource(data["projects"])}), tmp_path, engine="dask",
                   scheduler="yarn")
    assert exc.value.code == "pipeline.bad_scheduler"


def test_a_bad_part_is_named_by_the_dask_engine(data, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in sorted(data["projects"].glob("*.parquet")):
        g = gpd.read_parquet(f)
        if f.name == "part.2.parquet":
            g["status"] = "demolished"
        g.to_parquet(bad / f.name)
    with pytest.raises(HnGeoError) as exc:
        zoning.run(Inputs(layers={"projects": LayerSource(bad)}), tmp_path / "out", engine="dask")
    assert exc.value.path.endswith("part.2.parquet") and exc.value.field == "status"
    assert not (tmp_path / "out" / "zoning_projects").exists()


@pytest.mark.slow
def test_local_cluster_runs_both_analyses(data, solar_memory, zoning_memory, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        outcome, warned = _run(solar, "buildings", data["buildings"], tmp_path / "solar", engine="dask",
                               scheduler=address)
        _check_solar(solar_memory, outcome, warned)
        outcome, warned = _run(zoning, "projects", data["projects"], tmp_path / "zoning", engine="dask",
                               scheduler=address)
        _check_zoning(zoning_memory, outcome, warned)


def test_run_config_engine_reaches_the_solar_and_zoning_steps(tmp_path, monkeypatch):
    from hn_geo.pipeline import config, steps

    cfg = tmp_path / "run.yaml"
    cfg.write_text("engine: dask\nscheduler: tcp://127.0.0.1:8786\noptions:\n  zoning: {scheduler: threads}\n",
                   encoding="utf-8")
    rc = config.load_config(cfg)
    assert (rc.engine, rc.scheduler) == ("dask", "tcp://127.0.0.1:8786")
    seen = {}
    monkeypatch.setitem(steps.WORKFLOWS, "zoning", lambda inputs, out, *, lang, **kw: seen.update(kw) or
                        type("O", (), {"result": None, "files": []})())
    ctx = type("Ctx", (), {"config": rc, "inputs": Inputs(), "out": tmp_path, "lang": "en"})()
    steps._analysis("zoning")(ctx)
    assert seen == {"engine": "dask", "scheduler": "threads"}  # the step's own option wins
    cfg.write_text("scheduler: yarn\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        config.load_config(cfg)
    assert exc.value.field == "scheduler"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_partitioned_layers_are_presented_as_the_geopackage_layers(zoning_memory, lang):
    from hn_geo.engines.parts import Dataset, layer_codes
    from hn_geo.render import tables

    res = zoning_memory[0].result
    for name in ("projects", "violations"):
        g = res.layers[name]
        fast = Dataset(None, None, lang, "zoning", name, res.codes).present(g)
        pd.testing.assert_frame_equal(fast, tables.present(g, lang=lang, scope="zoning", keep_geometry=True,
                                                           codes=layer_codes(res.codes, g.columns), labels=False,
                                                           table=name, bool_words=False))


@pytest.mark.slow  # two checks of the demo projects: ~6 s
def test_zoning_dask_broadcasts_the_parks_of_a_park_only_rule(data, tmp_path):
    doc = read_rules_file()
    doc["rules"]["all_units"].append({"id": "T-PARK", "kind": "park_only", "params": {"parks": ["P04"]},
                                      "severity": "error", "source": "test", "clause": "须进入尖山新区（测试条款）。"})
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    runs = []
    for engine in ("memory", "dask"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HnGeoWarning)
            runs.append(zoning.run(Inputs(layers={"projects": LayerSource(data["projects"])}, files={"rules": rules}),
                                   tmp_path / engine, lang="en", engine=engine).result)
    ref, res = runs
    _same_result(ref, res, skip={"projects"})
    rule_ids = ref.tables["violations"]["rule_id"].astype(str)
    assert 0 < (rule_ids == "T-PARK").sum() < len(ref.tables["projects"])  # some inside P04, some not


def _cli(args):
    res = CliRunner().invoke(main, [*args, "--lang", "en"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout.splitlines()  # not the progress bar (stderr)


@pytest.mark.slow  # two CLI runs each: ~3 s (zoning), ~8 s (solar)
@pytest.mark.parametrize("command, name, folder", [(["zoning", "check"], "projects", "zoning_projects"),
                                                   (["solar", "potential"], "buildings", "solar_buildings")])
def test_cli_engine_dask_on_a_dataset_folder_prints_the_figures_of_the_default_engine(data, tmp_path, command,
                                                                                       name, folder):
    dask_out = _cli([*command, str(data[name]), "--engine", "dask", "--scheduler", "threads",
                     "--out", str(tmp_path / "dask")])
    mem_out = _cli([*command, str(data[name]), "--out", str(tmp_path / "mem")])
    figures = mem_out[:mem_out.index("")]
    assert len(figures) >= 5 and dask_out[:len(figures)] == figures  # the key figures, word for word
    assert sorted(p.name for p in (tmp_path / "dask" / folder).glob("*.parquet"))[:1] == ["part.00000.parquet"]
