"""Hostile YAML: alias bombs, deep nesting and huge files are refused with one message (issue #19 item 2).

Each refusal is a ScenarioError (exit 2 from the CLI) raised before the file costs memory or
time; the alias bomb is run in a subprocess under an address-space cap, as a user's machine
would be: the old loader expanded every alias and died with a MemoryError traceback.
"""

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chainsim.errors import ScenarioError
from chainsim.scenario.load import load_scenario
from chainsim.scenario.yamlio import MAX_ALIAS_NODES, MAX_DEPTH, MAX_FILE_BYTES, load_located_yaml, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "scenarios" / "electronics_import_cut.yaml").read_text(encoding="utf-8")
CAP_BYTES = 1536 * 2**20  # 1.5 GiB of address space: chainsim validates a scenario in ~0.5 GiB


def _bomb(levels: int = 9) -> str:
    """The "billion laughs" file: ``levels`` aliases of nine, 9**levels strings from about 400 bytes."""
    text = "name: lol\nhorizon_days: 10\nl0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, levels + 1):
        text += f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


@pytest.mark.parametrize("command", ["validate", "run"])
def test_alias_bomb_is_refused_under_a_memory_cap(tmp_path, command):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb(), encoding="utf-8")
    assert bomb.stat().st_size < 1024
    args = [command, str(bomb)] + (["--out", str(tmp_path / "o")] if command == "run" else [])
    proc = subprocess.run([sys.executable, "-c", "import sys; from chainsim.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", *args],
                          capture_output=True, text=True, timeout=120, preexec_fn=_capped, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert f"would expand the document by more than {MAX_ALIAS_NODES:,} nodes" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_alias_budget_counts_nested_expansion():
    # three levels of nine aliases: 9**3 + 9**2 + 9 strings and lists, inside the budget, still loads
    _, data = parse_yaml(_bomb(3))
    assert len(data["l3"]) == 9 and data["l3"][0][0][0][0] == "lol"
    with pytest.raises(ScenarioError, match=r"<text>:\d+: alias \*a\d would expand the document"):
        parse_yaml(_bomb(5))  # 9**5 = 59,049 nodes


def test_aliases_and_merge_keys_within_budget_work(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(textwrap.dedent("""\
        name: anchors
        horizon_days: 60
        common: &cut {type: capacity_loss, region: LN, share: 0.2, start: 5, duration: 10}
        disruptions:
          - {<<: *cut, sector: "14"}
          - {<<: *cut, sector: "15"}
        """), encoding="utf-8")
    doc = load_located_yaml(p)
    assert doc.data["disruptions"][1] == {"type": "capacity_loss", "region": "LN", "share": 0.2, "start": 5,
                                          "duration": 10, "sector": "15"}


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused_without_recursion_error(tmp_path, style):
    depth = 5000 if style == "flow" else 1200  # 1200 indented levels are 0.7 MB
    if style == "flow":
        text = "name: x\nhorizon_days: 10\nparams: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "name: x\nhorizon_days: 10\nparams:\n" + "".join(" " * k + f"k{k}:\n" for k in range(1, depth))
    p = tmp_path / "deep.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"deep\.yaml:\d+(:\d+)?: (nested more than|malformed YAML.*nesting)"):
        load_scenario(p)
    inside = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)  # the limit itself is allowed
    assert parse_yaml(f"params: {{a: {inside}}}")[1]["params"]["a"] is not None
    with pytest.raises(ScenarioError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_yaml(f"params: {{a: [{inside}]}}")


def test_deep_nesting_cli_exit_2(tmp_path, capsys):
    from chainsim.cli import main

    p = tmp_path / "deep.yaml"
    p.write_text("name: x\nhorizon_days: 10\nparams:\n" + "".join(" " * k + f"k{k}:\n" for k in range(1, 1200)),
                 encoding="utf-8")
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"nested more than {MAX_DEPTH} levels" in err and "Traceback" not in err


def test_large_file_refused_by_size(tmp_path):
    p = tmp_path / "big.yaml"
    filler = "# " + "x" * 1000 + "\n"
    p.write_text(GOOD + filler * (MAX_FILE_BYTES // len(filler) + 10), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"big\.yaml: 1\.0 MiB; scenario and sweep files are limited to 1 MiB"):
        load_scenario(p)


@pytest.mark.parametrize(("text", "value"), [
    ("2e0", 2.0), ("1e-3", 0.001), ("-2E+3", -2000.0), ("1.", 1.0), (".5", 0.5), ("0x1f", 31), ("10", 10),
    ("07", "07"), ("08", "08"), ("NO", "NO"), ("yes", "yes"), ("off", "off"), ("true", True), ("1:30", "1:30"),
])
def test_yaml_1_2_numbers_and_booleans(text, value):
    assert parse_yaml(f"a: {text}")[1]["a"] == value


def test_share_written_2e0_is_range_checked(tmp_path):
    """YAML 1.1 read ``2e0`` as the string '2e0', so the share's range check was skipped."""
    p = tmp_path / "s.yaml"
    p.write_text(GOOD.replace("share: 0.6", "share: 2e0"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"disruptions\[0\]\.share: expected a share in \[0, 1\]; found 2"):
        load_scenario(p)
    p.write_text(GOOD.replace("share: 0.6", "share: 6e-1"), encoding="utf-8")
    assert load_scenario(p).scenario.disruptions[0]["share"] == 0.6


def test_unclosed_bracket_names_where_it_opened(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("name: x\nhorizon_days: [1, 2\nseed: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"s\.yaml:3:\d+: malformed YAML: .*starts at line 2, column 15"):
        load_scenario(p)


def test_binary_and_empty_files(tmp_path):
    p = tmp_path / "b.yaml"
    p.write_bytes(os.urandom(64) + b"\xff\xfe")
    with pytest.raises(ScenarioError, match=r"b\.yaml: (not UTF-8 text|malformed YAML)"):
        load_scenario(p)
    p.write_text("", encoding="utf-8")
    with pytest.raises(ScenarioError, match="found an empty file"):
        load_scenario(p)


def test_fifty_megabyte_file_refused_at_once(tmp_path):
    """30b9e04 spent 1-2 minutes validating a 50 MB file; the size is now checked before it is read."""
    import time

    p = tmp_path / "huge.yaml"
    with open(p, "wb") as fh:
        fh.write(GOOD.encode())
        fh.truncate(50 * 2**20)  # a sparse file: 50 MiB on paper, nothing to write
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"huge\.yaml: 50\.0 MiB; scenario and sweep files are limited to 1 MiB"):
        load_scenario(p)
    assert time.perf_counter() - t0 < 1.0
