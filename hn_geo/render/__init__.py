"""Outputs: codes and numbers of the analyses' results turned into files in one language.

Modules
-------
``tables``      :func:`~hn_geo.render.tables.present` (codes, messages, booleans -> words),
                CSV (UTF-8 with BOM), XLSX of result tables
``xlsx``        the one XLSX sheet writer (headers, widths, number formats, status colours
                from codes, conditional formats)
``workbook``    the report workbook (summary of typed key figures, a sheet per table)
``outputs``     :func:`~hn_geo.render.outputs.write_result`: one result's CSV/XLSX/GeoPackage
``console``     console lines of a result (figures, compact tables, notes, files written)
``maps``        interactive offline HTML maps (package: page, layers, styles, legends, ...)
``share``       share packages (GeoJSON or GeoParquet, GeoPackage, QGIS project and styles,
                field dictionaries, README, checksums); ``share_read`` reads them back
``qgis_*``      QGIS styles of share layers read from the maps' styles (``qgis_looks``,
                ``qgis_styles``), written as QML/SLD (``qgis_xml``), the ``.qgz`` project and
                the GeoPackage's ``layer_styles`` table (``qgis_project``)
``dashboard``   ``index.html`` of a run: key-figure cards and plain SVG charts
                (``dashboard_charts``, ``dashboard_svg``), offline
``palette``     colours of codes: the vocabulary's status table, map palettes of families
``labels``      labels and titles of columns and layers by where they come from
``writers``     GeoJSON (RFC 7946), GeoPackage, GeoParquet writers
``offline``     inlining of every script and stylesheet of a map
``plots``       charts (the solar supply curve)

Every word comes from :mod:`hn_geo.vocabulary`; outputs never import the input side
(:mod:`hn_geo.ground`) or an analysis: :mod:`hn_geo.workflows` hands them what to write.
"""
