"""On-disk layout of a sweep: chunks written atomically, a manifest, and resume bookkeeping.

::

    OUT/
      manifest.json            the sweep, its design hash and chunk layout (written first)
      chunks/part-00000.parquet  one file per finished chunk (temporary name + rename)
      runs.parquet             every run, once all chunks are done
      sensitivity.csv, ranking.csv, sweep.json, figures

A chunk file exists only once all its runs are finished (``os.replace`` is atomic), so an
interrupted sweep (Ctrl-C, crash, lost worker) keeps every finished chunk and ``--resume``
runs only the missing ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.errors import ScenarioError

__all__ = ["atomic_write", "chunk_path", "design_hash", "finished_chunks", "read_chunks", "read_manifest",
           "write_chunk", "write_manifest"]

_PART = re.compile(r"^part-(\d{5,})\.parquet$")


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


def chunk_path(out: Path, chunk_id: int) -> Path:
    """Path of a chunk file."""
    return Path(out) / "chunks" / f"part-{chunk_id:05d}.parquet"


def write_chunk(out: Path, chunk_id: int, rows: Sequence[Mapping[str, Any]]) -> Path:
    """Write one finished chunk atomically."""
    path = chunk_path(out, chunk_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(list(rows))
    return atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def finished_chunks(out: Path) -> list[int]:
    """Ids of the chunk files present (each is complete by construction)."""
    folder = Path(out) / "chunks"
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _PART.match(p.name)))


def read_chunks(out: Path, chunk_ids: Sequence[int]) -> pd.DataFrame:
    """Concatenate chunk files, sorted by ``run_id``."""
    parts = [pd.read_parquet(chunk_path(out, c)) for c in chunk_ids]
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
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: unreadable manifest ({exc}); remove the folder or choose another --out") \
            from None
