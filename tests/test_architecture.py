"""Guards for the rules in CONVENTIONS.md that a reviewer could miss."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from tenancy.api_base import ScopedAPIMixin
from tenancy.models import TenantOwnedModel, User
from tenancy.rls import tenant_models

ROOT = Path(__file__).resolve().parent.parent
APPS = ["config", "tenancy", "clients", "communications", "risk", "loyalty", "performance"]

# Where the unscoped manager may appear, and why.
ALL_TENANTS_ALLOWED = {
    "tenancy/models.py": "defines it",
}
ALL_TENANTS_ALLOWED_GLOBS = (
    "*/migrations/*",
    "*/admin.py",
    "*/tasks.py",
)  # migrations, platform admin, fan-out


def _python_files():
    for app in APPS:
        yield from (ROOT / app).rglob("*.py")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_unscoped_manager_only_where_allowed():
    offenders = []
    for path in _python_files():
        rel = _rel(path)
        if rel in ALL_TENANTS_ALLOWED or any(path.match(g) for g in ALL_TENANTS_ALLOWED_GLOBS):
            continue
        if re.search(r"(?<!app)\.all_tenants\b", path.read_text()):
            offenders.append(rel)
    assert offenders == []


def test_tasks_use_the_unscoped_manager_only_to_fan_out():
    """In tasks.py, `all_tenants` may only appear in functions that do not run
    inside a tenant scope (the per-tenant bodies are @tenant_task)."""
    offenders = []
    for path in _python_files():
        if path.name != "tasks.py":
            continue
        tree = ast.parse(path.read_text())
        for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            decorators = {ast.unparse(d) for d in fn.decorator_list}
            if any("tenant_task" in d for d in decorators) and "all_tenants" in ast.unparse(fn):
                offenders.append(f"{_rel(path)}:{fn.name}")
    assert offenders == []


def test_no_objects_get_in_views_or_api():
    offenders = []
    for path in _python_files():
        if path.name in ("views.py", "api.py") or path.parent.name in ("views", "api"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.objects\.get\(|get_object_or_404\(", line):
                    offenders.append(f"{_rel(path)}:{n}")
    assert offenders == []


def test_no_primary_key_fields_over_whole_tables_in_api():
    offenders = []
    for path in _python_files():
        if path.name == "api.py" or path.parent.name == "api":
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"RelatedField\(.*queryset\s*=\s*\w+\.(objects|all_tenants)\.", line):
                    offenders.append(f"{_rel(path)}:{n}")
    assert offenders == []


TENANT_MODELS = tenant_models()


def test_tenant_owned_models_inherit_the_base_or_are_listed():
    # Models with a tenant column that cannot use the scoped default manager,
    # with the reason. They are still covered by row-level security.
    exceptions = {
        "clients.ClientUserObjectPermission": "guardian's manager is needed by assign_perm"
    }
    stray = [
        m._meta.label
        for m in TENANT_MODELS
        if not issubclass(m, TenantOwnedModel) and m._meta.label not in exceptions
    ]
    assert stray == []


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_tenant_is_non_null(model):
    field = model._meta.get_field("tenant")
    assert field.null is False


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_indexes_and_unique_constraints_lead_with_tenant(model):
    bad = []
    for index in model._meta.indexes:
        if index.fields and index.fields[0] != "tenant":
            bad.append(index.name)
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", None)
        if fields and fields[0] != "tenant":
            bad.append(constraint.name)
    for together in model._meta.unique_together:
        if together[0] != "tenant" and model._meta.label != "clients.ClientUserObjectPermission":
            bad.append(str(together))
    assert bad == []


def test_user_is_the_only_model_with_a_tenant_outside_rls():
    with_tenant = [
        m
        for m in apps.get_models()
        if any(f.name == "tenant" and f.concrete for f in m._meta.fields)
    ]
    assert set(with_tenant) - set(TENANT_MODELS) == {User}


def test_api_views_declare_selectors_not_querysets():
    with pytest.raises(TypeError):
        type("Sneaky", (ScopedAPIMixin, object), {"get_queryset": lambda self: None})


# --- layers ----------------------------------------------------------------------------
# Dependencies point one way (DESIGN.md): performance -> loyalty / risk /
# communications -> clients -> tenancy; config sits on top and nothing imports
# it; nothing imports performance. Same-rank apps do not import each other.
# Function-level imports count like module-level ones.

LAYER = {
    "tenancy": 0,
    "clients": 1,
    "communications": 2,
    "risk": 2,
    "loyalty": 2,
    "performance": 3,
    "config": 4,
}

# Where ``User.objects`` may appear: tenancy's staff selectors and the tenancy
# code that must reach users before or outside a tenant scope.
USER_OBJECTS_ALLOWED = {
    "tenancy/selectors.py": "the staff selectors (tenant filter)",
    "tenancy/services.py": "staff and tenant writes, username uniqueness across tenants",
    "tenancy/demo.py": "demo and benchmark staff in bulk",
    "tenancy/receivers.py": "a failed login names a username before any tenant is known",
}
USER_OBJECTS_ALLOWED_GLOBS = ("tenancy/management/commands/*.py",)  # create_tenant, seed_demo


def _module_of(rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(rel: str, source: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, at any depth
    (function-level imports included); ``from pkg import name`` gives
    ``pkg.name`` when that is a module of the project, else ``pkg``."""
    module = _module_of(rel)
    package = module if rel.endswith("__init__.py") else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if _is_project_module(sub) else target))
    return found


