"""Write the tutorial notebooks in notebooks/ (reproducibly, without outputs).

Run from the repository root::

    python scripts/make_notebooks.py          # (re)write notebooks/*.ipynb
    python scripts/make_notebooks.py --check  # exit 1 if a committed notebook differs

The notebooks are written for a planning-bureau analyst: short Chinese/English
explanations, each runs top to bottom on the embedded Haining data in well
under 30 s and writes its files into ``out/`` under the folder it runs in.
tests/test_notebooks.py executes them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"

SETUP = '''from pathlib import Path
import warnings

import pandas as pd

import hn_geo
from hn_geo.core.errors import HnGeoWarning

pd.set_option("display.max_columns", 12)
pd.set_option("display.width", 160)
warnings.simplefilter("default", HnGeoWarning)   # show each repair warning once
OUT = Path("out")                                # files go here (next to the notebook)
OUT.mkdir(exist_ok=True)
print("hn_geo", hn_geo.__version__, "-> output folder", OUT.resolve())'''


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text):
    return new_code_cell(text.strip("\n"))


def quickstart():
    return [
        md("""
# 00 快速入门 / Quick start

**hn_geo** 是服务海宁市“十四五”节能减排综合工作方案的开源 GIS 工具包：图层目录、水质评价、三线一单
符合性检查、屋顶光伏潜力、规划目标进度、离线地图和数据共享包。

*hn_geo is an open-source GIS toolkit for Haining's 14th Five-Year energy-saving and
emission-reduction plan: a layer catalog, water-quality assessment, 三线一单 zoning checks, rooftop
PV potential, plan-target tracking, offline maps and share packages.*

本笔记本 / This notebook:
1. 列出内置图层 / lists the embedded layers;
2. 读取一个图层并显示中文表头 / loads a layer and shows it with Chinese headers;
3. 用一条命令运行批处理 / runs the batch job (here: only the targets analysis, to stay fast).

> 内置数据部分为合成或近似数据（见 `layers/SOURCES.md`）。
> *Some embedded data are synthetic or approximate (see `layers/SOURCES.md`).*
"""),
        code(SETUP),
        md("""
## 1. 图层目录 / The layer catalog

每个图层都有模式（字段、类型、单位、中英文名称）。`load_layer` 返回经过校验的 GeoDataFrame，
坐标系统一为 CGCS2000（EPSG:4490）。

*Every layer has a schema (fields, types, units, Chinese and English labels). `load_layer`
returns a validated GeoDataFrame in CGCS2000 (EPSG:4490).*
"""),
        code('''
from hn_geo.ground import catalog

rows = []
for name, schema in catalog.SCHEMAS.items():
    present = bool(schema.default_file) and catalog.default_path(name).exists()
    rows.append((name, schema.title("zh"), schema.title("en"), "/".join(schema.geometry), present))
pd.DataFrame(rows, columns=["name", "中文名称", "English", "geometry", "embedded"])
'''),
        code('''
towns = hn_geo.load_layer("towns")
print(len(towns), "towns, CRS", towns.crs.to_string())
from hn_geo.render.tables import present

# column codes -> Chinese headers (with units) from the one vocabulary, hn_geo/data/labels.yaml
present(towns.drop(columns=["source", "approximate"], errors="ignore"), lang="zh", scope="ground",
        table="towns")
'''),
        md("""
用自己的文件替换内置图层：`hn_geo.load_layer("towns", "my_towns.shp")`；命令行先用
`hn-geo layers validate my_towns.shp --as towns` 检查。

*Use your own file instead: `hn_geo.load_layer("towns", "my_towns.shp")`; check it first with
`hn-geo layers validate my_towns.shp --as towns`.*

## 2. 批处理 / The batch job

命令行 `hn-geo run --out out` 运行全部分析、报告工作簿、地图和共享数据包；
`hn-geo init-config run.yaml` 写出带注释的配置模板。这里在 Python 中只运行“规划目标进度”一项。

*On the command line, `hn-geo run --out out` runs every analysis, the report workbook, maps
and the share package; `hn-geo init-config run.yaml` writes a commented config template. Here
we run only the targets analysis from Python.*
"""),
        code('''
from hn_geo.pipeline import RunConfig, format_summary, run_pipeline

config = RunConfig(analyses=["targets"], maps={"overview": False, "per_analysis": False},
                   export={"enabled": False})
report = run_pipeline(config, OUT / "quickstart_run", quiet=True)
print(format_summary(report))
'''),
        code('''
# 报告工作簿的汇总页 / the summary sheet of the report workbook
pd.read_excel(OUT / "quickstart_run" / "report" / "hn_geo_report.xlsx", sheet_name=0, header=3).head(12)
'''),
    ]


def water_nb():
    return [
        md("""
