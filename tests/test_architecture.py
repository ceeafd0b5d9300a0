"""The code's layout rules that import-linter cannot express (it sees modules,
not names): no app imports another app's private ``_name``.

The layer contracts themselves (botilbud ← visitation ← disponering ← budget ←
onboarding) are in pyproject.toml ``[tool.importlinter]`` and run by
``python3 dev.py test`` (``lint-imports``)."""

from __future__ import annotations

import json
import subprocess
import sys
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


# Parsed in a fresh interpreter: CPython 3.11.7's ``ast`` raises "SystemError: AST
# constructor recursion depth mismatch" in a process where an earlier test (hypothesis)
# has hit a RecursionError, so parsing in the test process made this test fail by the
# order the tests happened to run in.
_IMPORTS = """
import ast, json, sys
out = {}
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out[path] = [
        (node.lineno, node.module, [a.name for a in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    ]
print(json.dumps(out))
"""


def test_no_app_imports_another_apps_private_names():
    modules = {str(path): module for path, module in _modules()}
    found = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *modules], capture_output=True, text=True, check=True
    ).stdout
    offenders = []
    for path, imports in json.loads(found).items():
        module = modules[path]
        for lineno, imported, imported_names in imports:
            if imported.split(".")[0] not in APPS or _app_of(imported) == _app_of(module):
                continue
            private_module = any(part.startswith("_") and part != "__init__" for part in imported.split("."))
            names = [name for name in imported_names if name.startswith("_")]
            if private_module or names:
                offenders.append(f"{Path(path).relative_to(ROOT)}:{lineno} from {imported} import {names or '…'}")
    assert not offenders, "import another app's public API instead:\n" + "\n".join(offenders)
