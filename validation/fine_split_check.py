#!/usr/bin/env python3
"""How wrong is "every province makes the national product mix"? The same assumption one level up, checked.

``northeast-2017-fine`` splits NBS 16, 17 and 20 of every province into their 149-sector
components by the national output shares (docs/data.md, "Finer products"). No provincial
table at 149 sectors is public, so the error cannot be measured on the components
themselves. It can be measured one level up, where the provincial tables are known: group
NBS-42 sectors the way the 149 components group inside a sector (16 + 17 machinery, 19 + 20 +
21 electrical and optical equipment, WIOD's c13 and c14; and a few others), split each
province's group output by the *national* shares, and compare with the province's actual
NBS-42 outputs. The error is the total-variation distance between the two mixes, ``0.5 *
sum |share_province - share_national|``: the share of the group's output put in the wrong
member.

usage: python validation/fine_split_check.py
"""

from __future__ import annotations

import numpy as np

GROUPS = (("16", "17"), ("19", "20", "21"), ("16", "17", "18"), ("13", "14", "15"), ("06", "07", "08"))


def main() -> int:
    """Print the misallocated share per group for LN, JL, HLJ, ROC and the median province."""
    from chainsim.data.build_report import raw_files
    from chainsim.data.nbs import read_nbs_table
    from chainsim.data.provinces import load_provinces

    tables = [read_nbs_table(f) for f in raw_files(2017)]
    go = np.stack([t.GO for t in tables])
    codes = [p.code for p in load_provinces()]
    national = go.sum(axis=0)
    roc = go[[i for i, c in enumerate(codes) if c not in ("LN", "JL", "HLJ")]].sum(axis=0)
    print("share of the group's output in the wrong member when split by national shares (2017, NBS-42 GO)")
    print(f"{'group':<14} {'LN':>6} {'JL':>6} {'HLJ':>6} {'ROC':>6} {'median of 31':>13}")
    for group in GROUPS:
        idx = [int(c) - 1 for c in group]
        nat = national[idx] / national[idx].sum()

        def tv(out: np.ndarray, nat: np.ndarray = nat, idx: list[int] = idx) -> float:
            s = out[idx] / out[idx].sum()
            return float(0.5 * np.abs(s - nat).sum())

        per = [tv(go[i]) for i in range(len(codes))]
        row = [tv(go[codes.index(c)]) for c in ("LN", "JL", "HLJ")] + [tv(roc)]
        print(f"{' + '.join(group):<14} " + " ".join(f"{v:6.3f}" for v in row) + f" {np.median(per):13.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
