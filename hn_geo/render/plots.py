"""Static charts (matplotlib, Agg backend) for the analyses' outputs.

Every word comes from the vocabulary (``hn_geo/data/labels.yaml``). Chinese labels need a CJK
font; when none is installed the charts fall back to English labels rather than printing
empty boxes.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

from hn_geo import vocabulary
from hn_geo.core.files import atomic_path

_CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Sarasa Gothic SC",
              "AR PL UMing CN", "Droid Sans Fallback")
NEED_COLOUR = "#1b9e77"
CURVE_COLOUR = "#d95f02"
STEP_POINTS = 4000
"""Most vertices of the drawn supply curve (a wider curve is sampled evenly, the last kept)."""


def cjk_font():
    """Name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for n in _CJK_NAMES:
        if n in names:
            return n
    return None


def _figure_values(result, *codes):
    found = {f.code: f.value for f in result.figures}
    return [float(found.get(c) or 0) for c in codes]


def _need_marker(ax, cum, spec, need, target, installed, word):
    ax.axvline(need, color=NEED_COLOUR, ls="--", lw=1.4,
               label=word("plot_need", need=need, target=target, installed=installed))
    if len(cum) and cum[-1] >= need:
        k = int(np.searchsorted(cum, need))
        ax.plot([need], [spec[k]], "o", color=NEED_COLOUR)
        ax.annotate(word("plot_building", n=k + 1), (need, spec[k]), textcoords="offset points",
                    xytext=(6, 8))


def _steps(cum, spec, most=STEP_POINTS):
    """Vertices of the step line: every building, or (above ``most``) every k-th building and
    the last one -- a million steps drawn 1,000 pixels wide look the same, in a fraction of
    the time."""
    if len(cum) > most:
        keep = np.unique(np.append(np.linspace(0, len(cum) - 1, most).astype(np.int64), len(cum) - 1))
        cum, spec = cum[keep], spec[keep]
    return np.concatenate([[0.0], cum]), np.concatenate([spec[:1], spec])


def _pyplot(lang):
    """pyplot on the Agg backend, the rc settings of the font and a word lookup; Chinese
    labels need a CJK font, without one the chart is in English."""
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt  # after choosing the backend

    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and font is None:
        lang = "en"

    def word(code, **params):
        return vocabulary.ui(code, lang, scope="solar", **params)

    rc = {"font.sans-serif": [font, "DejaVu Sans"], "axes.unicode_minus": False} if font else {}
    return plt, rc, word


def _save(plt, fig, path):
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path


def supply_curve_png(result, path, *, lang="zh"):
    """Draw the rooftop-PV supply curve of a solar :class:`~hn_geo.core.results.AnalysisResult`.

    Buildings ranked by specific yield ([kWh/kWp], y) against cumulative capacity ([MW], x),
    with the capacity still needed for the plan's target (figure ``solar.need_mw``) marked.

    Parameters
    ----------
    result : AnalysisResult
        From :func:`hn_geo.solar.rooftop_potential`.
    path : str or Path
        PNG to write (atomically).
    lang : {'zh', 'en'}
        Chinese labels need a CJK font; without one English is used.

    Returns
    -------
    pathlib.Path
    """
    plt, rc, word = _pyplot(lang)
    layer = result.layers["buildings"]
    ranked = layer[layer["supply_rank"] > 0].sort_values("supply_rank")
    cum = ranked["cum_mw"].to_numpy(dtype=float)
    spec = ranked["kwh_per_kwp"].to_numpy(dtype=float)
    need, target, installed = _figure_values(result, "solar.need_mw", "solar.target_mw", "solar.installed_mw")
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(9, 5.2), dpi=120)
        if len(cum):
            x, y = _steps(cum, spec)
            ax.step(x, y, where="pre", color=CURVE_COLOUR, lw=1.8, label=word("plot_curve"))
        if need > 0:
            _need_marker(ax, cum, spec, need, target, installed, word)
        ax.set_xlabel(word("plot_x"))
        ax.set_ylabel(word("plot_y"))
        ax.set_title(word("plot_title"))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left")
        return _save(plt, fig, path)


def lcoe_curve_png(result, path, *, lang="zh"):
    """Draw the LCOE supply curve of a solar result: buildings ranked by LCOE ([元/kWh], y)
    against cumulative capacity ([MW], x), with the export price and the capacity still
    needed for the plan's target marked.

    Parameters
    ----------
    result : AnalysisResult
        With the ``buildings`` layer column ``lcoe_yuan_kwh`` (:func:`hn_geo.solar.programme.programme`).
    path : str or Path
    lang : {'zh', 'en'}

    Returns
    -------
    pathlib.Path
    """
    plt, rc, word = _pyplot(lang)
    layer = result.layers["buildings"]
    lcoe = layer["lcoe_yuan_kwh"].to_numpy(dtype=float)
    kwp = layer["kwp"].to_numpy(dtype=float)
    ok = np.isfinite(lcoe) & (kwp > 0)
    order = np.argsort(lcoe[ok], kind="stable")
    cum = np.cumsum(kwp[ok][order]) / 1000.0
    y = lcoe[ok][order]
    need = _figure_values(result, "solar.need_mw")[0]
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(9, 5.2), dpi=120)
        if len(cum):
            ax.step(np.concatenate([[0.0], cum]), np.concatenate([y[:1], y]), where="pre", color=CURVE_COLOUR,
                    lw=1.8, label=word("lcoe_plot_curve"))
        if need > 0 and len(cum) and cum[-1] >= need:
            ax.axvline(need, color=NEED_COLOUR, ls="--", lw=1.4, label=word("lcoe_plot_need", need=need))
        ax.set_xlabel(word("plot_x"))
        ax.set_ylabel(word("lcoe_plot_y"))
        ax.set_title(word("lcoe_plot_title"))
        ax.grid(alpha=0.3)
        if len(cum):
            ax.legend(loc="upper left")
        return _save(plt, fig, path)
