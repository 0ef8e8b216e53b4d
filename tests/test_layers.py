"""The import contract in pyproject.toml holds: layers, forbidden imports, no circles."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("xiangtan_nlp", include_external_packages=True, exclude_type_checking_imports=True)


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


@pytest.mark.parametrize("contract", [c["id"] for c in _contracts()])
def test_import_contract_is_kept(contract: str, capsys) -> None:
    from importlinter.cli import lint_imports

    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), limit_to_contracts=(contract,), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out


def test_the_graph_sees_function_level_imports(graph) -> None:
    """The contract would be toothless if lazy imports (inside functions) were invisible to it."""
    assert graph.direct_import_exists(importer="xiangtan_nlp.pipeline.document", imported="xiangtan_nlp.cleaning")
    assert graph.direct_import_exists(importer="xiangtan_nlp.model", imported="xiangtan_nlp.display")


def test_every_module_is_in_a_layer(graph) -> None:
    """A new top-level module or package must be placed in the layers (or it escapes the contract)."""
    layers = next(c for c in _contracts() if c["id"] == "layers")["layers"]
    placed = {m.strip() for layer in layers for m in layer.replace("|", ":").split(":")}
    top = {m for m in graph.find_children("xiangtan_nlp")}
    unplaced = sorted(top - placed)
    assert unplaced == [], f"modules outside every layer of pyproject.toml: {unplaced}"


def test_no_module_imports_itself_back(graph) -> None:
    """No circle between any two modules (strongly connected components of the module graph)."""
    modules = sorted(m for m in graph.modules if m.startswith("xiangtan_nlp"))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm, iterative enough for a package this size
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if not w.startswith("xiangtan_nlp") or w == "xiangtan_nlp":
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for m in modules:
        if m not in index:
            visit(m)
    assert circles == [], f"modules importing each other: {circles}"

