"""README's two quick-start commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quick_start_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_quick_start_commands():
    cmds = _quick_start_commands()
    assert len(cmds) == 2, cmds
    assert "chainsim" in cmds[0] and "pytest" in cmds[1]


def test_ci_runs_readme_test_command_verbatim():
    test_cmd = _quick_start_commands()[1]
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_documents_the_quick_subset_and_its_marker_exists():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tests = text.split("## Tests", 1)[1].split("\n## ", 1)[0]
    assert 'python -m pytest -q -m "not slow"' in tests
    assert '"slow:' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_every_slow_entry_names_an_existing_test():
    from tests.conftest import SLOW

    for prefix in SLOW:
        path, _, name = prefix.partition("::")
        source = (ROOT / path).read_text(encoding="utf-8")
        if name:
            assert f"def {name.split('[')[0]}" in source, prefix
