"""Share packages verified as a whole on reading (issue 12).

Before: a package whose SHA256SUMS listed only some files was read with the others tampered,
unlisted files and ``../`` names passed, a 300 MB member of zeros was read into memory, and
crafted zips raised raw ``KeyError`` (no metadata.json), ``TypeError`` (wrong types),
``DataSourceError`` (a listed file missing or not GeoJSON), ``BadZipFile`` and ``ValueError``.
Each case below must now be a clear HnGeoError naming the package and the file.
"""
from __future__ import annotations

import hashlib
import json
import warnings
import zipfile

import pytest

from layer_factory import tiny_layer
from hn_geo.core.errors import HnGeoError
from hn_geo.render import share
from hn_geo.render.share_read import read_share_package, verify_checksums


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "good.zip"
    lyr = tiny_layer("towns", 4)
    lyr["=cmd|' /C calc'!A0"] = ["=1+1", "-2", "@x", "+y"]  # a hostile column name and values
    share.write_share_package([share.ShareLayer("towns", lyr, scope="ground"),
                               share.ShareLayer("sections", tiny_layer("sections", 3), scope="ground")], out,
                              lang="en")
    with zipfile.ZipFile(out) as zf:
        return out, {n: zf.read(n) for n in zf.namelist()}


def _sums(files, only=None):
    return "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items()
                   if n != "SHA256SUMS" and (only is None or n in only)).encode()


