"""Render and write ``report.html`` from a run folder (Jinja2; no network, no script)."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any

from chainsim.report.context import report_context

__all__ = ["page_font", "render_report", "write_report"]


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("chainsim.report", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                              trim_blocks=False, lstrip_blocks=False)


def page_font(text: str) -> str:
    """The bundled CJK font cut to the non-ASCII characters of ``text``, as base64 WOFF (``""`` if none).

    A page of the report uses a few hundred distinct characters; the subset is some tens
    of kilobytes, where the whole font would be 1.6 MB. Cutting it takes about a second
    (fontTools re-draws every glyph kept), so the subset is kept in the cache folder
    (:func:`chainsim.data.datasets.cache_dir`, ``report-fonts/``) under a hash of the font,
    fontTools' version and the characters: a later report with the same characters (the same
    scenario run again) reads the same bytes back. The cache is only an accelerator: if it
    cannot be read or written, the subset is cut again.
    """
    chars = "".join(sorted({c for c in text if ord(c) > 0x7F}))
    if not chars:
        return ""
    cached = _font_cache_file(chars)
    if cached is not None:
        try:
            return cached.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            pass
    data = _cut_font(chars)
    if cached is not None:
        _store(cached, data)
    return data


def _cut_font(chars: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from chainsim.fonts import font_path

    font = TTFont(str(font_path()), recalcTimestamp=False)  # the same page gives the same bytes
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["kern", "liga"]
    sub = subset.Subsetter(options=opts)
    sub.populate(text=chars + " ")
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _font_cache_file(chars: str) -> Path | None:
    """Where the subset for ``chars`` is cached (``None`` when no cache folder can be named)."""
    import hashlib

    import fontTools

    from chainsim.data.datasets import cache_dir
    from chainsim.fonts import font_path

    try:
        st = font_path().stat()
        key = hashlib.sha256(f"{fontTools.version}|{st.st_size}|{st.st_mtime_ns}|{chars}".encode()).hexdigest()
        return cache_dir() / "report-fonts" / f"{key[:32]}.woff.b64"
    except (OSError, RuntimeError):  # no home folder
        return None


def _store(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` whole (a temporary file renamed into place), or not at all."""
    import contextlib
    import tempfile

    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def render_report(run_dir: str | Path) -> str:
    """The report of a run folder as one HTML string (figures and font embedded)."""
    from chainsim import __version__

    ctx = report_context(run_dir)
    meta = dict(ctx["provenance"])
    ctx.update(version=__version__, dataset=meta.get("dataset", ""), scenario_file=meta.get("scenario file", ""),
               font_data="")
    template = _environment().get_template("report.html.j2")
    draft = template.render(**ctx)
    ctx["font_data"] = page_font(draft)
    return template.render(**ctx)


def write_report(run_dir: str | Path, out: str | Path | None = None, *, force: bool = False) -> Path:
    """Write ``report.html`` (default: into ``run_dir``) and return its path.

    The file is written aside and renamed into place, so a reader never sees half a report.
    An existing file is replaced only with ``force``.

    Raises
    ------
    OutputError
        The target exists (without ``force``) or is a folder; nothing is changed.
    ReportError
        ``run_dir`` is not a run folder.
    """
    from chainsim.errors import OutputError

    run_dir = Path(run_dir)
    path = Path(out) if out is not None else run_dir / "report.html"
    if path.is_dir():
        raise OutputError(f"--out {path}: is a folder; give the report's file name (e.g. {path / 'report.html'})")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to replace it, or choose another --out "
                          "(nothing was changed)")
    html = render_report(run_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
