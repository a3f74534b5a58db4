"""The 31 mainland provinces: codes, names, capitals and great-circle distances.

Sources (copied into ``raw/``, see the PROVENANCE.md files there):

* NBS province codes ``01``–``31`` and English / Chinese names: ``raw/nbs_provincial_io_42/
  province_totals_10k_cny.csv`` (the order of NBS's regional input-output collection).
* Capital coordinates (WGS84, 0.01°): ``raw/geo/province_capitals.csv``.
* Short region codes (``BJ``, ``TJ``, ``HEB`` …): chainsim's own labels, defined here.

Distances are great-circle (haversine) distances between capitals on a sphere of the IUGG
mean Earth radius, 6371.0088 km, rounded to 1 m so that the value is the same on every
platform (the last bit of ``sin``/``cos`` may differ between C libraries).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.errors import DataError

__all__ = ["EARTH_RADIUS_KM", "PROVINCES", "RAW_DIR", "Province", "distance_matrix_km", "great_circle_km",
           "load_provinces", "province_by_nbs_code"]

RAW_DIR = Path(__file__).resolve().parent / "raw"
EARTH_RADIUS_KM = 6371.0088

#: chainsim's short region code of each NBS province code (01 Beijing … 31 Xinjiang).
SHORT_CODES: dict[str, str] = {
    "01": "BJ", "02": "TJ", "03": "HEB", "04": "SX", "05": "NM", "06": "LN", "07": "JL", "08": "HLJ",
    "09": "SH", "10": "JS", "11": "ZJ", "12": "AH", "13": "FJ", "14": "JX", "15": "SD", "16": "HEN",
    "17": "HUB", "18": "HUN", "19": "GD", "20": "GX", "21": "HAN", "22": "CQ", "23": "SC", "24": "GZ",
    "25": "YN", "26": "XZ", "27": "SAX", "28": "GS", "29": "QH", "30": "NX", "31": "XJ",
}
PROVINCES = tuple(SHORT_CODES)  # NBS codes in order


@dataclass(frozen=True)
class Province:
    """One province: NBS code, short code, names, and its capital's name and coordinates."""

    nbs_code: str
    code: str
    pinyin: str
    name_en: str
    name_zh: str
    capital_en: str
    lat: float
    lon: float
    capital_zh: str = ""


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees (haversine).

    Examples
    --------
    >>> great_circle_km(41.80, 123.43, 41.80, 123.43)
    0.0
    >>> round(great_circle_km(39.90, 116.40, 41.80, 123.43))  # Beijing - Shenyang
    628
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))), 3)


@cache
def load_provinces(raw_dir: Path = RAW_DIR) -> tuple[Province, ...]:
    """The 31 provinces in NBS code order, from the shipped raw files.

    Raises
    ------
    DataError
        If a province is missing from either source file.
    """
    caps_path = raw_dir / "geo" / "province_capitals.csv"
    tot_path = raw_dir / "nbs_provincial_io_42" / "province_totals_10k_cny.csv"
    caps = pd.read_csv(caps_path, dtype={"code": str}).set_index("code")
    tot = pd.read_csv(tot_path, dtype={"code": str})
    names = tot[tot["year"] == 2017].set_index("code")
    out = []
    for nbs in PROVINCES:
        for path, frame in ((caps_path, caps), (tot_path, names)):
            if nbs not in frame.index:
                raise DataError(f"{path}: no row for province code '{nbs}'")
        c = caps.loc[nbs]
        out.append(Province(nbs, SHORT_CODES[nbs], str(c["province_pinyin"]), str(names.loc[nbs, "province_en"]),
                            str(c["province_zh"]), str(c["capital_en"]), float(c["lat"]), float(c["lon"]),
                            str(c["capital_zh"])))
    return tuple(out)


def province_by_nbs_code(nbs_code: str) -> Province | None:
    """The province with NBS code ``nbs_code`` (``"06"``), or ``None``."""
    return next((p for p in load_provinces() if p.nbs_code == nbs_code), None)


def distance_matrix_km(provinces: tuple[Province, ...] | None = None) -> np.ndarray:
    """Great-circle distances between the capitals of ``provinces`` (default: all 31), km."""
    provinces = load_provinces() if provinces is None else provinces
    n = len(provinces)
    d = np.zeros((n, n))
    for i, a in enumerate(provinces):
        for j, b in enumerate(provinces):
            if i != j:
                d[i, j] = great_circle_km(a.lat, a.lon, b.lat, b.lon)
    return d
