"""Draws the package diagram in ARCHITECTURE.md from the real imports (grimp, the graph
import-linter checks), grouped by the layers of pyproject.toml's layers contract.

    python tools/package_graph.py          # rewrite the diagram in ARCHITECTURE.md
    python tools/package_graph.py --check  # fail when the checked-in diagram is stale
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
START, END = "<!-- package-graph:start -->", "<!-- package-graph:end -->"
PACKAGE = "power_portal"


def layers() -> list[list[str]]:
    """The layers contract's layers, top first, each a list of top-level package names."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [
        [name.strip(" ()").removeprefix(f"{PACKAGE}.") for name in re.split(r"[|:]", layer)]
        for layer in contract["layers"]
    ]


def edges(graph: grimp.ImportGraph, names: list[str]) -> list[tuple[str, str]]:
    """(importer, imported) for every pair of top-level packages with a direct import."""
    found = []
    for importer, imported in itertools.permutations(names, 2):
        if graph.direct_import_exists(
            importer=f"{PACKAGE}.{importer}", imported=f"{PACKAGE}.{imported}", as_packages=True
        ):
            found.append((importer, imported))
    return sorted(found)


def cycles(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of packages that import each other."""
    present = set(pairs)
    return sorted((a, b) for a, b in present if a < b and (b, a) in present)


def diagram() -> str:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)  # a stale cache once hid a new import
    tiers = layers()
    names = [name for tier in tiers for name in tier if f"{PACKAGE}.{name}" in graph.modules]
    pairs = edges(graph, names)
    lines = ["```mermaid", "flowchart TB"]
    for index, tier in enumerate(tiers):
        present = [name for name in tier if name in names]
        if not present:
            continue
        lines.append(f'  subgraph L{index}["layer {index + 1}"]')
        lines.append("    direction LR")
        lines.extend(f"    {name}" for name in present)
        lines.append("  end")
    lines.extend(f"  {importer} --> {imported}" for importer, imported in pairs)
    lines.append("```")
    mutual = cycles(pairs)
    lines.append("")
    lines.append(
        f"{len(names)} packages, {len(pairs)} package-to-package imports, "
        f"{len(mutual)} pairs importing each other"
        + (": " + ", ".join(f"{a}↔{b}" for a, b in mutual) if mutual else ".")
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the diagram is stale")
    args = parser.parse_args()
    text = DOC.read_text()
    if START not in text or END not in text:
        print(f"{DOC.name} has no {START} … {END} block", file=sys.stderr)
        return 1
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    updated = f"{before}{START}\n{diagram()}\n{END}{after}"
    if args.check:
        if updated != text:
            print("ARCHITECTURE.md's package diagram is stale: run 'make architecture'.")
            return 1
        print("package diagram is up to date")
        return 0
    DOC.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