# 01 水环境质量评价 / Surface-water quality

按 GB 3838-2002 和《地表水环境质量评价办法（试行）》（环办〔2011〕22号）评价监测断面，
对照方案（三.八）的目标：省控断面 III 类及以上比例 100%，跨行政区交接断面达标率 100%，
长山河、上塘河、盐官下河总氮、总磷浓度控制。

*Classify monitoring sections per GB 3838-2002 and the 22号 assessment rules, and check the
plan's section targets (三.八).*

输入 / inputs: `sections` 图层（断面）和监测结果表（宽表：每行一个断面一次采样，每列一个指标；
支持 `0.025L`、`<0.025`、`ND` 写法）。内置结果表为合成数据。
"""),
        code(SETUP),
        code('''
from hn_geo import water
from hn_geo.ground.catalog import layers_dir, load_layer
from hn_geo.ground.water_results import read_results

samples = read_results(layers_dir() / "water_results.csv")   # your CSV/XLSX works the same
sections = load_layer("sections")
rivers = load_layer("rivers")
points = load_layer("emission_points")
print(len(samples), "sample rows for", samples["section_id"].nunique() if "section_id" in samples
      else "?", "sections")
'''),
        code('''
res = water.assess(samples, sections, rivers, points)   # pure: codes and numbers, no language
from hn_geo.render.console import figure_lines

print("\\n".join(figure_lines(res, "zh")))             # the key figures, in words
'''),
        md("""
## 断面评价 / Sections

`res.layers["sections"]` 是带水质类别和达标情况的断面图层（地图按类别配色）；
`res.tables` 是各张结果表：英文列名、状态代码（`met`、`not_met` …）；`present()` 用统一词表换成中文。

*`res.layers["sections"]` carries each section's class and compliance; `res.tables` holds the
result tables with English column names and status codes (`met`, `not_met` ...); `present()`
turns them into words of one language from the one vocabulary.*
"""),
        code('''
from hn_geo.render.tables import present

layer = pd.DataFrame(res.layers["sections"].drop(columns="geometry"))
cols = [c for c in ("section_id", "name", "river", "section_type", "target_class", "water_class",
                    "status", "exceed_items") if c in layer.columns]
present(layer[cols], lang="zh", scope="water", codes=res.codes)
'''),
        code('''
print(list(res.tables))
present(res.tables["water_compliance"], lang="zh", scope="water", codes=res.codes, table="water_compliance")
'''),
        md("""
## 自己的数据 / Your own results table

下面写一个带中文表头和检出限写法的小表，再评价它。未知列会被列出并忽略（带警告）。

*A small table with Chinese headers and detection-limit notations, as monitoring exports have
them. Unknown columns are listed and ignored with a warning.*
"""),
        code('''
sid = sections["section_id"].iloc[0]
demo = pd.DataFrame({
    "断面编号": [sid, sid],
    "采样日期": ["2025-01-10", "2025-02-12"],
    "溶解氧(mg/L)": ["8.1", "7.6"],
    "高锰酸盐指数(mg/L)": ["3.2", "4.1"],
    "氨氮(mg/L)": ["0.025L", "0.41"],
    "总磷(mg/L)": ["0.12", "<0.01"],
})
demo.to_csv(OUT / "my_results.csv", index=False, encoding="utf-8-sig")
mine = read_results(OUT / "my_results.csv")
res_mine = water.assess(mine, sections)
present(pd.DataFrame(res_mine.layers["sections"].drop(columns="geometry"))[
    ["section_id", "name", "water_class", "status"]].dropna(subset=["water_class"]),
    lang="zh", scope="water", codes=res_mine.codes)
'''),
        code('''
from hn_geo.render.outputs import write_result

written = write_result(res, OUT / "water", lang="zh")     # CSV (UTF-8 BOM), XLSX, GeoPackage
[p.name for p in written]
'''),
        md("*命令行 / CLI:* `hn-geo water classify [RESULTS.csv] --out out/water`"),
    ]


def zoning_nb():
    return [
        md("""
# 02 三线一单符合性检查 / Zoning (三线一单) checks

对每个项目回答：位于哪些环境管控单元，适用哪些准入清单条款，违反了哪些（方案三.一、四.三、四.四）。
准入清单是可编辑的 YAML 文件（`hn_geo/data/access_rules.yaml`），每条规则带条款原文和出处。

