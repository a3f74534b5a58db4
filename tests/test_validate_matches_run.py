"""One validation path: whatever ``run`` refuses or crashes on, ``validate`` refuses first (issue #19 item 4).

Each mismatch the issue lists is a case below: on 30b9e04 ``validate`` passed every one of
them while ``run`` crashed with a traceback (NaN/inf/1e308 durations, extra_lead_days 1e9,
a lognormal sigma of 50), refused after loading (bad params, unknown rebuilding sector,
drawn shares or starts out of range) or silently bent the value (negative or NaN recovery
days taken as instant, negative lead days as 0, ``replications: true`` as 1).
"""

import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.cli import main
from chainsim.errors import ChainsimError, ScenarioError
from chainsim.experiment.preflight import MemoryEstimate, estimate_memory, preflight
from chainsim.experiment.run import replication_seeds, run_pathway
from chainsim.scenario.load import load_scenario

BASE = {
    "name": "LN steel outage", "horizon_days": 60, "seed": 1, "replications": 2,
    "disruptions": [{"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.3, "start": 5,
                     "duration": 10, "recovery": {"curve": "linear", "days": 30}}],
    "pathways": {"compare": ["baseline"]},
}
CONGESTION = {"type": "congestion", "from_region": "KOR", "to_region": "LN", "throughput_loss": 0.5,
              "extra_lead_days": 5, "start": 5, "duration": 10}


def _with(path: tuple, value, disruption=None):
    sc = yaml.safe_load(yaml.safe_dump(BASE))
    if disruption is not None:
        sc["disruptions"] = [dict(disruption)]
    node = sc
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[path[-1]] = value
    return sc


D = ("disruptions", 0)
CASES = {
    "duration NaN": (_with((*D, "duration"), math.nan), r"disruptions\[0\]\.duration: expected a number of days"),
    "duration inf": (_with((*D, "duration"), math.inf), r"disruptions\[0\]\.duration: .*found inf"),
    "duration 1e308": (_with((*D, "duration"), 1e308), r"disruptions\[0\]\.duration: .*found 1e\+308"),
    "extra_lead_days 1e9": (_with((*D, "extra_lead_days"), 1e9, CONGESTION),
                            r"disruptions\[0\]\.extra_lead_days: expected a number of days in \[0, 100,000\]"),
    "negative extra_lead_days": (_with((*D, "extra_lead_days"), -3, CONGESTION),
                                 r"disruptions\[0\]\.extra_lead_days: .*found -3"),
    "recovery days NaN": (_with((*D, "recovery", "days"), math.nan), r"disruptions\[0\]\.recovery\.days: .*found nan"),
    "recovery days negative": (_with((*D, "recovery", "days"), -5), r"disruptions\[0\]\.recovery\.days: .*found -5"),
    "negative lead days (params)": (_with(("params", "lead_days_imports"), -3),
                                    r"params\.lead_days_imports: Input should be greater than or equal to 0"),
    "replications true": (_with(("replications",), True), r"replications: expected a number, not a boolean"),
    "share true": (_with((*D, "share"), True), r"disruptions\[0\]\.share: expected a number or a distribution"),
    "sigma out of range": (_with((*D, "duration"), {"distribution": "lognormal", "median": 10, "sigma": -1}),
                           r"disruptions\[0\]\.duration\.sigma: lognormal sigma: expected a non-negative spread"),
    "sigma too wide": (_with((*D, "duration"), {"distribution": "lognormal", "median": 10, "sigma": 50}),
                       r"disruptions\[0\]\.duration\.sigma: lognormal with median 10 and sigma 50 draws values"),
    "sd negative": (_with((*D, "duration"), {"distribution": "normal", "mean": 10, "sd": -2}),
                    r"disruptions\[0\]\.duration\.sd: normal sd"),
    "median zero": (_with((*D, "duration"), {"distribution": "lognormal", "median": 0, "sigma": 1}),
                    r"disruptions\[0\]\.duration\.median: lognormal median: expected a positive number"),
    "unknown distribution": (_with((*D, "duration"), {"distribution": "lognormall", "median": 9, "sigma": 1}),
                             r"duration\.distribution: unknown distribution 'lognormall'.*did you mean 'lognormal'"),
    "drawn share above 1": (_with((*D, "share"), {"distribution": "uniform", "low": 0.5, "high": 2}),
                            r"disruptions\[0\]\.share: uniform on \[0\.5, 2\] draws values outside a share in "
                            r"\[0, 1\]"),
    "drawn start beyond horizon": (_with((*D, "start"), {"distribution": "uniform", "low": 5, "high": 100}),
                                   r"disruptions\[0\]\.start: uniform on \[5, 100\] draws values outside a day"),
    "bad params field": (_with(("params", "inventory_dayz"), 30),
                         r"params\.inventory_dayz: unknown model parameter.*did you mean 'inventory_days'"),
    "bad params value": (_with(("params", "psi"), 2), r"params\.psi: Input should be less than or equal to 1"),
    "params sector unknown to the table": (_with(("params", "infinite_inventory_sectors"), ["99"]),
                                           r"params: unknown sector '99'"),
    "unknown rebuild sector": (_with((*D, "recovery"), {"curve": "rebuild", "sectors": {"99": 1.0}}),
                               r"disruptions\[0\]\.recovery\.sectors\.99: rebuilding sector: unknown sector '99'"),
    "schema maximum replications x days": (
        _with(("replications",), 10_000) | {"horizon_days": 3650},
        r"replications: this run needs about \d+\.\d GiB of memory .* GiB are available"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_refuses_what_run_refuses(tmp_path, capsys, case):
    scenario, pattern = CASES[case]
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert re.search(pattern, err), err
    assert err.startswith(f"chainsim: error: {p}:"), err  # file and line of the value
    out = tmp_path / "out"
    assert main(["run", str(p), "--out", str(out), "--no-figures"]) == 2
    same = re.compile(r"[\d.]+ GiB are available")  # the free memory moves between the two calls
    assert same.sub("", capsys.readouterr().err) == same.sub("", err)  # the same message, from the same check
    assert not out.exists()


def test_rare_draw_out_of_range_names_the_replication(tmp_path):
    # a lognormal share whose tail crosses 1 with probability 5.8e-4 (allowed), drawn 5,000 times
    sc = _with((*D, "share"), {"distribution": "lognormal", "median": 0.3, "sigma": 0.37}) | {"replications": 5000}
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(sc), encoding="utf-8")
    loaded = load_scenario(p)
    with pytest.raises(ScenarioError, match=r"s\.yaml:\d+: disruptions\[0\]\.share: expected a share in \[0, 1\]; "
                                            r"found 1\.\d+ \(drawn for replication \d+ of 5000\)"):
        preflight(loaded)


def test_memory_estimate_parts_and_refusal(monkeypatch):
    loaded = load_scenario(BASE)
    est = preflight(loaded, available=10**12).memory
    assert est.fits and est.parts["trajectories"] == 1 * 2 * 60 * len(loaded.table.x) * 8
    with pytest.raises(ScenarioError, match=r"scenario: replications: this run needs about 0\.\d GiB"):
        preflight(loaded, available=1000)
    assert MemoryEstimate(parts={"a": 5}, available=None).fits  # unknown memory refuses nothing


def test_memory_estimate_counts_goods_in_transit():
    loaded = load_scenario(_with((*D, "extra_lead_days"), 3000, CONGESTION) | {"horizon_days": 3650})
    with pytest.raises(ScenarioError, match=r"goods in transit over 3001 days: \d+\.\d GiB.*shorten extra_lead_days"):
        preflight(loaded, available=2**28)
    from chainsim.engine import ModelParams, build_model

    m = build_model(loaded.table, ModelParams())
    est = estimate_memory(pathways=1, replications=2, days=60, model=m, ring_days=11, available=None)
    assert est.parts["transit"] >= 11 * 2 * m.n_inputs * m.n * 8


# ---------------------------------------------------------------- the invariant, on hostile values
HOSTILE = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf, -1, 0, 0.5, 3, 59, 60, 1e9, 1e308, True, "x"]),
                    st.fixed_dictionaries({"distribution": st.just("lognormal"),
                                           "median": st.sampled_from([0.2, 5, 40]),
                                           "sigma": st.sampled_from([0.0, 0.3, 2.0, 40.0])}),
                    st.fixed_dictionaries({"distribution": st.just("uniform"), "low": st.sampled_from([-1, 0, 0.2]),
                                           "high": st.sampled_from([0.8, 1.5, 70])}))
