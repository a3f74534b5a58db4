"""Bad scenario files get one message: file, line, field path, expectation, value, did-you-mean; exit code 2."""

import textwrap
from pathlib import Path

import pytest

from chainsim import ScenarioError
from chainsim.cli import main
from chainsim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "scenarios" / "electronics_import_cut.yaml").read_text(encoding="utf-8")


def _write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def _edit(tmp_path, old, new):
    assert old in GOOD, old
    return _write(tmp_path, GOOD.replace(old, new, 1))


def _line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_good_file_validates():
    loaded = load_scenario(ROOT / "scenarios" / "electronics_import_cut.yaml")
    assert loaded.table.name == "northeast-2017"
    assert loaded.scenario.replications == 20
    assert len(loaded.sha256) == 64


def test_malformed_yaml_has_line_and_column(tmp_path):
    p = _write(tmp_path, "name: x\nhorizon_days: [1, 2\nseed: 3\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml:\d+:\d+: malformed YAML"):
        load_scenario(p)


def test_unknown_field_suggests_near_name(tmp_path):
    p = _edit(tmp_path, "horizon_days: 365", "horizon_day: 365")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert f"s.yaml:{_line_of(p, 'horizon_day:')}: horizon_day: unknown field" in msg
    assert "did you mean 'horizon_days'" in msg


def test_unknown_origin_names_line_and_suggests(tmp_path):
    p = _edit(tmp_path, "origins: [KOR, JPN, TWN, USA]", "origins: [KOR, JPM, TWN, USA]")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert f"s.yaml:{_line_of(p, 'origins:')}: disruptions[0].origins[1]: unknown import origin 'JPM'" in msg
    assert "did you mean 'JPN'" in msg


def test_unknown_region_and_sector(tmp_path):
    p = _edit(tmp_path, "regions: all", "regions: [LN, JL, HJL]")
    pattern = r"disruptions\[0\]\.regions\[2\]: unknown region 'HJL'.*did you mean 'HLJ'"
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(p)
    p = _edit(tmp_path, 'product: "20"', 'product: "99"')
    with pytest.raises(ScenarioError, match=r"disruptions\[0\]\.product: unknown sector '99'"):
        load_scenario(p)


def test_sector_by_name_is_accepted(tmp_path):
    p = _edit(tmp_path, 'product: "20"', "product: 通信设备、计算机和其他电子设备")
    assert load_scenario(p).scenario.disruptions[0]["product"] == "通信设备、计算机和其他电子设备"


@pytest.mark.parametrize(("old", "new", "pattern"), [
    ("share: 0.6", "share: 1.6", r"disruptions\[0\]\.share: expected a share in \[0, 1\]; found 1.6"),
    ("start: 30", "start: 400", r"disruptions\[0\]\.start: expected a day in \[0, horizon_days=365\); found 400"),
    ("duration: {distribution: lognormal, median: 180, sigma: 0.3}", "duration: -5",
     r"disruptions\[0\]\.duration: expected a number of days in \[0, 100,000\]; found -5"),
    ("horizon_days: 365", "horizon_days: -1", r"horizon_days: Input should be greater than 0; found -1"),
    ("type: import_cut", "type: import_cutt", r"unknown disruption type 'import_cutt'.*did you mean 'import_cut'"),
    ("dual_wheel,", "dual_wheal,", r"pathways\.compare\[3\]: unknown pathway 'dual_wheal'.*did you mean 'dual_wheel'"),
    ("intensity: 0.5", "intensity: 2", r"pathways\.intensity: Input should be less than or equal to 1"),
    ("dataset: northeast-2017", "dataset: northeast-2071", r"dataset: unknown dataset 'northeast-2071'"),
    ("median: 180", "median: nan", r"disruptions\[0\]\.duration"),
    ("scope: [northeast, LN, JL, HLJ]", "scope: [northeast, LM]",
     r"metrics\.scope\[1\]: unknown region, sector or named scope 'LM'.*did you mean 'LN'"),
])
def test_bad_values(tmp_path, old, new, pattern):
    p = _edit(tmp_path, old, new)
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(p)


def test_duplicate_keys_refused(tmp_path):
    p = _write(tmp_path, "name: a\nname: b\nhorizon_days: 10\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml:2: name: duplicate key \(first given on line 1\)"):
        load_scenario(p)


def test_yaml_is_loaded_safely(tmp_path):
    p = _write(tmp_path, "name: !!python/object/apply:os.system ['echo pwned']\nhorizon_days: 10\n")
    with pytest.raises(ScenarioError, match="malformed YAML"):
        load_scenario(p)


