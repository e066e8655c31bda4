"""analysis/ has no import cycle and no module imports another's private names."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def imports():
    """{module: {sibling module: [names imported from it]}} over every import statement."""
    found = {}
    for path in PACKAGE.glob("*.py"):
        edges = found.setdefault(path.stem, {})
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:  # from .fit import analyse
                    edges.setdefault(node.module, []).extend(a.name for a in node.names)
                else:  # from . import draw, results
                    for alias in node.names:
                        edges.setdefault(alias.name, [])
    return found


def test_no_private_name_crosses_a_module():
    crossing = [(module, target, name) for module, edges in imports().items()
                for target, names in edges.items() for name in names if name.startswith("_")]
    assert crossing == []


def test_no_import_cycle():
    graph = {module: set(edges) - {module} for module, edges in imports().items()}
    graph.pop("__init__", None)  # the package face: re-exports, imported by none of them
    done, path = set(), []

    def visit(module):
        assert module not in path, " -> ".join(path[path.index(module):] + [module])
        if module in done:
            return
        path.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_the_check_reads_the_imports():  # the checker itself sees the edges
    edges = imports()
    assert "families" in edges["plot"] and "mv" in edges["families"]
