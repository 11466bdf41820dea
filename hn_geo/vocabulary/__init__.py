"""The one vocabulary: codes -> Chinese or English words, status codes -> colours.

Every user-facing word of hn_geo is in one data file, ``hn_geo/data/labels.yaml``, zh and
en side by side, in blocks: ``common`` (status codes, units, yes/no, shared value
families), then one block per part of the house (``ground``, ``water``, ``zoning``,
``solar``, ``targets``, ``render``, ``pipeline``). A block may hold

=============  ============================================================================
``title``      the analysis' title
``layers``     layer code -> title
``tables``     table code -> title (``sheet``: a short workbook sheet name, <= 31 chars)
``columns``    column -> label (a block's labels override ``common``'s for its tables)
``values``     family -> code -> word (coded columns, e.g. ``section_type: provincial``)
``figures``    key-figure code -> label
``messages``   message code -> template (Python ``str.format`` placeholders)
``words``      other words of the outputs (headings, console lines)
=============  ============================================================================

Codes are addressed as ``'<block>.<code>'`` (``'water.no_upstream_source'``); a code
without a dot is looked up in ``common``. Analyses never import this module (the
import-linter contract in ``pyproject.toml``); the readers use it to recognise Chinese or
English headers and category words, the outputs to write words.

Examples
--------
>>> from hn_geo import vocabulary as v
>>> v.word("status", "not_met", "zh"), v.word("status", "not_met", "en")
('未达标', 'not met')
>>> v.status_style("fail")["colour"]
'#d73027'
"""
from hn_geo.vocabulary.check import has_cjk, problems  # noqa: F401
from hn_geo.vocabulary.text import (  # noqa: F401
    display_path,
    figure_label,
    figure_value,
    format_number,
    join,
    message,
    placeholders,
    render,
    render_problem,
    ui,
)
from hn_geo.vocabulary.words import (  # noqa: F401
    BLOCKS,
    KINDS,
    VocabularyError,
    code_of,
    entry,
    has,
    has_family,
    label,
    load,
    sheet_name,
    status_style,
    title,
    unit,
    word,
    words,
)
