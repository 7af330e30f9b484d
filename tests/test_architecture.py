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
        if path.name in ("views.py", "api.py") or path.name.endswith(("_views.py", "_api.py")):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"\.objects\.get\(|get_object_or_404\(", line):
                    offenders.append(f"{_rel(path)}:{n}")
    assert offenders == []


def test_no_primary_key_fields_over_whole_tables_in_api():
    offenders = []
    for path in _python_files():
        if path.name == "api.py" or path.name.endswith("_api.py"):
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