def _is_project_module(name: str) -> bool:
    path = ROOT / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _is_migration(rel: str) -> bool:
    return "/migrations/" in rel


def get_model_strings(rel: str, source: str) -> list[str]:
    """``apps.get_model("<app>", ...)`` outside migrations: reaching another
    app's model by name hides a dependency from imports (and from this test)."""
    if _is_migration(rel):
        return []
    return [
        f"{rel}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get_model", "get_registered_model")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def user_objects_uses(rel: str, source: str) -> list[str]:
    """``User.objects`` (or ``get_user_model().objects``) outside the allow-list:
    staff are read through tenancy/selectors.py, which filters by tenant."""
    if rel in USER_OBJECTS_ALLOWED or any(Path(rel).match(g) for g in USER_OBJECTS_ALLOWED_GLOBS):
        return []
    if _is_migration(rel):
        return []
    offenders = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager"):
            owner = ast.unparse(node.value)
            if owner in ("User", "get_user_model()") or owner.endswith(".User"):
                offenders.append(f"{rel}:{node.lineno}")
    return offenders


def imports_against_the_layers(rel: str, source: str) -> list[str]:
    app = rel.split("/", 1)[0]
    offenders = []
    for line, target in _imported_modules(rel, source):
        other = target.split(".", 1)[0]
        if other == app or other not in LAYER:
            continue
        if other == "config" or LAYER[other] >= LAYER[app]:
            offenders.append(f"{rel}:{line} imports {target}")
    return offenders


def _sources():
    for path in _python_files():
        yield _rel(path), path.read_text()


def test_no_get_model_strings_outside_migrations():
    assert [o for rel, src in _sources() for o in get_model_strings(rel, src)] == []


def test_staff_are_read_only_through_tenancy_selectors():
    assert [o for rel, src in _sources() for o in user_objects_uses(rel, src)] == []


def test_imports_follow_the_layers():
    assert [o for rel, src in _sources() for o in imports_against_the_layers(rel, src)] == []


def test_the_layer_checks_catch_planted_violations(tmp_path):
    """The checkers above fail on the exact mistakes they are named for
    (a check that cannot fail guards nothing)."""
    planted_model = (
        "from django.apps import apps\n"
        "def visible(user):\n"
        '    return apps.get_model("clients", "Client").objects.all()\n'
    )
    assert get_model_strings("tenancy/access.py", planted_model) == ["tenancy/access.py:3"]
    assert get_model_strings("tenancy/migrations/0009_x.py", planted_model) == []

    planted_user = (
        "from tenancy.models import User\ndef staff():\n    return User.objects.filter(role='rm')\n"
    )
    assert user_objects_uses("clients/services/coverage.py", planted_user) == [
        "clients/services/coverage.py:3"
    ]
    assert user_objects_uses("tenancy/selectors.py", planted_user) == []
    assert user_objects_uses(
        "communications/x.py",
        "from django.contrib.auth import get_user_model\nget_user_model().objects.all()\n",
    ) == ["communications/x.py:2"]

    # against the direction, at function level and relative
    upward = "def f():\n    from communications.selectors import interaction_list\n"
    assert imports_against_the_layers("clients/views/core.py", upward) != []
    assert imports_against_the_layers("tenancy/views.py", "import clients.access\n") != []
    assert imports_against_the_layers("risk/x.py", "from performance import kpis\n") != []
    assert imports_against_the_layers("clients/x.py", "from config.celery import app\n") != []
    assert imports_against_the_layers("communications/x.py", "from clients.access import q\n") == []

    # the real files pass through the same functions
    planted_file = tmp_path / "planted.py"
    planted_file.write_text(planted_model)
    assert get_model_strings("tenancy/planted.py", planted_file.read_text())


def _import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for rel, source in _sources():
        if _is_migration(rel):
            continue
        module = _module_of(rel)
        graph[module] = {
            target
            for _line, target in _imported_modules(rel, source)
            if target.split(".", 1)[0] in LAYER and target != module
        }
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
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
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles_between_modules():
    """Function-level imports count: an import hidden in a function is still a
    cycle (services never import tasks; they enqueue by task name)."""
    assert import_cycles(_import_graph()) == []


def test_the_cycle_check_finds_a_planted_cycle():
    graph = {"clients.imports": {"clients.tasks"}, "clients.tasks": {"clients.imports"}}
    assert import_cycles(graph) == [["clients.imports", "clients.tasks"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_apps_do_not_depend_on_performance():
    offenders = []
    for app in ("tenancy", "clients", "communications", "risk", "loyalty"):
        for path in (ROOT / app).rglob("*.py"):
            if re.search(r"^\s*(from|import) performance\b", path.read_text(), re.M):
                offenders.append(_rel(path))
    assert offenders == []


def test_tenancy_depends_on_no_other_app():
    offenders = []
    for path in (ROOT / "tenancy").rglob("*.py"):
        if re.search(
            r"^\s*(from|import) (clients|communications|risk|loyalty|performance)\b",
            path.read_text(),
            re.M,
        ):
            offenders.append(_rel(path))
    assert offenders == []