*For each project: which control units it lies in, which access-list clauses apply and which
it breaks. The access list is an editable YAML file; each rule quotes its clause and source.*
"""),
        code(SETUP),
        code('''
from hn_geo import zoning
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.projects import demo_projects
from hn_geo.workflows.zoning import load_rules

rules = load_rules()                     # or load_rules("my_rules.yaml")
projects = demo_projects()               # or load_layer("projects", "my_projects.gpkg")
units = load_layer("control_units")
points = load_layer("emission_points")
red_line = load_layer("red_line")
water_source = load_layer("water_source")
print(len(rules.rules), "rules;", len(projects), "demo projects;", len(units), "control units")
'''),
        code('''
res = zoning.check(projects, units, rules=rules, points=points, red_line=red_line,
                   water_source=water_source)
from hn_geo.render.console import figure_lines

print("\\n".join(figure_lines(res, "zh")))
'''),
        md("""
## 结果 / Results

`projects` 每个项目一行（通过/不通过），`violations` 每个（项目，违反条款）一行，附条款原文。

*`projects`: one row per project (pass/fail); `violations`: one row per (project, broken rule)
with the clause text.*
"""),
        code('''
from hn_geo.render.tables import present

present(res.tables["projects"], lang="zh", scope="zoning", codes=res.codes, table="projects").head(10)
'''),
        code('''
present(res.tables["violations"], lang="zh", scope="zoning", codes=res.codes, table="violations").head(10)
'''),
        code('''
from hn_geo.render.outputs import write_result

[p.name for p in write_result(res, OUT / "zoning", lang="zh")]
'''),
        md("*命令行 / CLI:* `hn-geo zoning check [PROJECTS] [--rules FILE] --out out/zoning`"),
    ]


def solar_nb():
    return [
        md("""
# 03 屋顶光伏潜力 / Rooftop PV potential

用 pvlib 计算每栋建筑屋顶的可装机容量（kWp）、年发电量（kWh）和单位发电量（kWh/kWp），
按镇（街道）和建筑类型汇总，并对照方案目标：光伏并网 180 万千瓦、1 万户屋顶光伏。

*Per-building capacity, annual energy and specific yield with pvlib, totals by town and
building type, and the supply curve against the plan's 1.8 GW and 10,000-home targets.*

没有气象文件时使用内置的海宁默认气象年（晴空模型按杭州站月均辐照量缩放，见 SOURCES.md）；
可用 EPW / TMY3 / PVGIS 文件替换：`load_weather("hangzhou.epw")`。内置建筑图层为合成数据。
"""),
        code(SETUP),
        code('''
from hn_geo import solar
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.plan import plan_figure
from hn_geo.ground.weather import load_weather

buildings = load_layer("buildings")
weather = load_weather()            # embedded default; load_weather("file.epw") for a real file
print(len(buildings), "buildings")
'''),
        code('''
res = solar.rooftop_potential(buildings, weather, installed_mw=0.0,
                              target_mw=plan_figure("pv_capacity", unit="MW"),           # 180 万千瓦
                              homes_target=plan_figure("rooftop_pv_households", unit="homes"))
from hn_geo.render.console import figure_lines

print("\\n".join(figure_lines(res, "zh")))
'''),
        code('''
from hn_geo.render.tables import present

print(list(res.tables))
present(res.tables["solar_towns"], lang="zh", scope="solar", codes=res.codes, table="solar_towns")
'''),
        md("""
## 供给曲线 / Supply curve

屋顶按单位发电量从高到低排序、累计装机容量，标出达到目标所需的位置。

*Roofs ranked by specific yield with cumulative capacity, marking where the target is reached.*
"""),
        code('''
from IPython.display import Image
from hn_geo.render.plots import supply_curve_png
from hn_geo.render.outputs import write_result

written = write_result(res, OUT / "solar", lang="zh")
png = supply_curve_png(res, OUT / "solar" / "solar_supply_curve.png", lang="zh")
Image(filename=str(png), width=640)
'''),
        md("*命令行 / CLI:* `hn-geo solar potential [BUILDINGS] [--weather FILE] --out out/solar`"),
    ]


def targets_nb():
    return [
        md("""
# 04 规划目标进度 / Plan target progress

把年度统计数据变成进度表：附件1 各镇（街道）能耗强度目标（基本/激励，含方案允许的扣除和
激励目标达标免考核总量的规则）、重点工程减排量（NOx 515 t、VOCs 2585 t、COD 1200 t、
NH3-N 85 t，含重复计算检查）、附件2 和第三部分的指标。

*Yearly statistics become progress tables: the town energy-intensity targets of 附件1, the
key-project reductions (with double-counting checks) and the indicators.*

