"""northeast-2017-fine: the chokepoint sectors split into their 149-sector components (issue 21)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import spearmanr

from chainsim.data.build import build_northeast_2017_fine, provincial_build
from chainsim.data.disaggregate import membership, output_shares, split_mrio
from chainsim.data.nbs149 import CHOKEPOINT_SPLIT, national_detail, sector_parents
from chainsim.data.origins import nbs42_origin_shares
from chainsim.data.origins_149 import fine_origin_shares
from chainsim.errors import DataError

CHILDREN = {"16": ["067", "068", "069", "070", "071", "072"], "17": ["073", "074", "075", "076"],
            "20": ["088", "089", "090", "091", "092", "093"]}


@pytest.fixture(scope="module")
def fine():
    return build_northeast_2017_fine()


@pytest.fixture(scope="module")
def coarse():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


def _aggregate(t, axis_sizes):
    """Matrix (fine sectors -> NBS-42) of a split table, region-major over the industries."""
    parents = sector_parents(t)
    codes42 = [f"{i:02d}" for i in range(1, 43)]
    E = np.zeros((t.n_sectors, 42))
    E[np.arange(t.n_sectors), [codes42.index(parents[c]) for c in t.sector_codes]] = 1.0
    return np.kron(np.eye(axis_sizes), E)


def test_fine_table_has_the_chokepoint_products_and_balances(fine):
    t = fine.table
    codes = t.sector_codes
    assert t.name == "northeast-2017-fine" and t.region_codes == ("LN", "JL", "HLJ", "ROC")
    assert t.n_sectors == 42 - 3 + 16 == 55
    for parent, kids in CHILDREN.items():
        assert parent not in codes and all(k in codes for k in kids)
        assert all(sector_parents(t)[k] == parent for k in kids)
    assert "21" in codes and "19" in codes  # instruments are one 149 sector (094); 19 is not split by default
    names = {s.code: (s.name_zh, s.name_en) for s in t.sectors}
    assert names["092"] == ("电子元器件", "Manufacture of electronic components")
    assert names["068"][0] == "金属加工机械" and names["076"][0] == "其他专用设备"
    rows = t.Z.sum(axis=1) + t.Y.sum(axis=1) + t.exports
    cols = t.Z.sum(axis=0) + t.imports_Z.sum(axis=(0, 1)) + t.value_added
    np.testing.assert_allclose(rows, t.x, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(cols, t.x, rtol=1e-9, atol=1e-6)
    assert (t.Z >= 0).all() and (t.imports_Z >= 0).all() and (t.exports >= 0).all()
    rep = fine.report["split"]
    assert rep["ras_max_gap"] <= 1e-10 and rep["value_added_fallback_columns"] == 0
    assert t.provenance["sector_parents"]["092"] == "20" and "assumption_split" in t.provenance


def test_fine_aggregates_back_to_northeast_2017_exactly(fine, coarse):
    """Summing the components gives the shipped northeast-2017 to rounding, except the origin mix of NBS 20, whose
    component 092 takes cited customs origins (its total over origins still aggregates exactly)."""
    t = fine.table
    A = _aggregate(t, t.n_regions)  # (N fine, N coarse)
    for f, a in (("Z", A.T @ t.Z @ A), ("Y", A.T @ t.Y), ("exports", A.T @ t.exports),
                 ("value_added", A.T @ t.value_added), ("x", A.T @ t.x)):
        b = getattr(coarse, f)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max(), err_msg=f)
    E = A[:t.n_sectors, :42]
    imz = np.einsum("kpn,pq->kqn", t.imports_Z, E) @ A
    imy = np.einsum("kpc,pq->kqc", t.imports_Y, E)
    for a, b in ((imz, coarse.imports_Z), (imy, coarse.imports_Y)):
        np.testing.assert_allclose(a.sum(axis=0), b.sum(axis=0), rtol=1e-9, atol=1e-9 * np.abs(b).max())
        keep = [p for p in range(42) if p != 19]  # every product but 20 also by origin
        np.testing.assert_allclose(a[:, keep], b[:, keep], rtol=1e-9, atol=1e-9 * np.abs(b).max())
        assert not np.allclose(a[:, 19], b[:, 19])  # 20: customs mix of ICs for 092
    assert t.origins == coarse.origins and t.fd_columns == coarse.fd_columns


def test_every_region_makes_the_national_product_mix(fine):
    """The proportional assumption: a split sector's output divides among its components as nationally."""
    t = fine.table
    nat = national_detail(CHOKEPOINT_SPLIT)
    theta = dict(zip(nat.codes, output_shares(nat), strict=True))
    for kids in CHILDREN.values():
        for r in t.region_codes:
            x = np.array([t.x[t.industry_index(r, k)] for k in kids])
            np.testing.assert_allclose(x / x.sum(), [theta[k] for k in kids], rtol=1e-9)
    assert theta["092"] == pytest.approx(0.412, abs=1e-3)  # electronic components: 41 % of NBS 20 (2017)


