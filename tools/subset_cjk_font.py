"""Build the bundled CJK font subset ``src/chainsim/fonts/ChainsimSansSC-Regular.otf``.

Source: Noto Sans CJK SC Regular, version 2.004 (Adobe and Google, SIL Open Font License
1.1), face 2 of ``NotoSansCJK-Regular.ttc`` in Debian's ``fonts-noto-cjk`` package
(1:20220127+repack1-1, bookworm), which is a repack of https://github.com/googlefonts/noto-cjk.

The subset keeps every character of GB 2312 (the 6,763 hanzi of levels 1 and 2, with its
punctuation and symbols), ASCII and Latin-1, general punctuation, CJK punctuation and
full-width forms, plus every non-ASCII character in the repository's text files (sector,
region and pathway names, templates, scenarios, docs). The family is renamed to
"Chainsim Sans SC" as the OFL asks of a modified version (the Reserved Font Name of Noto
Sans CJK is "Source"; it is not used).

Usage (Debian; ``apt-get download`` needs no root and installs nothing)::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    python tools/subset_cjk_font.py /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "chainsim" / "fonts" / "ChainsimSansSC-Regular.otf"
FAMILY = "Chainsim Sans SC"
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".json", ".csv", ".html", ".j2", ".txt", ".ipynb"}


def gb2312() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def repository_chars() -> set[str]:
    """Non-ASCII characters of the repository's text files (names, templates, docs)."""
    chars: set[str] = set()
    for path in ROOT.rglob("*"):
        if (path.suffix in TEXT_SUFFIXES and path.is_file() and ".venv" not in path.parts
                and "raw" not in path.parts and ".git" not in path.parts):
            chars |= {c for c in path.read_text(encoding="utf-8", errors="ignore") if ord(c) > 0x7F}
    return chars


def wanted() -> str:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    chars = gb2312() | repository_chars()
    for lo, hi in ranges:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    return "".join(sorted(chars))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ttc", type=Path, help="NotoSansCJK-Regular.ttc (fonts-noto-cjk)")
    ap.add_argument("--face", type=int, default=2, help="face index of Noto Sans CJK SC in the collection")
    args = ap.parse_args(argv)
    font = TTCollection(str(args.ttc)).fonts[args.face]
    if font["name"].getDebugName(1) != "Noto Sans CJK SC":
        print(f"face {args.face} is {font['name'].getDebugName(1)!r}, not 'Noto Sans CJK SC'", file=sys.stderr)
        return 2
    opts = subset.Options()
    opts.layout_features = ["kern", "liga"]  # no vertical or traditional forms
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False  # hints are of little use at figure sizes and cost a third of the file
    sub = subset.Subsetter(options=opts)
    sub.populate(text=wanted())
    sub.subset(font)
    name = font["name"]
    ps = FAMILY.replace(" ", "") + "-Regular"
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID == 4:
            rec.string = f"{FAMILY} Regular"
        elif rec.nameID == 6:
            rec.string = ps
        elif rec.nameID == 3:
            rec.string = f"{ps};subset of Noto Sans CJK SC 2.004"
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY
    font.save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
