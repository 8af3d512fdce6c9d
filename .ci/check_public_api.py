"""Fail when project code reaches into a library's private parts.

A `_`-prefixed name belongs to the module or class that defines it: a library may rename or drop
it in any release. This walks every Python file of the project (migrations and tests included)
and reports each attribute read `obj._name` whose owner is not the code's own instance, each
`self._name` that the file never defines (so it comes from a library's base class), and each
`from module import _name` of another package; also `getattr(obj, "_name")` and friends, and
Django's query compiler internals (`sql_with_params`, `get_compiler`).

Allowed, because the libraries document them as public API:
- Django's `Model._meta` (the "Model _meta API") and `_default_manager` / `_base_manager`;
- namedtuple's `_fields`, `_replace`, `_asdict` and `_make`.

Usage: python .ci/check_public_api.py [PATH ...]   (exit 1 and one line per use when any is found)
"""

import ast
import sys
from pathlib import Path

DOCUMENTED = {
    "_meta",
    "_default_manager",
    "_base_manager",
    "_fields",
    "_replace",
    "_asdict",
    "_make",
}
OWN_INSTANCE = {"self", "cls"}
REFLECTION = {"getattr", "setattr", "hasattr", "delattr"}
QUERY_INTERNALS = {"sql_with_params", "get_compiler"}
SKIP_DIRS = {".venv", ".git", "node_modules", "staticfiles", ".ci"}
PROJECT_PACKAGES = {"sitecontent", "platforms", "tests"}


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_names(tree):
    """Private names this file defines itself: methods, class attributes, `self._x = ...`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.attr)
    return names


def violations(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = defined_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in QUERY_INTERNALS:
            yield node.lineno, f"query internals {ast.unparse(node)}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in REFLECTION
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
            and node.args[1].value not in DOCUMENTED
        ):
            yield node.lineno, f"attribute by name {ast.unparse(node)}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = node.value
            if node.attr in DOCUMENTED:
                continue
            if isinstance(owner, ast.Name) and owner.id in OWN_INSTANCE and node.attr in own:
                continue
            yield node.lineno, f"attribute {ast.unparse(node)}"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in PROJECT_PACKAGES:
                continue
            for alias in node.names:
                if is_private(alias.name) or any(is_private(p) for p in node.module.split(".")):
                    yield node.lineno, f"import {alias.name} from {node.module}"


def python_files(roots):
    for root in roots:
        root = Path(root)
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*.py")):
            if not SKIP_DIRS.intersection(path.parts):
                yield path


def main(argv):
    roots = argv or ["."]
    found = [(path, line, what) for path in python_files(roots) for line, what in violations(path)]
    for path, line, what in found:
        print(f"{path}:{line}: private API: {what}")
    if found:
        print(f"{len(found)} use(s) of private attributes; use the library's public API instead.")
        return 1
    print("No private attribute of any library is used.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
