"""Generate the embedded demo statistics of ``hn-geo targets report`` (SYNTHETIC).

Writes ``layers/stats/{town_energy,reduction_projects,reduction_allocations,indicators}.csv``
(UTF-8 with BOM, Chinese headers). Every number is drawn from a seeded random generator around
design choices stated below, so that the report shows every status the analysis can give; none is
a measurement. Each row carries the note "合成演示数据 synthetic" and ``layers/SOURCES.md``
documents the files.

Design (reporting year 2024, 80 % of the 2020-2025 period elapsed, linear pro-rating):

* town_energy 2020-2024: GDP 2020 ~ lognormal around 80 亿元 per town, real growth ~6 %/a;
  2020 intensity ~0.42 tce/万元. Each town gets a 2024 intensity cut relative to its 附件1 targets:
  ``incentive`` (already beyond the 2025 incentive target), ``exempt`` (beyond the pro-rated
  incentive target, so exempt from the total check), ``on_track`` (beyond the pro-rated basic
  target) or ``behind``; the yearly path to it is split by Dirichlet weights. 丁桥镇 carries a
  nationally listed project from 2023 and 黄湾镇/袁花镇 raw-material energy (chemicals), so the
  deductions show; every town adds some renewable electricity each year.
* reduction_projects 2021-2024: per pollutant a total around a design share of the city target
  (NOx ahead, VOCs behind, COD and NH3-N on track), split into projects by Dirichlet weights,
  random towns and measures; plus two double counts (a project id listed twice, and the same
  enterprise + pollutant + measure filed again under a new id) that the analysis must exclude.
* reduction_allocations: each city target split over the towns by Dirichlet weights; towns are
  written with short names (许村, 硖石) to show the name matching.
* indicators 2020-2024: for targets with a plan baseline (附件2) or a synthetic 2020 value, the
  2024 value is baseline + (target - baseline) * 0.8 * a design performance factor
  (ahead 1.3 / on track 1.05 / behind 0.6) with seeded noise.

Usage: ``python scripts/make_demo_stats.py [--out layers/stats]`` (deterministic).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.ground.plan import load_targets, town_targets
from hn_geo.render.tables import write_csv

SEED = 20211
NOTE = "合成演示数据 synthetic demo (scripts/make_demo_stats.py, seed 20211)"
YEARS = list(range(2020, 2025))
REPORT_YEAR = 2024

# design class of each town (see docstring)
TOWN_CLASS = {
    "许村镇": "incentive", "海昌街道": "incentive",
    "长安镇": "exempt", "斜桥镇": "exempt", "硖石街道": "exempt",
    "周王庙镇": "on_track", "盐官镇": "on_track", "丁桥镇": "on_track", "海洲街道": "on_track",
    "黄湾镇": "behind", "马桥街道": "behind", "袁花镇": "behind",
}
NATIONAL_LISTED = {"丁桥镇": (2023, 42000.0)}        # town: (first year, tce/a)
RAW_MATERIAL = {"黄湾镇": 65000.0, "袁花镇": 18000.0}  # tce/a in 2020, grows with GDP

MEASURES = {
    "NOx": ["燃气锅炉低氮燃烧改造", "SCR脱硝提标改造", "燃煤锅炉淘汰关停", "工业炉窑清洁能源替代"],
    "VOCs": ["低VOCs含量涂料源头替代", "RTO蓄热燃烧治理设施", "活性炭吸附升级改造", "LDAR泄漏检测与修复",
             "涉VOCs绿岛集中治理"],
    "COD": ["城镇污水处理厂清洁排放改造", "印染废水提标改造", "工业园区污水零直排区建设", "畜禽养殖粪污治理"],
    "NH3-N": ["城镇污水处理厂清洁排放改造", "农村生活污水治理提标", "畜禽养殖粪污治理"],
}
POLLUTANT_ZH = {"NOx": "氮氧化物", "VOCs": "挥发性有机物", "COD": "化学需氧量", "NH3-N": "氨氮"}
POLLUTANT_CODE = {"NOx": "nox", "VOCs": "vocs", "COD": "cod", "NH3-N": "nh3n"}  # plan_targets.yaml -> codes
# share of the city target reached by 2024 (0.8 = exactly on the linear path)
REDUCTION_SHARE = {"NOx": 1.06, "VOCs": 0.66, "COD": 0.87, "NH3-N": 0.84}
N_PROJECTS = {"NOx": 10, "VOCs": 18, "COD": 9, "NH3-N": 6}

# indicators: target id -> (synthetic 2020 value or None to use the plan baseline, performance)
INDICATORS = {
    "a2_thermal_power_coal_rate": (None, 1.05),
    "a2_non_fossil_share": (None, 1.05),
    "a2_cement_clinker_energy": (None, 0.6),
    "a2_pta_energy": (None, 1.3),
    "a2_green_building_share": (None, 1.3),
    "a2_building_renewable_rate": (None, 0.6),
    "a2_bus_nev_rate": (None, 1.05),
    "a2_public_energy_per_area": (None, 1.3),
    "a2_public_energy_per_capita": (None, 0.6),
    "coal_total": (124.0, 1.05),
    "pv_capacity": (96.0, 1.05),
    "industry_energy_intensity_cut": (0.0, 1.05),
    "industry_water_intensity_cut": (0.0, 0.6),
    "new_energy_buses_purchased": (0.0, 1.05),
    "rooftop_pv_households": (0.0, 1.3),
    "rural_sewage_coverage": (93.0, 1.3),
    "straw_utilisation": (95.2, 1.05),
    "sewer_network_km": (0.0, 1.05),
    "solvent_coating_share_cut": (0.0, 0.6),
}


def town_energy(rng):
    tt = town_targets()
    rows = []
    for _, t in tt.iterrows():
        town = t["town"]
        cls = TOWN_CLASS[town]
        g0 = float(np.round(rng.lognormal(np.log(8.0e5), 0.35), -2))     # 万元
        i0 = float(rng.normal(0.42, 0.06))                                  # tce/万元
        growth = rng.normal(0.06, 0.012, size=4)
        gdp = g0 * np.concatenate([[1.0], np.cumprod(1 + growth)])
        b, inc = t["target_basic"], t["target_incentive"]
        pb, pi = 0.8 * b, 0.8 * inc
        cut = {"incentive": inc + rng.uniform(0.4, 1.5),
               "exempt": rng.uniform(pi + 0.2, b - 0.2),
               "on_track": rng.uniform(pb + 0.2, pi - 0.2),
               "behind": pb - rng.uniform(2.0, 5.0)}[cls] / 100.0
        w = rng.dirichlet(np.full(4, 4.0))
        factors = np.exp(np.concatenate([[0.0], np.cumsum(w * np.log(1 - cut))]))
        e_int = gdp * i0 * factors
        raw0 = RAW_MATERIAL.get(town, 0.0)
        for k, y in enumerate(YEARS):
            nat = 0.0
            if town in NATIONAL_LISTED and y >= NATIONAL_LISTED[town][0]:
                nat = NATIONAL_LISTED[town][1] * rng.uniform(0.9, 1.1)
            raw = raw0 * gdp[k] / g0 * rng.uniform(0.95, 1.05) if raw0 else 0.0
            ren = 0.0 if y == 2020 else float(rng.uniform(800, 4500))
            rows.append({"镇（街道）": town, "年份": y,
                         "地区生产总值（可比价，万元）": round(gdp[k], 0),
                         "能源消费总量（吨标准煤）": round(e_int[k] + nat + raw, 0),
                         "新增可再生能源电力消费量（吨标准煤）": round(ren, 0),
                         "国家能耗单列项目能耗（吨标准煤）": round(nat, 0),
                         "原料用能（吨标准煤）": round(raw, 0),
                         "备注": NOTE})
    return pd.DataFrame(rows)


def reduction_projects(rng, targets):
    tt = town_targets()
    towns = list(tt["town"])
    value = targets.set_index("pollutant")["value"].rename(index={v: k for k, v in POLLUTANT_CODE.items()})
    rows = []
    n = 0
    for pol in ("NOx", "VOCs", "COD", "NH3-N"):
        total = value[pol] * REDUCTION_SHARE[pol] * rng.uniform(0.98, 1.02)
        sizes = rng.dirichlet(np.full(N_PROJECTS[pol], 2.0)) * total
        for s in sizes:
            n += 1
            point = int(rng.integers(1, 60))
            rows.append({"项目编号": f"JP{2021 + n % 4}-{n:03d}", "排放源编号": f"HN-E{point:03d}",
                         "企业名称": f"演示企业{point:03d}（合成）",
                         "镇（街道）": towns[int(rng.integers(0, len(towns)))],
                         "污染物": POLLUTANT_ZH[pol],
                         "减排量（吨）": round(float(s), 2),
                         "年份": int(rng.integers(2021, 2025)),
                         "减排措施": MEASURES[pol][int(rng.integers(0, len(MEASURES[pol])))],
                         "备注": NOTE})
    df = pd.DataFrame(rows)
    # double count 1: a VOCs project listed again (same id) in another town's return
    a = df[df["污染物"] == "挥发性有机物"].iloc[0].copy()
    a["镇（街道）"] = towns[(towns.index(a["镇（街道）"]) + 1) % len(towns)]
    # double count 2: same enterprise, pollutant and measure filed again a year later, new id
    b = df[df["污染物"] == "氮氧化物"].iloc[1].copy()
    b["项目编号"] = f"JP{min(int(b['年份']) + 1, 2024)}-{n + 1:03d}"
    b["年份"] = min(int(b["年份"]) + 1, 2024)
    return pd.concat([df, pd.DataFrame([a, b])], ignore_index=True)


def allocations(rng, targets):
    towns = list(town_targets()["town"])
    value = targets.set_index("pollutant")["value"].rename(index={v: k for k, v in POLLUTANT_CODE.items()})
    rows = []
    for pol in ("NOx", "VOCs", "COD", "NH3-N"):
        w = rng.dirichlet(np.full(len(towns), 3.0))
        for town, x in zip(towns, w):
            # short names (许村, 硖石 ...) as bureau sheets often write them: the report maps
            # them to the official names and lists the mapping
            short = town[:-2] if town.endswith("街道") else town[:-1]
            rows.append({"镇（街道）": short, "污染物": POLLUTANT_ZH[pol],
                         "分配减排量（吨）": round(float(value[pol] * x), 1), "备注": NOTE})
    return pd.DataFrame(rows)


def indicators(rng, targets):
    t = targets.set_index("id")
    rows = []
    for tid, (v2020, perf) in INDICATORS.items():
        target = float(t.loc[tid, "value"])
        base = float(t.loc[tid, "baseline_value"]) if v2020 is None else v2020
        for y in YEARS:
            frac = (y - 2020) / 5
            noise = 1.0 + (rng.normal(0, 0.04) if y > 2020 else 0.0)
            val = base + (target - base) * frac * perf * noise
            digits = 0 if t.loc[tid, "unit"] in ("辆",) else 2
            if t.loc[tid, "unit"] == "%":
                val = min(val, 100.0)
            rows.append({"指标编号": tid, "指标名称": t.loc[tid, "name"], "年份": y,
                         "实际值": round(val, digits), "单位": t.loc[tid, "unit"], "备注": NOTE})
    return pd.DataFrame(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "layers" / "stats"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    rng = np.random.default_rng(SEED)
    targets = load_targets()
    red_t = targets[targets["topic"] == "pollutant"]
    files = {"town_energy": town_energy(rng),
             "reduction_projects": reduction_projects(rng, red_t),
             "reduction_allocations": allocations(rng, red_t),
             "indicators": indicators(rng, targets)}
    for name, df in files.items():
        write_csv(df, out / f"{name}.csv")
        print(f"{out / name}.csv: {len(df)} rows")


if __name__ == "__main__":
    main()
