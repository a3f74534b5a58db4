"""The scan's import heat map on a small constructed ranking: which rows it shows, in which order, and how.

A new user's ``heatmap_imports.png`` (main 9f75d8a, ``chainsim scan --kinds imports,links,nodes``) ranked
its rows by ``pivot.fillna(0).sum(axis=1)``: 18 of the "top 25" rows were services that the scan
had not simulated (NaN losses, drawn near-white, reading as zero), and simulated products whose cut
brings a gain (KOR 12 chemicals -2.6 bn, RUS 03 crude oil -1.2 bn) fell off the figure.
"""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from chainsim.scan.outputs import heatmap_imports, heatmap_rows
from chainsim.scan.run import ScanResult

#: (product, origin, loss_cny, effect): NaN loss = the target was not simulated (screened) or crashed
ROWS = [
    ("01", "JPN", 5.0e9, "ranked"),
    ("01", "KOR", 1.0e9, "ranked"),
    ("12", "KOR", -2.6e9, "gain"),       # chemicals: a gain, larger in magnitude than 03's loss
    ("03", "RUS", -1.2e9, "gain"),       # crude oil: a gain ...
    ("03", "JPN", 0.5e9, "ranked"),      # ... and a loss: |effect| 1.7 bn
    ("30", "JPN", np.nan, "screened: service or building work (deferrable)"),   # not simulated
    ("31", "KOR", np.nan, "screened: service or building work (deferrable)"),
    ("31", "JPN", np.nan, "screened: service or building work (deferrable)"),
    ("07", "JPN", 0.3e9, "ranked"),
    ("07", "RUS", np.nan, "crashed"),   # one cell of a shown row without a loss
    ("09", "ROW", 0.0, "no measurable effect"),  # simulated, no effect: a true zero, ranked last
]
NAMES = {"01": ("农业", "Agriculture"), "03": ("石油和天然气开采产品", "Crude petroleum and natural gas"),
         "07": ("纺织品", "Textiles"), "09": ("木材加工品", "Wood products"),
         "12": ("化学产品", "Chemical products"), "30": ("批发和零售", "Wholesale and retail trade"),
         "31": ("交通运输", "Transport")}


def _imports() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["product", "origin", "loss_cny", "effect"])
    df["kind"] = "imports"
    df["name_zh"] = [NAMES[p][0] for p in df["product"]]
    df["name_en"] = [NAMES[p][1] for p in df["product"]]
    return df


def _result(df: pd.DataFrame) -> ScanResult:
    targets = tuple(SimpleNamespace(kind="imports", origin=o) for o in df.origin)
    settings = {"scope": "LN", "share": 1.0, "duration": 90.0, "import_regions": "NE", "kinds": ["imports"]}
    return ScanResult(ranking=df, prescreen=pd.DataFrame(), correlations=pd.DataFrame(), output=np.zeros((len(df), 1)),
                      baseline=np.zeros(1), targets=targets, settings=settings,
                      provenance={"money": {"currency": "CNY", "per_unit": 1e4, "unit": "10k CNY"}})


def test_rows_are_ranked_by_the_magnitude_of_simulated_losses_and_leave_out_the_not_simulated():
    # |effect| summed over origins: 01 6.0, 12 2.6, 03 1.7, 07 0.3, 09 0.0 bn; 30 and 31 have no simulated loss
    assert list(heatmap_rows(_imports())) == ["01", "12", "03", "07", "09"]
    assert list(heatmap_rows(_imports(), top=3)) == ["01", "12", "03"]


def test_rows_with_gains_only_are_not_pushed_below_unsimulated_ones():
    df = _imports()
    df = df[df["product"].isin(["12", "30", "31"])]
    assert list(heatmap_rows(df)) == ["12"]


@pytest.mark.filterwarnings("ignore::UserWarning")  # glyphs missing from a fallback font, if any
def test_the_figure_shows_those_rows_and_marks_the_cells_without_a_loss():
    from chainsim.plots import _plt

    ax = heatmap_imports(_result(_imports()), top=25)
    try:
        labels = [t.get_text().split()[0] for t in ax.get_yticklabels()]
        assert labels == ["01", "12", "03", "07", "09"]
        # the cell 07 <- RUS (a crashed run) is hatched, the cells of products not imported from an origin are not
        hatched = [p for p in ax.patches if p.get_hatch()]
        origins = [t.get_text() for t in ax.get_xticklabels()]
        assert [(round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in hatched] == [(3, origins.index("RUS"))]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("not simulated" in t for t in legend) and any("not imported" in t for t in legend)
        # the two products left out are counted on the figure
        assert "2 imported products not simulated" in ax.get_xlabel()
        # values are written in the cells of the gains, not only of the losses
        texts = {t.get_text() for t in ax.texts}
        assert {"-2.6", "-1.2"} <= texts
    finally:
        _plt().close(ax.figure)