def test_cli_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", str(ROOT / "scenarios" / "electronics_import_cut.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
    p = _edit(tmp_path, "share: 0.6", "share: 1.6")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chainsim: error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert main(["validate", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_missing_top_level_field_names_no_line(tmp_path):
    """30b9e04 gave the line of the file's first key (``name:``) for a field that is not in the file."""
    p = _edit(tmp_path, "horizon_days: 365\n", "")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert str(exc.value) == f"{p}: horizon_days: required field is missing"


def test_overridden_value_is_not_blamed_on_the_file(tmp_path, capsys):
    """30b9e04 blamed ``--replications 100000`` on the file's ``replications: 20`` line."""
    p = _write(tmp_path, GOOD)
    assert main(["run", str(p), "--replications", "100000", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{p} (value set by an override, not in the file): replications: Input should be less than or equal " \
           "to 10000; found 100000" in err
    with pytest.raises(ScenarioError, match=r"s\.yaml \(value set by an override, not in the file\): "
                                            r"pathways\.intensity"):
        load_scenario(p, overrides={"pathways": {"intensity": 3}})


def test_bad_item_in_a_list_is_named_by_index(tmp_path):
    p = _edit(tmp_path, "regions: all", "regions: [LN, 5, HLJ]")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(p)
    assert str(exc.value) == (f"{p}:{_line_of(p, 'regions: [LN, 5')}: disruptions[0].regions[1]: unknown region '5'; "
                              "expected one of ['LN', 'JL', 'HLJ', 'ROC']")


@pytest.mark.parametrize("written", ['"3"', "3"])  # quoted and unquoted (an unquoted 03 is read as '03')
def test_a_sector_code_without_its_leading_zero_suggests_the_padded_code(tmp_path, capsys, written):
    """A new user wrote product: 3 for '03': the message named '39' and '38', or 'a valid string'."""
    base = (ROOT / "scenarios" / "russian_oil_gas_cut.yaml").read_text(encoding="utf-8")
    old = 'product: "03"'
    assert old in base
    p = _write(tmp_path, base.replace(old, f"product: {written}", 1))
    code = main(["validate", str(p)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "did you mean '03'" in err and "valid string" not in err, err


@pytest.mark.parametrize("written", ["20", "03"])
def test_an_unquoted_code_is_read_as_the_code(tmp_path, written):
    base = (ROOT / "scenarios" / "russian_oil_gas_cut.yaml").read_text(encoding="utf-8")
    p = _write(tmp_path, base.replace('product: "03"', f"product: {written}", 1))
    assert main(["validate", str(p)]) == 0


def test_validate_and_run_say_that_a_congestion_runs_on_the_reference_executor(tmp_path, capsys):
    """A new user waited 18 minutes on a 堵链 scenario with one status line: its routes hand the run to the
    reference executor (about 15x slower, measured). validate and run now say so before the days run."""
    from chainsim.experiment.preflight import preflight

    loaded = load_scenario(ROOT / "scenarios" / "liaoning_port_congestion.yaml")
    checked = preflight(loaded)
    assert checked.routes_from is not None and checked.routes_from >= 0
    assert main(["validate", str(ROOT / "scenarios" / "liaoning_port_congestion.yaml")]) == 0
    out = capsys.readouterr().out
    assert "reference executor" in out and f"day {checked.routes_from}" in out, out
    assert preflight(load_scenario(ROOT / "scenarios" / "electronics_import_cut.yaml")).routes_from is None


def test_a_scope_may_name_a_region_as_the_disruptions_do(tmp_path):
    # a disruption accepts "regions: Liaoning"; metrics.scope rejected "Jilin" and suggested 'LN'
    from chainsim.data.scopes import scope_mask

    loaded = load_scenario(_edit(tmp_path, "scope: [northeast, LN, JL, HLJ]", "scope: [northeast, Jilin, 吉林, jilin]"))
    table = loaded.table
    jl = scope_mask(table, "JL")
    for name in ("Jilin", "吉林", "jilin"):
        assert (scope_mask(table, name) == jl).all(), name
    assert (scope_mask(table, "Jilin|20") == scope_mask(table, "JL|20")).all()
    assert scope_mask(table, "Jilin|20").sum() == 1


def test_a_misspelt_region_name_in_a_scope_suggests_that_region(tmp_path):
    p = _edit(tmp_path, "scope: [northeast, LN, JL, HLJ]", "scope: [northeast, Jilinn]")
    with pytest.raises(ScenarioError, match=r"metrics\.scope\[1\]: unknown region, sector or named scope 'Jilinn'"
                                            r".*did you mean 'Jilin'"):
        load_scenario(p)
