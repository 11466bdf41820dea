"""The bottom of the house: types and helpers every other part of hn_geo may use.

Nothing here imports another hn_geo package. :mod:`.results` holds the result model the
analyses return (tables with status *codes*, typed key figures, notes as message codes),
:mod:`.status` the status codes, :mod:`.errors` the exceptions and warnings (codes plus
parameters, rendered into words by :mod:`hn_geo.vocabulary`), :mod:`.settings` the
package-wide constants, :mod:`.files` atomic writes and :mod:`.crs` the GCJ-02 arithmetic.
"""
