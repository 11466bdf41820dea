"""Inputs: the layer catalog, readers of every input file, validation, town names, CRS.

Everything a workflow reads enters here and leaves as validated frames in a known CRS (or plain
objects: a rule mapping, a weather year, a raster): :mod:`.catalog` (layer schemas),
:mod:`.readers` (vector files), :mod:`.tables` (CSV/XLSX, every sheet), :mod:`.encodings`
(Shapefile text checked against its .cpg), :mod:`.validate` (types, range rules), :mod:`.aoi`
(the area of interest every layer is checked against), :mod:`.towns`, :mod:`.inputs`
(the user's files or the embedded defaults), and one reader per kind of input
(:mod:`.water_results` with :mod:`.water_columns`, :mod:`.stats`, :mod:`.plan`, :mod:`.rules`, :mod:`.projects`,
:mod:`.weather`, :mod:`.rasters`, :mod:`.yamlfile`).
"""
