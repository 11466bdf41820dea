"""Hand-made statistics shared by the targets tests."""

ENERGY_HEADER = ["town", "year", "gdp_wan", "energy_tce", "renewable_new", "national_listed_tce",
                 "raw_material_tce"]
# 许村镇 (basic 19 %, incentive 20 %) reported for 2025.
HAND = [
    ("许村镇", 2020, 100000, 50000, 0, 0, 5000),
    ("许村", 2021, 110000, 52000, 500, 0, 5000),   # a name variant on purpose
    ("许村镇", 2022, 120000, 54000, 500, 0, 5000),
    ("许村镇", 2023, 130000, 56000, 500, 3000, 5000),
    ("许村镇", 2024, 140000, 58000, 500, 3000, 5000),
    ("许村镇", 2025, 150000, 60000, 500, 3000, 5000),
]
