"""Output folders that change whole or not at all: written aside, checked first, moved into place at the end.

A run (or scan) writes its files into a hidden staging folder next to the output folder
(``.NAME.partial-PID-XXXX``, same file system) and moves it into place only once every file,
the provenance last, is written (:func:`staged_output`). So the output folder holds either
the whole new result with its own ``run.json`` (or ``scan.json``), or exactly what it held
before: Ctrl-C, ``kill -9``, a full disk or an error while writing leave it untouched.

Checked before any simulation starts (:func:`check_output`): the folder is not a file, its
parent can be written, and it does not already hold a result unless ``force`` is given; a
folder holding anything that is not a chainsim result is never replaced, ``force`` or not.
With ``force`` an earlier result is replaced whole, atomically where the system can swap two
folders (Linux ``renameat2(RENAME_EXCHANGE)``); elsewhere by two renames, and a replacement
interrupted between them is rolled back the next time the folder is used
(:func:`recover_output`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chainsim.errors import OutputError

__all__ = ["check_output", "recover_output", "safe_folder_name", "staged_output"]

#: the provenance file that marks a folder as a chainsim result (``run.json`` of a run, ``scan.json`` of a scan)
MARKERS = ("run.json", "scan.json")
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)-[0-9a-f]+$")


def safe_folder_name(name: str, *, fallback: str = "output") -> str:
    """A folder name made only of letters, digits, ``.``, ``_`` and ``-`` (no separators, no leading dot).

    For default output folders named after something the user did not type as a path (a
    table's name, a scenario's name), so that ``../../x`` cannot lead outside ``runs/``.

    Examples
    --------
    >>> safe_folder_name("../../etc/x")
    'etc_x'
    >>> safe_folder_name("northeast-2017")
    'northeast-2017'
    >>> safe_folder_name("...")
    'output'
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._-")
    cleaned = re.sub(r"_+", "_", cleaned)[:80]
    return cleaned or fallback


def _holds_result(folder: Path) -> str | None:
    """The marker file of a chainsim result in ``folder`` (with a ``chainsim_version``), or ``None``."""
    for marker in MARKERS:
        p = folder / marker
        if p.is_file():
            try:
                if "chainsim_version" in json.loads(p.read_text(encoding="utf-8")):
                    return marker
            except (OSError, ValueError):
                continue
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_output(out: str | Path) -> None:
    """Clean up after an interrupted write to ``out``: drop dead staging folders, roll back a half replacement.

    A staging folder (``.NAME.partial-PID-*``) whose process is gone is removed; a folder set
    aside by a replacement (``.NAME.old-PID-*``) is moved back when ``out`` is missing (the
    process died between the two renames), else removed.
    """
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        return
    for p in parent.iterdir():
        m = _PARTIAL.match(p.name)
        if not m or m["name"] != out.name or _alive(int(m["pid"])):
            continue
        if m["kind"] == "old" and not out.exists():
            os.rename(p, out)
        else:
            shutil.rmtree(p, ignore_errors=True)


def check_output(out: str | Path, *, force: bool = False, what: str = "run") -> Path:
    """Check that ``out`` can take a new result, before any work is done; returns it as a ``Path``.

    Raises
    ------
    OutputError
        ``out`` is a file; holds a chainsim result and ``force`` is not given; holds other
        files; or its parent cannot be created or written.
    """
    out = Path(out)
    recover_output(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a folder; choose a folder for the {what}'s outputs")
    if out.is_dir():
        entries = sorted(p.name for p in out.iterdir())
        if entries:
            marker = _holds_result(out)
            if marker is None:
                shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
                raise OutputError(f"--out {out}: holds files that are not a chainsim result ({shown}); "
                                  "choose an empty or new folder (nothing was changed)")
            if not force:
                raise OutputError(f"--out {out}: holds an earlier {what} ({marker}); pass --force to replace it "
                                  "whole, or choose another --out (nothing was changed)")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot create its parent folder ({exc.strerror or exc})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out}: cannot write in {parent} (permission denied)")
    return out


def _libc_exchange() -> object | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        fn = ctypes.CDLL(name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); ``False`` where not supported."""
    fn = _libc_exchange()
    if fn is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0  # type: ignore[operator]


def _commit(stage: Path, out: Path, force: bool, what: str) -> None:
    if not out.exists():
        os.rename(stage, out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        os.rename(stage, out)
        return
    if not force or _holds_result(out) is None:  # something appeared in ``out`` while this result was made
        raise OutputError(f"--out {out}: files appeared in it while the {what} ran; nothing was changed "
                          "(choose another --out)")
    if _exchange(stage, out):  # stage now holds the earlier result
        shutil.rmtree(stage, ignore_errors=True)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(out, old)
    os.rename(stage, out)  # a crash between these two renames is rolled back by recover_output
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_output(out: str | Path, *, force: bool = False, what: str = "run") -> Iterator[Path]:
    """Write a result into a staging folder and move it to ``out`` when the ``with`` block ends without error.

    Parameters
    ----------
    out : path
        The output folder.
    force : bool
        Replace an earlier chainsim result in ``out`` (whole).
    what : str
        ``"run"`` or ``"scan"``, for messages.

    Yields
    ------
    Path
        The staging folder to write every file into.

    Raises
    ------
    OutputError
        From :func:`check_output` (before the block runs), or when a file cannot be written
        (a full disk): ``out`` is then unchanged.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     with staged_output(Path(d) / "r") as stage:
    ...         _ = (stage / "run.json").write_text('{"chainsim_version": "0"}')
    ...     sorted(p.name for p in (Path(d) / "r").iterdir())
    ['run.json']
    """
    out = check_output(out, force=force, what=what)
    stage = out.with_name(f".{out.name}.partial-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        stage.mkdir()
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot write in {out.parent} ({exc.strerror or exc})") from None
    try:
        try:
            yield stage
        except OSError as exc:
            raise OutputError(f"--out {out}: writing the {what}'s files failed ({exc.strerror or exc}); "
                              f"{out} was not changed") from None
        _commit(stage, out, force, what)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
