"""``chainsim.plots`` keeps its public names after the split into a package (users' notebooks import them)."""

from __future__ import annotations

import re
from pathlib import Path

import chainsim.plots as plots

ROOT = Path(__file__).resolve().parents[1]

#: ``chainsim.plots.__all__`` of the single module plots.py (main 1c3a9d2), before the split
NAMES_BEFORE_SPLIT = {
    "attribution_bars", "figure_style", "font_families", "loss_heatmap", "recovery_curves", "recovery_panels",
    "sector_label", "shock_windows", "short_name_en", "shorten", "text", "use_cjk_font",
}
SUBMODULES = {"attribution", "labels", "losses", "recovery", "style"}


def _used_names() -> set[str]:
    """Names taken from ``chainsim.plots`` by the notebooks, README, docs and the package's own modules."""
    files = [*ROOT.glob("notebooks/*.ipynb"), ROOT / "README.md", *ROOT.glob("docs/*.md"),
             *(ROOT / "src" / "chainsim").rglob("*.py")]
    used: set[str] = set()
    for f in files:
        s = f.read_text(encoding="utf-8")
        used |= set(re.findall(r"chainsim\.plots\.([A-Za-z_]\w*)", s))
        for names in re.findall(r"from chainsim\.plots import ([\w, ]+)", s):
            used |= {n.strip() for n in names.split(",") if n.strip()}
    return used - SUBMODULES


def test_public_names_unchanged():
    assert set(plots.__all__) == NAMES_BEFORE_SPLIT
    assert all(callable(getattr(plots, n)) for n in plots.__all__)


def test_every_name_users_take_from_chainsim_plots_exists():
    used = _used_names()
    assert {"recovery_curves", "loss_heatmap", "attribution_bars", "use_cjk_font", "_plt"} <= used
    assert not {n for n in used if not hasattr(plots, n)}


def test_each_plots_module_stays_under_350_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "src" / "chainsim" / "plots").glob("*.py")}
    assert set(sizes) == {"__init__.py"} | {f"{m}.py" for m in SUBMODULES}
    assert max(sizes.values()) < 350, sizes


def test_a_single_pathway_panel_keeps_its_title_inside_the_figure():
    """A new user's baseline-only episode figure had its title clipped at both edges (one 3.6-inch panel)."""
    from chainsim.data.toy import load_toy
    from chainsim.experiment.run import run_scenario
    from chainsim.plots import recovery_panels
    from chainsim.scenario.load import load_scenario

    spec = {"name": "a scenario with a long name, as the 2020 backcast has (COVID-19 in China)", "horizon_days": 30,
            "seed": 1, "replications": 2,
            "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3, "start": 5,
                             "duration": 6}],
            "pathways": {"compare": ["baseline"]}, "metrics": {"scope": ["R1"]}}
    run = run_scenario(load_scenario(spec, table=load_toy()))
    fig = recovery_panels(run, "R1")
    fig.canvas.draw()
    box = fig._suptitle.get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)


def test_the_loss_map_scale_is_symmetric_so_a_small_gain_looks_small():
    """A -0.44 % gain was drawn as dark as a 6.6 % loss (each half of the scale spanned its own extreme)."""
    from chainsim.plots.losses import loss_scale

    cmap, norm = loss_scale(-0.44, 6.6)
    assert cmap == "RdBu_r"
    assert norm(0.0) == 0.5 and norm(6.6) == 1.0 and norm(-6.6) == 0.0
    assert 0.45 < norm(-0.44) < 0.5  # pale blue, not the darkest
    cmap, norm = loss_scale(0.0, 3.0)
    assert cmap == "Reds" and norm(0.0) == 0.0 and norm(3.0) == 1.0
    cmap, norm = loss_scale(-2.0, 0.0)
    assert cmap == "Blues_r" and norm(-2.0) == 0.0 and norm(0.0) == 1.0


def test_a_scenario_with_a_calendar_is_drawn_against_dates():
    """An episode (calendar from 2020-01-01) was drawn against 'day since start of simulation'."""
    from chainsim.data.toy import load_toy
    from chainsim.experiment.run import run_scenario
    from chainsim.plots import recovery_curves, recovery_panels
    from chainsim.scenario.load import load_scenario

    spec = {"name": "dated", "horizon_days": 60, "seed": 1, "replications": 2, "calendar": {"start": "2020-01-01"},
            "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3,
                             "start": "2020-01-10", "duration": 6}],
            "pathways": {"compare": ["baseline"]}, "metrics": {"scope": ["R1"]}}
    run = run_scenario(load_scenario(spec, table=load_toy()))
    ax = recovery_curves(run, "R1")
    ax.figure.canvas.draw()
    assert "2020-01-01" in ax.get_xlabel()
    fmt = ax.xaxis.get_major_formatter()
    assert fmt(31, 0) == "2020-02-01" and fmt(0, 0) == "2020-01-01"
    assert "by policy pathway" not in ax.get_title()  # the baseline alone compares nothing
    fig = recovery_panels(run, "R1")
    assert all("2020-01-01" in a.get_xlabel() for a in fig.axes if a.get_xlabel())
    undated = run_scenario(load_scenario({k: v for k, v in spec.items() if k != "calendar"} | {
        "disruptions": [{**spec["disruptions"][0], "start": 9}]}, table=load_toy()))
    assert recovery_curves(undated, "R1").get_xlabel() == "day since start of simulation 模拟天数"
