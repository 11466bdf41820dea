"""Static charts (matplotlib, Agg backend) for the analyses' outputs.

Chinese labels need a CJK font; when none is installed the charts fall back
to English labels rather than printing empty boxes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

_CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Sarasa Gothic SC",
              "AR PL UMing CN", "Droid Sans Fallback")


def cjk_font():
    """Name of an installed font that can draw Chinese, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for n in _CJK_NAMES:
        if n in names:
            return n
    return None


def _text(lang, zh, en):
    return zh if lang == "zh" else en


def supply_curve_png(result, path, lang="zh"):
    """Draw the rooftop-PV supply curve of a solar :class:`~hn_geo.results.AnalysisResult`.

    Buildings ranked by specific yield (kWh/kWp, y) against cumulative capacity
    (MW, x), with the capacity still needed for the plan's target
    (``summary['need_mw']``) marked.

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
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from hn_geo.core.files import atomic_path

    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and font is None:
        lang = "en"
    layer = result.layers["buildings"]
    ranked = layer[layer["supply_rank"] > 0].sort_values("supply_rank")
    cum = ranked["cum_mw"].to_numpy(dtype=float)
    spec = ranked["kwh_per_kwp"].to_numpy(dtype=float)
    s = result.summary
    rc = {"font.sans-serif": [font, "DejaVu Sans"], "axes.unicode_minus": False} if font else {}
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(9, 5.2), dpi=120)
        if len(cum):
            x = np.concatenate([[0.0], cum])
            y = np.concatenate([spec[:1], spec])
            ax.step(x, y, where="pre", color="#d95f02", lw=1.8,
                    label=_text(lang, "屋顶光伏供给曲线", "rooftop PV supply curve"))
        need = float(s.get("need_mw", 0) or 0)
        target = float(s.get("target_mw", 0) or 0)
        installed = float(s.get("installed_mw", 0) or 0)
        if need > 0:
            ax.axvline(need, color="#1b9e77", ls="--", lw=1.4,
                       label=_text(lang, f"尚需装机 {need:,.0f} MW（目标 {target:,.0f} − 已装 {installed:,.0f}）",
                                   f"still needed {need:,.0f} MW (target {target:,.0f} − installed {installed:,.0f})"))
            if len(cum) and cum[-1] >= need:
                k = int(np.searchsorted(cum, need))
                ax.plot([need], [spec[k]], "o", color="#1b9e77")
                ax.annotate(_text(lang, f"第 {k + 1:,} 栋建筑", f"building #{k + 1:,}"), (need, spec[k]),
                            textcoords="offset points", xytext=(6, 8))
        ax.set_xlabel(_text(lang, "累计装机容量 (MW)", "cumulative capacity (MW)"))
        ax.set_ylabel(_text(lang, "单位容量年发电量 (kWh/kWp)", "specific yield (kWh/kWp)"))
        ax.set_title(_text(lang, "海宁市屋顶光伏供给曲线（按单位发电量排序）",
                           "Haining rooftop PV supply curve (ranked by specific yield)"))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left")
        fig.tight_layout()
        path = Path(path)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
        plt.close(fig)
    return path
