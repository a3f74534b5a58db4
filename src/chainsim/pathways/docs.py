"""Render the pathway and lever registry as Markdown (``docs/pathways.md`` is generated from it).

Run ``python -m chainsim.pathways.docs > docs/pathways.md`` after changing a lever; a test
checks that the committed file matches the registry.
"""

from __future__ import annotations

from chainsim.pathways.evidence import SOURCES, EvidenceRange
from chainsim.pathways.registry import LEVERS, PATHWAYS

__all__ = ["pathways_markdown"]

_INTRO = """\
# Policy pathways (路径) and their levers

The five pathways of Xiao & Xiao (2023), 以东北全面振兴提升我国产业体系韧性的战略思路与路径选择
(sections 一 to 五), are bundles of model levers. Each lever moves one model quantity linearly
from its baseline value (intensity θ = 0, chainsim's default model) to its value at full
intensity (θ = 1): value(θ) = baseline + θ (full − baseline).

**Where the numbers come from.** A lever's full value is what a documented programme or
episode achieved — Korea's substitution of Japanese hydrogen fluoride in 2019, China's
domestic shares of chips, chip-making equipment, CNC machine tools and robots, NBS capacity
utilisation, the Renesas, Toyota and Shanghai recoveries — with a plausible **range** and its
**sources** below. Where the evidence differs by product, the value is given per product
class (substituting chip-making equipment is not substituting steel): the class of the
products a scenario's disruptions make scarce applies (import and link cuts: their product;
capacity losses: their sector). When those products fall into several classes, the least
effective class applies (the engine takes one value per run) and the run notes it. Each
source is marked [F] (figure found in it) or [I] (inference or arithmetic from found figures).

**Equal effort.** θ is the share of the documented achievement a pathway delivers: θ = 1
moves every lever to the best outcome on record for it, θ = 0.5 half-way. Comparing pathways
at the same θ (the default, 0.5) compares them at equal effort in *that* sense — not at equal
spending, for which no cited cost basis exists. A user who has costs gives them per pathway
(billion CNY per unit of θ, with their basis); the summary then reports the loss saved per
billion CNY, and a pathway without a cost says "no cost model" in the output.

**Uncertainty.** By default `chainsim run` draws each lever's full value from its range in
every replication (triangular on low, full, high), with the same draw for a lever in every
pathway of replication *k* (common random numbers), so the comparison carries the evidence's
uncertainty; `levers: fixed` in the scenario (or `chainsim run --levers fixed`) keeps every
lever at its central value. A full value set in the scenario (`pathways.levers`) is never drawn.

```yaml
levers: drawn                          # or: fixed
pathways:
  compare: [baseline, opening_up, tech_self_reliance+opening_up]   # "+" combines pathways
  intensity: 0.5                       # common θ (equal effort)
  intensities: {opening_up: 0.8}       # per-pathway θ
  levers: {opening_up: {import_headroom: 1.5}}   # full value (θ = 1), fixed
  costs: {opening_up: 12.0}            # billion CNY per unit of θ
  cost_basis: {opening_up: "2024 provincial budget line X"}   # where the cost comes from
```

A pathway whose levers cannot act on a scenario's disruptions (e.g. domestic substitution
of imports when nothing is imported) changes nothing; the comparison reports it as
"no effect", never ranked below the baseline. `baseline` (基准) changes nothing: it is
chainsim's default model.

Generated from `chainsim.pathways.registry` by `python -m chainsim.pathways.docs`.
"""


def _num(x: float) -> str:
    return f"{x:g}"


def _range(r: EvidenceRange) -> str:
    return f"{_num(r.low)}–{_num(r.high)}"


def _sources(keys: tuple[str, ...]) -> str:
    return ", ".join(f"[{k}](#{k.replace('_', '-')})" for k in keys)


def pathways_markdown() -> str:
    """The pathway registry as a Markdown document."""
    out = [_INTRO]
    out.append("\n## Overview\n\n| pathway | 中文 | paper section | levers |\n|---|---|---|---|")
    for p in PATHWAYS.values():
        if p.name == "baseline":
            continue
        out.append(f"| `{p.name}` | {p.name_zh} | {p.section} | {', '.join(f'`{x}`' for x in p.levers)} |")
    used: list[str] = []
    for p in PATHWAYS.values():
        if p.name == "baseline":
            continue
        out.append(f"\n## `{p.name}` {p.name_zh} — {p.title_en} (§{p.section})\n")
        out.append("| lever | model target | baseline (θ=0) | full (θ=1) | range of full | unit | sectors |\n"
                   "|---|---|---|---|---|---|---|")
        for name in p.levers:
            lv = LEVERS[name]
            secs = ", ".join(lv.sectors) if lv.sectors else "all"
            classes = " (default class; by product below)" if len(lv.evidence) > 1 else ""
            out.append(f"| `{lv.name}` | `{lv.target}` | {_num(lv.baseline)} | {_num(lv.full)}{classes} | "
                       f"{_range(lv.default)} | {lv.unit} | {secs} |")
        for name in p.levers:
            lv = LEVERS[name]
            out.append(f"\n**`{lv.name}`** — {lv.description}\n")
            out.append(f"> {lv.quote_zh}（§{lv.section}）\n")
            out.append(f"Baseline {_num(lv.baseline)}: {lv.baseline_basis}\n")
            out.append("| product class | full (θ=1) | range | basis | sources |\n|---|---|---|---|---|")
            for r in lv.evidence:
                out.append(f"| {r.label} | {_num(r.full)} | {_range(r)} | {r.basis} | {_sources(r.sources)} |")
                used.extend(k for k in r.sources if k not in used)
    out.append("\n## Sources\n")
    for key in sorted(used):
        s = SOURCES[key]
        url = f" <{s.url}>" if s.url else ""
        out.append(f"- <a id=\"{key.replace('_', '-')}\"></a>**{key}** [{s.status}] — {s.citation}.{url} "
                   f"{s.finding}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(pathways_markdown(), end="")