统计数据：一个文件夹（或一个工作簿），含 town_energy、reduction_projects、indicators；
`hn-geo targets columns` 列出可接受的列名。内置演示统计为合成数据。
"""),
        code(SETUP),
        code('''
from hn_geo import targets
from hn_geo.ground import plan as plan_file, stats

plan = plan_file.load_targets()          # every quantified target of the plan, with its clause
print(len(plan), "targets in the plan file")
plan[["id", "clause", "name", "value", "unit"]].head(8)
'''),
        code('''
statistics = stats.read_stats(targets=plan)   # read_stats("my_stats/", targets=plan) for yours
res = targets.targets_report(statistics, targets=plan, town_targets=plan_file.town_targets(),
                             towns=hn_geo.load_layer("towns"))
from hn_geo.render.console import figure_lines

print("\\n".join(figure_lines(res, "zh")))
'''),
        code('''
from hn_geo.render.tables import present

energy = res.tables["targets_energy"]
present(energy, lang="zh", scope="targets", codes=res.codes, table="targets_energy").head(12)
'''),
        code('''
# 重复计算的减排项目 / reduction projects counted twice
present(res.tables["targets_double_counted"], lang="zh", scope="targets", codes=res.codes,
        table="targets_double_counted")
'''),
        code('''
towns = res.layers["towns"]
ax = towns.plot(column="intensity_cut_pct" if "intensity_cut_pct" in towns else None,
                legend=True, figsize=(6, 5), edgecolor="white")
ax.set_axis_off()
'''),
        code('''
from hn_geo.render.outputs import write_result

[p.name for p in write_result(res, OUT / "targets", lang="zh")]
'''),
        md("*命令行 / CLI:* `hn-geo targets report [--stats DIR] --out out/targets`"),
    ]


def maps_export_nb():
    return [
        md("""
# 05 地图与数据共享 / Maps and share packages

**地图**：一次调用生成交互式 HTML 地图，双击即可打开，离线可用（Leaflet 及插件全部内嵌）。
**共享数据包**：发给发改、经信、住建、水利等部门的一个 zip：每个图层一个 GeoJSON（RFC 7946，
WGS84）、一个 CGCS2000 GeoPackage、元数据、字段字典、数据来源和 SHA-256 校验和。

*Maps: one call gives an interactive HTML map that opens offline by double-click.
Share packages: one zip per delivery with GeoJSON (RFC 7946), a CGCS2000 GeoPackage, metadata,
field dictionaries, sources and SHA-256 checksums.*
"""),
        code(SETUP),
        code('''
from hn_geo.ground.inputs import Inputs
from hn_geo.workflows import maps as map_flow

inputs = Inputs()                                   # the embedded layers; Inputs(layers={...}) for yours
path = map_flow.overview_map(inputs, OUT / "overview.html", lang="zh")   # basemap="osm" when online
print(path, round(path.stat().st_size / 1e6, 1), "MB — open it in a browser")
'''),
        md("""
分析结果也可以上图：结果图层叠加在镇（街道）、边界等底图图层上，图例和弹窗用统一词表的中文。

*Analysis results go on a map the same way, over context layers; legends and popups use the
words of the one vocabulary.*
"""),
        code('''
from hn_geo.workflows import targets as targets_flow

res = targets_flow.run(inputs, OUT / "targets", lang="zh").result
path = map_flow.result_map(inputs, res, OUT / "targets.html", lang="zh")
print(path)
'''),
        md("""
## 共享数据包 / Share package

图层可以是目录名（内置数据）或文件路径（如分析结果的 GeoPackage）。

*Layers are catalog names (embedded data) or file paths (e.g. result GeoPackages).*
"""),
        code('''
from hn_geo.workflows import share as share_flow

outcome = share_flow.run(inputs, OUT / "share" / "haining_demo.zip", lang="zh", results=[res],
                         layers=["towns", "sections"])
pd.DataFrame(outcome.result["layers"])[["name", "title", "feature_count", "bbox", "source"]]
'''),
        code('''
import zipfile

with zipfile.ZipFile(OUT / "share" / "haining_demo.zip") as zf:
    print("\\n".join(zf.namelist()))
    print(zf.read("SHA256SUMS").decode())
'''),
        code('''
# 读回并核对 / read it back: checksums verified, every feature and attribute restored
from hn_geo.render.share_read import read_share_package

back = read_share_package(OUT / "share" / "haining_demo.zip")
{name: len(gdf) for name, gdf in back.items()}
'''),
        md("*命令行 / CLI:* `hn-geo map --out maps/overview.html`, "
           "`hn-geo export towns sections --out share/demo.zip`"),
    ]


NOTEBOOKS = {
    "00_quickstart.ipynb": quickstart,
    "01_water.ipynb": water_nb,
    "02_zoning.ipynb": zoning_nb,
    "03_solar.ipynb": solar_nb,
    "04_targets.ipynb": targets_nb,
    "05_maps_and_export.ipynb": maps_export_nb,
}


def build(name):
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: reproducible files
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="Fail if notebooks/ differs from this script.")
    args = ap.parse_args(argv)
    NB_DIR.mkdir(exist_ok=True)
    stale = []
    for name in NOTEBOOKS:
        text = build(name)
        path = NB_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run scripts/make_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