def _write(path, files, extra=(), resum=True):
    files = dict(files)
    if resum:
        files["SHA256SUMS"] = _sums(files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for n, d in files.items():
                zf.writestr(n, d)
            for n, d in extra:
                zf.writestr(n, d)
    return path


def _code(path, **kw):
    with pytest.raises(HnGeoError) as exc:
        read_share_package(path, **kw)
    assert exc.value.path and str(exc.value.path).endswith(path.name)
    return exc.value.code, exc.value.render("en")


def test_the_good_package_round_trips(good):
    path, files = good
    back = read_share_package(path)
    assert set(back) == {"towns", "sections"}
    assert back["towns"]["=cmd|' /C calc'!A0"].tolist() == ["=1+1", "-2", "@x", "+y"]
    assert len(read_share_package(path, fmt="gpkg")["sections"]) == 3
    assert verify_checksums(path) == len(files) - 1  # every file but SHA256SUMS (with the QGIS project, styles)


def test_a_layer_without_geojson_is_read_from_the_geopackage(good, tmp_path):
    """A layer too big for GeoJSON (``files.geojson`` null, GeoParquet beside it) reads from the
    GeoPackage, in WGS84 like the GeoJSON layers; its GeoPackage missing is a clear error."""
    _, files = good
    meta = json.loads(files["metadata.json"])
    lyr = next(m for m in meta["layers"] if m["name"] == "towns")
    files = {n: d for n, d in files.items() if n != lyr["files"]["geojson"]}
    lyr["files"]["geojson"] = None
    files["metadata.json"] = json.dumps(meta).encode()
    back = read_share_package(_write(tmp_path / "big.zip", files))
    assert back["towns"].crs.to_epsg() == 4326 and len(back["towns"]) == 4
    assert back["towns"]["=cmd|' /C calc'!A0"].tolist() == ["=1+1", "-2", "@x", "+y"]
    no_gpkg = {n: d for n, d in files.items() if n != meta["geopackage"]}
    assert _code(_write(tmp_path / "nogpkg.zip", no_gpkg))[0] == "render.meta_file_missing"


def test_partial_checksum_list_with_tampered_files(good, tmp_path):
    _, files = good
    files = dict(files)
    files["SHA256SUMS"] = _sums(files, only={"metadata.json", "README.txt"})
    files["towns.geojson"] = files["towns.geojson"].replace(b"town", b"TOWN")
    code, text = _code(_write(tmp_path / "p.zip", files, resum=False))
    assert code == "render.sums_unlisted" and f"{len(files) - 3} file(s)" in text and "SOURCES.md" in text


def test_unlisted_file(good, tmp_path):
    code, text = _code(_write(tmp_path / "u.zip", good[1], extra=[("evil.exe", b"MZ")], resum=False))
    assert code == "render.sums_unlisted" and "evil.exe" in text


def test_listed_file_missing_and_mismatch(good, tmp_path):
    _, files = good
    sums = _sums(files) + f"{'0' * 64}  gone.csv\n".encode()
    code, text = _code(_write(tmp_path / "m.zip", {**files, "SHA256SUMS": sums}, resum=False))
    assert code == "render.sums_missing_file" and "gone.csv" in text
    changed = {**files, "README.txt": b"changed"}
    changed["SHA256SUMS"] = _sums(files)
    assert _code(_write(tmp_path / "c.zip", changed, resum=False))[0] == "render.checksum_mismatch"


@pytest.mark.parametrize("name", ["../../evil.txt", "/tmp/abs_evil.txt", "fields/../../x.csv", "C:/x.txt",
                                  "a\\..\\b.txt"])
def test_path_traversal_names(good, tmp_path, name):
    code, text = _code(_write(tmp_path / "t.zip", {**good[1], name: b"x"}))
    assert code == "render.package_unsafe_name" and name in text
    # also refused without checksum verification
    assert _code(tmp_path / "t.zip", verify=False)[0] == "render.package_unsafe_name"


def test_duplicate_names(good, tmp_path):
    path = _write(tmp_path / "d.zip", good[1], extra=[("towns.geojson", b"{}")], resum=False)
    code, text = _code(path, verify=False)
    assert code == "render.package_duplicate_name" and "towns.geojson" in text and "2" in text


def test_zip_bomb_by_ratio(good, tmp_path):
    path = _write(tmp_path / "b.zip", {**good[1], "README.txt": b"\0" * (4 << 20)})
    code, text = _code(path, verify=False)
    assert code == "render.package_ratio" and "README.txt" in text


def test_zip_bomb_by_size(good, tmp_path, monkeypatch):
    from hn_geo.render import share_read

    monkeypatch.setattr(share_read, "MAX_MEMBER_BYTES", 1000)
    code, text = _code(good[0])
    assert code == "render.package_too_big"


@pytest.mark.parametrize("case, expected", [
    ("no_metadata", "render.package_no_metadata"),
    ("not_json", "render.package_bad_file"),
    ("layers_dict", "render.meta_no_layers"),
    ("layer_str", "render.meta_bad_layer"),
    ("count_text", "render.meta_bad_count"),
    ("file_missing", "render.meta_file_missing"),
])
def test_crafted_metadata(good, tmp_path, case, expected):
    files = dict(good[1])
    meta = json.loads(files["metadata.json"])
    if case == "no_metadata":
        del files["metadata.json"]
    elif case == "not_json":
        files["metadata.json"] = b"{not json"
    elif case == "layers_dict":
        meta["layers"] = {"a": 1}
    elif case == "layer_str":
        meta["layers"][0] = "towns"
    elif case == "count_text":
        meta["layers"][0]["feature_count"] = "4"
    elif case == "file_missing":
        meta["layers"][1]["files"]["geojson"] = "nope.geojson"
    if case not in ("no_metadata", "not_json"):
        files["metadata.json"] = json.dumps(meta).encode()
    assert _code(_write(tmp_path / f"{case}.zip", files))[0] == expected


def test_layer_file_that_is_not_geojson(good, tmp_path):
    code, text = _code(_write(tmp_path / "g.zip", {**good[1], "sections.geojson": b"hello"}))
    assert code == "render.package_bad_file" and "sections.geojson" in text and "/vsizip/" not in text


def test_field_dictionary_with_wrong_types(good, tmp_path):
    files = dict(good[1])
    fd = files["fields/towns_fields.csv"].decode("utf-8-sig").replace(",text", ",integer")
    files["fields/towns_fields.csv"] = fd.encode("utf-8-sig")
    code, text = _code(_write(tmp_path / "f.zip", files))
    assert code == "render.package_bad_file" and "towns_fields.csv" in text


@pytest.mark.parametrize("data", [b"PK\x03\x04garbage", b"", b"not a zip at all"])
def test_not_a_zip(tmp_path, data):
    path = tmp_path / "n.zip"
    path.write_bytes(data)
    assert _code(path)[0] == "render.not_a_package"


def test_bad_checksum_lines(good, tmp_path):
    for sums in (b"garbage\n", b"\xff\xfe\n", b"abc  towns.geojson\n"):
        code, _ = _code(_write(tmp_path / "s.zip", {**good[1], "SHA256SUMS": sums}, resum=False))
        assert code in ("render.sums_bad_line", "render.package_bad_file")
    dup = _sums(good[1]) + _sums({"README.txt": good[1]["README.txt"]})
    assert _code(_write(tmp_path / "s2.zip", {**good[1], "SHA256SUMS": dup}, resum=False))[0] == "render.sums_duplicate"
    assert _code(_write(tmp_path / "s3.zip", {k: v for k, v in good[1].items() if k != "SHA256SUMS"},
                        resum=False))[0] == "render.no_sums"
