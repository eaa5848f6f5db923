"""The packages of ``sms_gateway`` import each other in one direction only.

Every import (top-level, inside a function, under ``TYPE_CHECKING``) is read
with ``ast``; each subpackage is a node (``core``, ``fraud``...), and so is each
top-level module (``models``, ``settings``...). The graph must have no cycle,
so each layer can be read, tested and changed without the ones above it:

    core → settings → ops → models → delivery, providers → fraud → catalog
         → sending → dashboard → api, webhooks, admin, management → checks, urls, apps

(``ops`` holds both the infrastructure everyone uses, metrics and the Redis
client, and the probes that look at everything; the guard's shared types are
in ``core``: ``core/draft.py``, ``core/guard.py``.) ``KNOWN`` lists the few edges
that still point up, each with what removes it; nothing else may.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sms_gateway"

# (importer, imported): why it still points up, and what removes it.
KNOWN = {
    ("models", "providers"): "RouteProvider.clean() checks the alias against "
    "providers.provider_aliases(): the admin form could do it",
    ("ops", "providers"): "ops/health.py looks at the providers: the "
    "probes belong above them, the rest of ops below",
}


def node_of(module: str) -> str | None:
    """``sms_gateway.fraud.steps`` → ``fraud``; ``sms_gateway.models`` → ``models``."""
    parts = module.split(".")
    if parts[0] != "sms_gateway" or len(parts) < 2:
        return None
    return parts[1]


def imports_of(path: Path) -> set[str]:
    """Every ``sms_gateway`` module ``path`` imports, absolute or relative."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("sms_gateway.")}


def graph() -> dict[str, dict[str, set[str]]]:
    """node → imported node → the files that import it."""
    edges: dict[str, dict[str, set[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = node_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for name in imports_of(path):
            target = node_of(name)
            is_node = (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").exists()
            if target and source and target != source and is_node:
                files = edges.setdefault(source, {}).setdefault(target, set())
                files.add(str(path.relative_to(PACKAGE.parent)))
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search)."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        trail.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        trail.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_imports_are_read_relative_and_absolute():
    edges = graph()
    assert "fraud" in edges["sending"] or "fraud" in edges["catalog"]  # the reader works
    assert edges["api"]["sending"] == {"sms_gateway/api/views.py"}


def test_the_packages_import_each_other_in_one_direction():
    edges = {
        source: {t for t in targets if (source, t) not in KNOWN}
        for source, targets in graph().items()
    }
    cycle = find_cycle(edges)
    detail = ""
    if cycle:
        full = graph()
        detail = "; ".join(
            f"{a} → {b} in {', '.join(sorted(full[a][b]))}"
            for a, b in zip(cycle, cycle[1:], strict=False)
        )
    assert cycle is None, f"import cycle between packages: {detail}"


def test_the_guard_steps_do_not_import_the_send_path():
    """The cycle of issue 16: sending imported fraud.config, fraud.steps imported sending."""
    assert "sending" not in graph().get("fraud", {})


def test_every_known_upward_edge_still_exists():
    """An edge removed from the code leaves KNOWN too, so the list says what is left."""
    edges = {
        (node, target)
        for path in PACKAGE.rglob("*.py")
        if (node := node_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)))
        for target in {node_of(m) for m in imports_of(path)}
        if target and target != node
    }
    assert set(KNOWN) <= edges, set(KNOWN) - edges