FIELDS = st.sampled_from([("start",), ("duration",), ("share",), ("recovery", "days")])


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory):
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    d = tmp_path_factory.mktemp("toy")
    write_csv_layout(load_toy(), d / "toy")
    return d


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=FIELDS, value=HOSTILE)
def test_what_validate_passes_runs(toy_dir, field, value):
    """What validation (load + preflight) passes, the engine runs in every pathway: it refuses nothing after it."""
    sc = {"name": "toy", "table": str(Path(toy_dir) / "toy"), "horizon_days": 60, "replications": 3, "seed": 4,
          "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3, "start": 5,
                           "duration": 5, "recovery": {"curve": "linear", "days": 20}}],
          "pathways": {"compare": ["baseline", "environment"]}, "metrics": {"scope": ["R1"]}}
    node = sc["disruptions"][0]
    for part in field[:-1]:
        node = node[part]
    node[field[-1]] = value
    try:
        loaded = load_scenario(sc)
        preflight(loaded)
        validated = True
    except ScenarioError:
        validated = False
    if not validated:
        return
    seeds = replication_seeds(sc["seed"], sc["replications"])
    for entry in sc["pathways"]["compare"]:
        try:
            run_pathway(loaded, entry, seeds=seeds)  # the engine, without the preflight in front
        except ChainsimError as exc:  # pragma: no cover - the failure this test exists to catch
            pytest.fail(f"validated, but the run of '{entry}' refused {field}={value!r}: {exc}")


def test_too_many_disruptions_refused_at_once(tmp_path):
    """20,000 link cuts were still running after four minutes on 30b9e04 (the engine's cost is quadratic)."""
    import time

    from chainsim.scenario.values import MAX_DISRUPTIONS

    cut = {"type": "link_cut", "product": "14", "from_region": "LN", "to_region": "JL", "share": 0.1, "start": 5,
           "duration": 10}
    p = tmp_path / "s.yaml"
    for n, refusal in ((20_000, r"(at most 1,000 per scenario|limited to 1 MiB)"),
                       (MAX_DISRUPTIONS + 1, r"disruptions: 1,001 disruptions; at most 1,000 per scenario .*list "
                                             r"several regions, sectors or products")):
        sc = {**BASE, "disruptions": [dict(cut) for _ in range(n)]}
        p.write_text(yaml.safe_dump(sc, default_flow_style=True, width=10**9), encoding="utf-8")
        t0 = time.perf_counter()
        with pytest.raises(ScenarioError, match=rf"s\.yaml(:\d+)?: .*{refusal}"):
            load_scenario(p)
        assert time.perf_counter() - t0 < 30
    assert len(load_scenario({**BASE, "disruptions": [dict(cut) for _ in range(50)]}).disruptions) == 50
