"""On-disk layout of a sweep: chunks written atomically and checksummed, a manifest, and resume bookkeeping.

::

    OUT/
      manifest.json            the sweep, its identity (what it depends on) and chunk layout (written first)
      chunks/part-00000.parquet  one file per finished chunk (temporary name + rename)
      chunks/rejected/         chunk files found unusable on --resume, moved aside (never used)
      runs.parquet             every run, once all chunks are done
      sensitivity.csv, ranking.csv, sweep.json, figures

A chunk file exists only once all its runs are finished (``os.replace`` is atomic), so an
interrupted sweep (Ctrl-C, crash, lost worker) keeps every finished chunk and ``--resume``
runs only the missing ones.

Every chunk file carries, in its Parquet key-value metadata, the sweep it belongs to (the
full sweep hash of :func:`sweep_identity`), its chunk number, the range of runs it holds and
a SHA-256 of its rows (:func:`rows_checksum`). :func:`verify_chunks` reads every chunk before
it is used: a file that cannot be read, belongs to another sweep, holds other runs than its
name says (a copy of another chunk) or whose values do not match their checksum (edited,
corrupted) is moved to ``chunks/rejected/``, reported, and its chunk runs again; a file whose
name is not a chunk's is never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.errors import ScenarioError, SimulationError

__all__ = ["IDENTITY_FIELDS", "ChunkCheck", "atomic_write", "chunk_path", "design_hash", "finished_chunks",
           "identity_changes", "read_chunks", "read_manifest", "rows_checksum", "sweep_identity", "verify_chunks",
           "write_chunk", "write_manifest"]

_PART = re.compile(r"^part-(\d{5,})\.parquet$")
_META = b"chainsim_chunk"

#: what a sweep's results depend on, as stored in its manifest (and what a changed one means)
IDENTITY_FIELDS: Mapping[str, str] = {
    "sweep_sha256": "the sweep file (factors, bounds, design, outputs, scope, horizon_days, seed)",
    "design_sha256": "the design matrix",
    "scenario_sha256": "the scenario file's content",
    "dataset_checksum": "the table's data",
    "chainsim_version": "the chainsim version",
    "chunk_size": "the chunk size",
}


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Write ``path`` through ``write(tmp)`` to a temporary name in the same folder, then rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def design_hash(matrix: pd.DataFrame) -> str:
    """SHA-256 of a design matrix (values and column names)."""
    h = hashlib.sha256(json.dumps(list(map(str, matrix.columns))).encode())
    h.update(pd.util.hash_pandas_object(matrix, index=False).to_numpy().tobytes())
    return h.hexdigest()


def sweep_identity(identity: Mapping[str, Any]) -> dict[str, Any]:
    """The identity of a sweep (:data:`IDENTITY_FIELDS`) plus ``sha256``, the full sweep hash over all of them."""
    fields = {k: identity.get(k) for k in IDENTITY_FIELDS}
    text = json.dumps(fields, sort_keys=True, default=str)
    return {**fields, "sha256": hashlib.sha256(text.encode()).hexdigest()}


def rows_checksum(df: pd.DataFrame) -> str:
    """SHA-256 of a chunk's rows: column names, dtypes and every value (NaN included)."""
    h = hashlib.sha256(json.dumps([[str(c), str(t)] for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def chunk_path(out: Path, chunk_id: int) -> Path:
    """Path of a chunk file."""
    return Path(out) / "chunks" / f"part-{chunk_id:05d}.parquet"


def write_chunk(out: Path, chunk_id: int, rows: Sequence[Mapping[str, Any]], *, sweep_sha256: str = "") -> Path:
    """Write one finished chunk atomically, with its sweep, chunk number, runs and checksum in its metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = chunk_path(out, chunk_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(list(rows))
    ids = df["run_id"].tolist() if "run_id" in df else []
    meta = {"sweep_sha256": sweep_sha256, "chunk": int(chunk_id), "runs": [int(min(ids)), int(max(ids)) + 1]
            if ids else [0, 0], "rows": len(df), "rows_sha256": rows_checksum(df)}
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META: json.dumps(meta).encode()})
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def finished_chunks(out: Path) -> list[int]:
    """Ids of the chunk files present under their own names (their content is checked by :func:`verify_chunks`)."""
    folder = Path(out) / "chunks"
    if not folder.is_dir():
        return []
    ids = []
    for p in folder.iterdir():
        m = _PART.match(p.name)
        if m and p == chunk_path(out, int(m.group(1))):  # part-000003.parquet is not chunk 3's name
            ids.append(int(m.group(1)))
    return sorted(ids)


@dataclass(frozen=True)
class ChunkCheck:
    """The outcome of :func:`verify_chunks`: usable chunk ids and what was rejected (file name -> reason)."""

    good: tuple[int, ...]
    rejected: Mapping[str, str]


def _read_checked(path: Path, chunk_id: int, stop: tuple[int, int], sweep_sha256: str) -> pd.DataFrame:
    """Read a chunk file and check it against its metadata; raises ``ValueError`` with the reason."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... on a damaged file
        raise ValueError(f"unreadable ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from None
    raw = (table.schema.metadata or {}).get(_META)
    if raw is None:
        raise ValueError("no checksum (not written by this version of chainsim)")
    meta = json.loads(raw)
    if sweep_sha256 and meta.get("sweep_sha256") != sweep_sha256:
        raise ValueError(f"written by another sweep (sweep hash {str(meta.get('sweep_sha256'))[:12]}, "
                         f"expected {sweep_sha256[:12]})")
    df = table.to_pandas()
    lo, hi = stop
    ids = df["run_id"].tolist() if "run_id" in df else []
    if meta.get("chunk") != chunk_id or ids != list(range(lo, hi)):
        found = f"runs {min(ids)}..{max(ids)} ({len(ids)} rows)" if ids else "no runs"
        raise ValueError(f"holds {found} of chunk {meta.get('chunk')}; chunk {chunk_id} holds runs {lo}..{hi - 1} "
                         "(a copy of another chunk?)")
    if rows_checksum(df) != meta.get("rows_sha256"):
        raise ValueError("its values do not match its checksum (edited or corrupted)")
    return df


def verify_chunks(out: Path, layout: Sequence[tuple[int, int]], sweep_sha256: str, *,
                  move_aside: bool = True) -> ChunkCheck:
    """Check every chunk file of a sweep folder; move unusable ones to ``chunks/rejected/``.

    Parameters
    ----------
    out : path
        The sweep folder.
    layout : sequence of (first, stop)
        Run ranges of the chunks (:func:`chainsim.sweeps.runner.chunk_layout`).
    sweep_sha256 : str
        The full sweep hash the chunks must carry.
    move_aside : bool
        Move rejected files to ``chunks/rejected/`` (else leave them in place).

    Returns
    -------
    ChunkCheck
        The chunk ids that can be used, and every rejected file with the reason.
    """
    folder = Path(out) / "chunks"
    good: list[int] = []
    rejected: dict[str, str] = {}
    if not folder.is_dir():
        return ChunkCheck((), {})
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue  # rejected/, temporary files of an interrupted write
        m = _PART.match(p.name)
        cid = int(m.group(1)) if m else -1
        if not m or p != chunk_path(out, cid):
            reason = "not a chunk file name (part-NNNNN.parquet)"
        elif cid >= len(layout):
            reason = f"chunk {cid} does not exist in this sweep ({len(layout)} chunks)"
        else:
            try:
                _read_checked(p, cid, layout[cid], sweep_sha256)
                good.append(cid)
                continue
            except ValueError as exc:
                reason = str(exc)
        rejected[p.name] = reason
        if move_aside:
            aside = folder / "rejected"
            aside.mkdir(exist_ok=True)
            shutil.move(str(p), str(aside / p.name))
    return ChunkCheck(tuple(sorted(good)), rejected)


def read_chunks(out: Path, chunk_ids: Sequence[int], layout: Sequence[tuple[int, int]] | None = None,
                sweep_sha256: str = "") -> pd.DataFrame:
    """Concatenate chunk files, sorted by ``run_id``; with ``layout``, each is checked first.

    Raises
    ------
    SimulationError
        A chunk fails its check (with ``layout``).
    """
    parts = []
    for c in chunk_ids:
        path = chunk_path(out, c)
        if layout is None:
            parts.append(pd.read_parquet(path))
            continue
        try:
            parts.append(_read_checked(path, c, layout[c], sweep_sha256))
        except (ValueError, FileNotFoundError) as exc:
            raise SimulationError(f"{path}: {exc}; rerun with --resume to run this chunk again") from None
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return df.sort_values("run_id", kind="stable").reset_index(drop=True) if len(df) else df


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` atomically."""
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)
    return atomic_write(Path(out) / "manifest.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of a sweep folder, or ``None``."""
    path = Path(out) / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: unreadable manifest ({exc}); remove the folder or choose another --out") \
            from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: unreadable manifest (expected a JSON object); remove the folder or choose "
                            "another --out")
    return data


def _short(v: Any) -> str:
    return str(v)[:12] if isinstance(v, str) and len(v) > 16 else str(v)


def identity_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between a folder's sweep identity and this sweep's, in words (empty: the same sweep)."""
    return [f"{what} changed ({key} {_short(old.get(key))} -> {_short(new.get(key))})"
            for key, what in IDENTITY_FIELDS.items() if old.get(key) != new.get(key)]
