"""Every notebook in ``notebooks/`` runs top to bottom, small, and draws only labelled figures.

Each notebook is executed with nbclient in a kernel of *this* interpreter (a kernelspec is
written to a temporary folder, so no Jupyter installation or registered kernel is needed;
ipykernel comes with the test extra). Before running:

* a cell is inserted after the cell tagged ``parameters`` that sets small sizes
  (:data:`OVERRIDES`);
* a first cell selects matplotlib's Agg backend, so figures stay open instead of being
  closed by the inline backend after each cell.

A last cell then inspects every open figure: each axes that shows data needs a title (its
own or the figure's), x and y labels, and a legend or a colorbar. Notebooks must be
committed without outputs, and running one must not create files next to it. An axis
shared with a labelled neighbour (``sharey=True``) counts as labelled.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
KERNEL = "chainsim-test"
TIMEOUT = 300  # seconds per cell

# Small sizes per notebook (names must exist in the notebook's parameters cell).
OVERRIDES: dict[str, dict[str, object]] = {
    "01_quickstart": {"REPLICATIONS": 3, "HORIZON_DAYS": 240},
    "02_pathway_comparison": {"REPLICATIONS": 3, "HORIZON_DAYS": 300},
    "03_sensitivity_sweep": {"N_SAMPLES": 2, "HORIZON_DAYS": 200},
    "04_chokepoint_scan": {"DAYS": 60, "DURATION": 30},
    "05_bring_your_own_table": {"DAYS": 120},
}

SETUP = """\
import matplotlib
matplotlib.use("Agg")
matplotlib.rcParams["figure.max_open_warning"] = 0
"""

CHECK_FIGURES = """\
import json as _json
import matplotlib.pyplot as _plt


def _figure_problems():
    problems, n_axes = [], 0
    for num in _plt.get_fignums():
        fig = _plt.figure(num)
        suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
        for k, ax in enumerate(fig.axes):
            if ax.get_label() == "<colorbar>" or hasattr(ax, "_colorbar") or not ax.has_data():
                continue
            n_axes += 1
            where = f"figure {num} axes {k} ({ax.get_title() or suptitle or 'untitled'!r})"
            if not (ax.get_title() or ax.get_title("left") or ax.get_title("right") or suptitle):
                problems.append(f"{where}: no title")
            # an axis shared with a labelled neighbour (sharex/sharey) counts as labelled
            xs = [ax, *ax.get_shared_x_axes().get_siblings(ax)]
            ys = [ax, *ax.get_shared_y_axes().get_siblings(ax)]
            if not any(a.get_xlabel().strip() for a in xs):
                problems.append(f"{where}: no x-axis label")
            if not any(a.get_ylabel().strip() for a in ys):
                problems.append(f"{where}: no y-axis label")
            mappables = [*ax.images, *ax.collections]
            has_colorbar = any(getattr(m, "colorbar", None) is not None for m in mappables)
            if ax.get_legend() is None and not fig.legends and not has_colorbar:
                problems.append(f"{where}: no legend or colorbar")
    return problems, n_axes


_problems, _n_axes = _figure_problems()
print("FIGURE-CHECK " + _json.dumps({"axes": _n_axes, "problems": _problems}))
assert not _problems, "figures without title/labels/legend:\\n" + "\\n".join(_problems)
"""


@pytest.fixture(scope="session")
def jupyter_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data folder holding a kernelspec for this interpreter (works where only the venv exists)."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "chainsim (tests)", "language": "python",
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }))
    return root


def _code_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def _prepare(nb: nbformat.NotebookNode, overrides: dict[str, object]) -> nbformat.NotebookNode:
    params = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "expected exactly one cell tagged 'parameters'"
    names = set()
    for line in nb.cells[params[0]].source.splitlines():
        if "=" in line and not line.startswith((" ", "#")):
            names.add(line.split("=", 1)[0].strip())
    unknown = set(overrides) - names
    assert not unknown, f"overrides {sorted(unknown)} are not set in the parameters cell"
    cells = list(nb.cells)
    cells.insert(params[0] + 1, _code_cell("\n".join(f"{k} = {v!r}" for k, v in overrides.items())))
    cells.insert(0, _code_cell(SETUP))
    cells.append(_code_cell(CHECK_FIGURES))
    nb.cells = cells
    return nb


def test_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01_quickstart", "02_pathway_comparison", "05_bring_your_own_table"} <= names
    assert names <= set(OVERRIDES), f"add small-size overrides for {sorted(names - set(OVERRIDES))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_committed_clean(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"clear the outputs before committing (cells {with_outputs})"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "start with a title cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, jupyter_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))  # read when nbclient creates its kernel manager
    nb = _prepare(nbformat.read(path, as_version=4), OVERRIDES.get(path.stem, {}))
    before = {p.name for p in NB_DIR.iterdir()}
    client = nbclient.NotebookClient(nb, kernel_name=KERNEL, timeout=TIMEOUT, allow_errors=False,
                                     resources={"metadata": {"path": str(NB_DIR)}})
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError (with the traceback) on any failing cell
    seconds = time.perf_counter() - t0
    report = next(o.text for o in nb.cells[-1].outputs if o.get("name") == "stdout" and "FIGURE-CHECK" in o.text)
    check = json.loads(report.split("FIGURE-CHECK ", 1)[1])
    assert check["axes"] >= 1, "the notebook draws no figure"
    assert {p.name for p in NB_DIR.iterdir()} == before, "the notebook wrote files next to itself"
    print(f"{path.name}: {seconds:.1f} s, {check['axes']} axes checked")
