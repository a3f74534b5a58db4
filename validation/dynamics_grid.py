"""The acceptance grid of issue #16 on the engine: the default model against ``legacy``, as a Markdown table.

``inventory_scale`` {0.2, 0.5, 1, 2} x capacity loss {20, 50, 80 %} x {2, 6, 12} weeks on
``JL|18`` (Jilin transport equipment) and ``LN|11`` (Liaoning refining), from day 10, back at
once, 460 days. *Back* = output stays within ±1 % of baseline (two-sided) from that day to the
end, China and each Northeast province. ``legacy`` (the default model before issue #16) runs at
``inventory_days = 90 x inventory_scale`` (its flat stocks). Run from the repository root:
``python validation/dynamics_grid.py`` (about a minute); ``tests/test_dynamics.py`` asserts the
default model's part.
"""

from __future__ import annotations

import numpy as np

from chainsim.data.datasets import load_dataset
from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params

SCALES, SHARES, WEEKS, TARGETS = (0.2, 0.5, 1.0, 2.0), (0.2, 0.5, 0.8), (2, 6, 12), ("JL|18", "LN|11")
START, DAYS, PROVINCES = 10, 460, ("LN", "JL", "HLJ")


def runs(model: str, target: str, scale: float):
    t = load_dataset("northeast-2017")
    m = build_model(t, resolve_params({"base": model, "inventory_scale": scale}))
    region, sector = target.split("|")
    cases = [(s, w) for s in SHARES for w in WEEKS]
    sets = [[{"type": "capacity_loss", "region": region, "sector": sector, "share": s, "start": START,
              "duration": 7 * w, "basis": "capacity", "recovery": {"curve": "linear", "days": 1}}] for s, w in cases]
    arr = Engine(m, sets).run(DAYS, record=())
    xb = np.asarray(m.xbar)[: m.n]
    S = m.n_sectors
    rel = {"China": arr.output.sum(axis=2) / xb.sum()}
    for r, code in enumerate(t.region_codes):
        if code in PROVINCES:
            sl = slice(r * S, (r + 1) * S)
            rel[code] = arr.output[:, :, sl].sum(axis=2) / xb[sl].sum()
    rows = []
    for b, (s, w) in enumerate(cases):
        end = START + 7 * w
        days = {}
        for name, v in rel.items():
            out = np.flatnonzero(~(np.abs(v[end:, b] - 1.0) <= 0.01))
            days[name] = 0 if not len(out) else (np.inf if out[-1] == DAYS - end - 1 else int(out[-1]) + 1)
        bound = {e[3] for e in arr.events if e[1] == b and e[2] == "shortage" and not e[3].startswith(region)}
        rows.append(dict(share=s, weeks=w, worst=max(days.values()), low_cn=float(rel["China"][:, b].min()),
                         low_prov=min(float(rel[p][:, b].min()) for p in PROVINCES), bound_outside=len(bound)))
    return rows


def main() -> None:
    print("| target | `inventory_scale` | model | back within 180 d (of 9) | worst days to ±1 % | lowest China | "
          "lowest province | buyers bound outside the region (max of 9) |")
    print("|---|---|---|---|---|---|---|---|")
    for target in TARGETS:
        for scale in SCALES:
            for model in ("legacy", "default"):
                rows = runs(model, target, scale)
                worst = max(r["worst"] for r in rows)
                back = sum(r["worst"] <= 180 for r in rows)
                print(f"| `{target}` | {scale:g} | {model} | {back} | {'never' if worst == np.inf else worst} | "
                      f"{min(r['low_cn'] for r in rows):.3f} | {min(r['low_prov'] for r in rows):.3f} | "
                      f"{max(r['bound_outside'] for r in rows)} |", flush=True)


if __name__ == "__main__":
    main()
