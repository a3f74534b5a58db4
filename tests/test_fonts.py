"""Figures that read in Chinese without any system font (issue 20)."""

import subprocess
import sys
import textwrap

from chainsim.fonts import CJK_FAMILY, font_path

PROBE = textwrap.dedent('''
    import sys, warnings
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    import chainsim.plots as plots

    title = "Changchun automotive lockdown (长春汽车封控): 辽宁 吉林 黑龙江 卡链 断链 堵链"
    assert not any(f.name == "Chainsim Sans SC" for f in font_manager.fontManager.ttflist), "registered at import"
    system_cjk = any(f.name in ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "SimHei")
                     for f in font_manager.fontManager.ttflist)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if sys.argv[1] == "bundled":
            with plots.figure_style():
                fig, ax = plt.subplots()
                ax.set_title(title)
                ax.set_xticks([0, 1], ["辽宁 LN", "吉林 JL"])
                fig.savefig(sys.argv[2], format="png")
        else:
            fig, ax = plt.subplots()
            ax.set_title(title)
            fig.savefig(sys.argv[2], format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    print("MISSING", len(missing), "SYSTEM_CJK", int(system_cjk))
''')


def _probe(tmp_path, mode):
    env = {"MPLCONFIGDIR": str(tmp_path / "mpl"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", PROBE, mode, str(tmp_path / f"{mode}.png")], capture_output=True,
                         text=True, env=env, check=True).stdout
    fields = out.split()
    return int(fields[fields.index("MISSING") + 1]), bool(int(fields[fields.index("SYSTEM_CJK") + 1]))


def test_bundled_font_is_small_and_licensed():
    path = font_path()
    assert path.is_file() and path.stat().st_size < 2.5e6
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") == 1
    assert (path.parent / "PROVENANCE.md").is_file()


def test_chinese_title_renders_with_no_missing_glyph_in_a_fresh_font_cache(tmp_path):
    missing, _ = _probe(tmp_path, "bundled")
    assert missing == 0
    assert (tmp_path / "bundled.png").stat().st_size > 5_000


def test_without_the_bundled_font_glyphs_go_missing(tmp_path):
    """The control: the probe can fail (on a machine with no CJK system font)."""
    missing, system_cjk = _probe(tmp_path, "plain")
    assert missing > 0 or system_cjk


def test_bundled_font_covers_every_name_the_package_draws():
    from fontTools.ttLib import TTFont

    from chainsim.data.datasets import load_dataset
    from chainsim.pathways.registry import PATHWAYS

    cmap = TTFont(str(font_path()))["cmap"].getBestCmap()
    table = load_dataset("northeast-2017")
    names = [s.name_zh for s in table.sectors] + [r.name_zh for r in table.regions]
    names += [p.name_zh for p in PATHWAYS.values()] + ["卡链断链堵链卡脖子清单冲击期恢复区间"]
    absent = {c for n in names for c in n if ord(c) > 0x7F and ord(c) not in cmap}
    assert not absent
    assert TTFont(str(font_path()))["name"].getDebugName(1) == CJK_FAMILY