def test_import_dependence_of_the_components_follows_the_national_table(fine):
    """Import shares of use of the split products rank as in the national 149 table (ICs' 092 the most imported
    of the electronics; NBS netting of re-exports makes every provincial share lower)."""
    t = fine.table
    S, R = t.n_sectors, t.n_regions
    foreign = [i for i, o in enumerate(t.origins) if o not in t.domestic_origins]
    imp = t.imports_Z[foreign].sum(axis=(0, 2)) + t.imports_Y[foreign].sum(axis=(0, 2))
    use = t.Z.reshape(R, S, -1).sum(axis=(0, 2)) + np.clip(t.Y, 0, None).reshape(R, S, -1).sum(axis=(0, 2)) \
        + t.imports_Z.sum(axis=(0, 2)) + t.imports_Y.sum(axis=(0, 2))
    kids = [k for v in CHILDREN.values() for k in v if k != "093"]  # 093: no imports in the national table
    nat = national_detail(CHOKEPOINT_SPLIT)
    ours = [imp[t.sector_index(k)] / use[t.sector_index(k)] for k in kids]
    national = [nat.import_share[nat.codes.index(k)] for k in kids]
    assert spearmanr(ours, national).statistic > 0.9
    assert max(zip(ours, kids, strict=True))[1] == "092"
    assert imp[t.sector_index("093")] == 0.0


def test_electronic_components_take_the_customs_origin_mix(fine):
    t = fine.table
    nat = national_detail(CHOKEPOINT_SPLIT)
    mix = fine_origin_shares(nat, "intermediate").loc["092"]
    k = t.sector_index("092")
    foreign = [i for i, o in enumerate(t.origins) if o not in t.domestic_origins]
    by_origin = t.imports_Z[foreign, k].sum(axis=1)
    np.testing.assert_allclose(by_origin / by_origin.sum(), mix.to_numpy(), rtol=1e-9)
    assert mix["TWN"] == pytest.approx(809.04 / 2601.43) and mix["KOR"] == pytest.approx(0.252, abs=5e-4)
    assert mix["USA"] == pytest.approx(102.0 / 2601.43)
    # computers keep NBS 20's WIOD mix
    k = t.sector_index("088")
    by_origin = t.imports_Z[foreign, k].sum(axis=1)
    np.testing.assert_allclose(by_origin / by_origin.sum(), nbs42_origin_shares("intermediate").loc["20"], rtol=1e-9)


def test_proportional_national_weights_split_every_flow_by_output_shares():
    """Known answer: if the national table divides every flow of a sector in its output shares, the split of any
    provincial table is those shares times each flow, exactly."""
    nat = national_detail(("20",))
    E = membership(nat)
    theta = output_shares(nat)
    D = E * theta[:, None]  # (fine, 42): theta on the components
    agg_z, agg_f = E.T @ nat.Z @ E, E.T @ nat.F
    prop = dataclasses.replace(nat, Z=D @ agg_z @ D.T, F=D @ agg_f, exports=D @ (E.T @ nat.exports),
                               imports=D @ (E.T @ nat.imports), output=D @ (E.T @ nat.output),
                               value_added=D @ (E.T @ nat.value_added))
    m = provincial_build().mrio
    w = nbs42_origin_shares("intermediate").loc[list(nat.parent)].to_numpy()
    wf = nbs42_origin_shares("final").loc[list(nat.parent)].to_numpy()
    out, rep = split_mrio(m, prop, w, wf, n_pools=1)
    kids = nat.children("20")
    expect = np.einsum("c,odj->codj", theta[kids], m.Z[:, 19][..., :19])  # sales of 20 to users 01..19
    np.testing.assert_allclose(np.moveaxis(out.Z[:, kids][..., :19], 1, 0), expect, rtol=1e-8, atol=1e-6)
    np.testing.assert_allclose(out.x[:, kids], m.x[:, [19]] * theta[kids], rtol=1e-9)
    np.testing.assert_allclose(out.value_added[:, kids], m.value_added[:, [19]] * theta[kids], rtol=1e-7, atol=1e-3)
    inputs = out.Z[:, :, :, kids].sum(axis=(0, 1))  # (R, components)
    np.testing.assert_allclose(inputs, m.Z[:, :, :, 19].sum(axis=(0, 1))[:, None] * theta[kids], rtol=1e-8)
    assert rep["cells_without_national_weight"] >= 0


@pytest.mark.parametrize(("split", "match"), [(("020",), r"unknown NBS-42 sector '020'.*did you mean '20'"),
                                              (("21",), r"21 is a single 149 sector \(094 仪器仪表\)")])
def test_split_errors_name_the_problem(split, match):
    with pytest.raises(DataError, match=match):
        national_detail(split)


def test_fine_dataset_is_cached_deterministic_and_shown_by_the_cli(tmp_path, monkeypatch, capsys, fine):
    from chainsim.cli import main
    from chainsim.data import datasets

    monkeypatch.setenv("CHAINSIM_CACHE", str(tmp_path / "cache"))
    datasets._load.cache_clear()
    t1 = datasets.load_dataset("northeast-2017-fine")
    assert t1.checksum == fine.table.checksum  # the cached build equals a fresh one
    folders = list((tmp_path / "cache").iterdir())
    assert len(folders) == 1 and (folders[0] / "Z.npy").is_file()
    datasets._load.cache_clear()
    assert datasets.load_dataset("northeast-2017-fine").checksum == t1.checksum  # read back from the cache
    info = {d.name: d for d in datasets.list_datasets()}["northeast-2017-fine"]
    assert info.available and info.n_sectors == 55 and info.n_industries == 220
    assert main(["data", "show", "northeast-2017-fine", "--sectors"]) == 0
    out = capsys.readouterr().out
    assert "4 regions x 55 sectors = 220 industries" in out and "092" in out and "电子元器件" in out
    datasets._load.cache_clear()
