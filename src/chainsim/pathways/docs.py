"""Render the pathway and lever registry as Markdown (``docs/pathways.md`` is generated from it).

Run ``python -m chainsim.pathways.docs > docs/pathways.md`` after changing a lever; a test
checks that the committed file matches the registry.
"""

from __future__ import annotations

from chainsim.pathways.registry import LEVERS, PATHWAYS

__all__ = ["pathways_markdown"]

_INTRO = """\
# Policy pathways (路径) and their levers

The five pathways of Xiao & Xiao (2023), 以东北全面振兴提升我国产业体系韧性的战略思路与路径选择
(sections 一 to 五), are bundles of model levers. Each lever moves one model quantity linearly
from its baseline value (intensity θ = 0) to its value at full intensity (θ = 1):
value(θ) = baseline + θ (full − baseline). The numbers are **modelling assumptions** with the
sentence of the paper they come from and the reason for the number; change any of them in a
scenario file:

```yaml
pathways:
  compare: [baseline, opening_up, tech_self_reliance+opening_up]   # "+" combines pathways
  intensity: 0.5                       # common θ
  intensities: {opening_up: 0.8}       # per-pathway θ
  levers: {opening_up: {import_headroom: 1.5}}   # value at θ = 1
  costs: {opening_up: 12.0}            # billion CNY per unit of θ (report: days saved per bn CNY)
```

A pathway whose levers cannot act on a scenario's disruptions (e.g. domestic substitution
of imports when nothing is imported) is reported as changing nothing, not silently ranked.
`baseline` (基准) changes nothing: it is chainsim's default model.

Generated from `chainsim.pathways.registry` by `python -m chainsim.pathways.docs`.
"""


def pathways_markdown() -> str:
    """The pathway registry as a Markdown document."""
    out = [_INTRO]
    out.append("\n## Overview\n\n| pathway | 中文 | paper section | levers |\n|---|---|---|---|")
    for p in PATHWAYS.values():
        if p.name == "baseline":
            continue
        out.append(f"| `{p.name}` | {p.name_zh} | {p.section} | {', '.join(f'`{x}`' for x in p.levers)} |")
    for p in PATHWAYS.values():
        if p.name == "baseline":
            continue
        out.append(f"\n## `{p.name}` {p.name_zh} — {p.title_en} (§{p.section})\n")
        out.append("| lever | model target | baseline (θ=0) | full (θ=1) | unit | sectors |\n|---|---|---|---|---|---|")
        for name in p.levers:
            lv = LEVERS[name]
            secs = ", ".join(lv.sectors) if lv.sectors else "all"
            out.append(f"| `{lv.name}` | `{lv.target}` | {lv.baseline:g} | {lv.full:g} | {lv.unit} | {secs} |")
        for name in p.levers:
            lv = LEVERS[name]
            out.append(f"\n**`{lv.name}`** — {lv.description}\n")
            out.append(f"> {lv.quote_zh}（§{lv.section}）\n")
            out.append(f"Why this number: {lv.rationale}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(pathways_markdown(), end="")
