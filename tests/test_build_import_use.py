"""Imports by using sector: the national non-competitive prior and the per-province water-filling split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.data.import_use import NATIONAL_TABLE, national_import_shares, split_imports
from chainsim.errors import DataError


def test_national_prior_is_the_tables_import_share():
    m = national_import_shares()
    df = pd.read_csv(NATIONAL_TABLE, dtype={"Code": str})
    imp = df[df["Origin"] == "Imports"].set_index("Code")
    dom = df[df["Origin"] == "Domestic"].set_index("Code")
    # electronics (20) used by electronics, by electrical machinery (19) and by transport equipment (18)
    for user in ("20", "19", "18"):
        expected = imp.loc["20", user] / (imp.loc["20", user] + dom.loc["20", user])
        assert m[19, int(user) - 1] == pytest.approx(expected, rel=1e-12)
    assert m[19, 19] == pytest.approx(0.468, abs=0.001) and m[19, 27] < 0.01  # trade (28) imports no chips
    assert ((m >= 0) & (m <= 1)).all()
    hh, gfcf = 42, 44  # household (TC) and gfcf (FU201) columns
    assert m[17, hh] == pytest.approx(imp.loc["18", "TC"] / (imp.loc["18", "TC"] + dom.loc["18", "TC"]), rel=1e-12)
    assert m[16, gfcf] == pytest.approx(imp.loc["17", "FU201"] / (imp.loc["17", "FU201"] + dom.loc["17", "FU201"]))


def test_split_caps_at_the_use_and_adds_up():
    u = np.array([[[10.0, 10.0, 10.0]]])
    s = split_imports(np.array([[14.0]]), u, np.array([[0.9, 0.3, 0.0]]))
    # 0.9 lambda would pass 1: capped at 1 (10), the remaining 4 go to the 0.3-user; the 0-user imports nothing
    np.testing.assert_allclose(s.shares[0, 0], [1.0, 0.4, 0.0])
    assert s.fallback_rows == 0


def test_split_falls_back_to_one_share_when_the_prior_cannot_place_the_imports():
    s = split_imports(np.array([[5.0]]), np.array([[[10.0, 10.0]]]), np.array([[0.0, 0.0]]))
    np.testing.assert_allclose(s.shares[0, 0], [0.25, 0.25])
    assert s.fallback_rows == 1
    with pytest.raises(DataError, match="imports 25 exceed the positive uses 20"):
        split_imports(np.array([[25.0]]), np.array([[[10.0, 10.0]]]), np.array([[0.5, 0.5]]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(0, 1)), min_size=1, max_size=8), st.floats(0, 1))
def test_property_split(rows, frac):
    u = np.array([[[r[0] for r in rows]]])
    w = np.array([[r[1] for r in rows]])
    im = np.array([[frac * u.sum()]])
    s = split_imports(im, u, w)
    assert ((s.shares >= 0) & (s.shares <= 1)).all()
    assert (s.shares * u).sum() == pytest.approx(im[0, 0], rel=1e-9, abs=1e-9)
    if s.fallback_rows == 0:  # users with a larger prior never import a smaller share
        order = np.argsort(w[0])
        assert (np.diff(s.shares[0, 0][order][u[0, 0][order] > 0]) >= -1e-12).all()


def test_built_table_spreads_imports_by_user(tmp_path):
    """In the built table Liaoning's imported electronics go mostly to electronics and electrical machinery, and
    hardly to wholesale trade, instead of one share for every user."""
    from chainsim.data.build import build_northeast_2017

    t = build_northeast_2017().table
    ab = [t.origin_index(o) for o in t.foreign_origins]

    def share(user):
        j = t.industry_index("LN", user)
        rows = [r * t.n_sectors + 19 for r in range(t.n_regions)]
        imported = t.imports_Z[ab][:, 19, j].sum()
        return imported / (imported + t.Z[rows, j].sum() + t.imports_Z[t.origin_index("DOM"), 19, j])

    assert share("20") > 5 * share("28") and share("19") > share("28")


def test_split_with_a_vanishing_denominator_places_imports_without_a_floating_point_warning():
    """A user with a positive prior but a subnormal use makes the factor λ infinite: it is capped, the
    zero-prior user gets nothing, and no 'invalid value' is raised (inf x 0 in a discarded branch)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = split_imports(np.array([[1.0]]), np.array([[[1e-320, 5.0]]]), np.array([[1.0, 0.0]]))
    assert np.isfinite(s.shares).all() and (0 <= s.shares).all() and (s.shares <= 1).all()
    np.testing.assert_allclose((s.shares * np.array([[[1e-320, 5.0]]])).sum(), 1.0)  # the imports are placed
