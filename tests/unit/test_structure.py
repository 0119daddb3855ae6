"""The layout rules a newcomer relies on, checked on the source (docs/architecture.md, "Layout").

- No import circle between the parts of ``app/`` (its sub-packages and top-level modules): each
  part builds on the ones below it, so a rule has one obvious home.
- The domain packages import no Flask and none of each other.
- Every role test lives in ``app/policy.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PACKAGES = ("crypto", "cpims", "gbvims", "referral")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (deferred imports included)."""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # "from .. import audit" names a module, not an attribute.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _part_of_app(module: str) -> str | None:
    """The part of ``app`` a module belongs to: "app.cases", "app.audit", … (None outside app)."""
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    candidate = ROOT / "app" / parts[1]
    if candidate.is_dir() or candidate.with_suffix(".py").is_file():
        return f"app.{parts[1]}"
    return None


def _app_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "app").rglob("*.py"):
        if path == ROOT / "app" / "__init__.py":
            continue  # the app factory: it wires every part together, nothing imports it
        source = _part_of_app(_module_name(path))
        assert source is not None
        targets = {_part_of_app(m) for m in _imports(path)} - {None, source}
        graph.setdefault(source, set()).update(t for t in targets if t is not None)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_the_parts_of_app() -> None:
    graph = _app_graph()
    assert {"app.cases", "app.referrals", "app.policy", "app.validation"} <= set(graph)
    assert _cycles(graph) == []


def test_domain_packages_import_no_flask_and_none_of_each_other() -> None:
    for package in DOMAIN_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            roots = {m.split(".")[0] for m in _imports(path)}
            forbidden = roots & ({"flask", "flask_babel", "flask_login", "app", "models"} | set(DOMAIN_PACKAGES))
            assert forbidden <= {package}, f"{path.relative_to(ROOT)} imports {sorted(forbidden - {package})}"


# A role compared in Python or a template (``user.role == "x"``, ``role != 'x'``, ``.role in``);
# ``User.role == …`` in a query selects rows and decides nothing, so it is not matched.
ROLE_TEST = re.compile(r"""(?<!User)\.role\s*(==|!=|\bin\b|\bnot in\b)|(?<![.\w])role\s*(==|!=)\s*["']""")


def test_every_role_test_lives_in_the_policy_module() -> None:
    offenders = []
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "app").rglob("*.html")]):
        if path == ROOT / "app" / "policy.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_TEST.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
