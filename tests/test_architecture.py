"""The code's layout rules that import-linter cannot express (it sees modules,
not names): no app imports another app's private ``_name``.

The layer contracts themselves (botilbud ← visitation ← disponering ← budget ←
onboarding) are in pyproject.toml ``[tool.importlinter]`` and run by
``python3 dev.py test`` (``lint-imports``)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("botilbud", "visitation", "disponering", "budget", "onboarding")
# Sub-apps with their own label count as apps of their own.
SUB_APPS = ("budget.followup", "budget.rates", "budget.dashboard", "botilbud.sso")


def _app_of(module: str) -> str:
    for sub in SUB_APPS:
        if module == sub or module.startswith(sub + "."):
            return sub
    return module.split(".")[0]


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, ".".join(path.relative_to(ROOT).with_suffix("").parts)


def test_no_app_imports_another_apps_private_names():
    offenders = []
    for path, module in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS):
                continue
            if _app_of(node.module) == _app_of(module):
                continue
            private_module = any(part.startswith("_") and part != "__init__" for part in node.module.split("."))
            names = [a.name for a in node.names if a.name.startswith("_")]
            if private_module or names:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} from {node.module} import {names or '…'}")
    assert not offenders, "import another app's public API instead:\n" + "\n".join(offenders)
