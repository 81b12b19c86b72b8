"""Dependencies point one way: adapters -> dashboard -> market -> core/data -> constants.

Imports are read from the source with ``ast``, so the test sees every import, including
the ones inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlsrc"

ADAPTERS = {
    "xlsrc.__main__",
    "xlsrc.excel.udfs",
    "xlsrc.excel.formula",
    "xlsrc.excel.macros",
    "xlsrc.excel.workbook",
    "xlsrc.excel.vba_project",
    "xlsrc.excel.xlsx_writer",
    "xlsrc.report",
    "xlsrc.cli",
    "xlsrc.cli.__main__",
    "xlsrc.cli.arguments",
    "xlsrc.cli.data_commands",
    "xlsrc.cli.interruption",
    "xlsrc.cli.market_commands",
    "xlsrc.cli.output",
    "xlsrc.cli.parser",
    "xlsrc.cli.progress",
}
ADAPTER_ONLY_LIBRARIES = {"xlwings", "openpyxl", "xlsxwriter", "argparse", "tqdm", "pyopenvba"}
CONSTANTS = {"xlsrc.errors", "xlsrc.periods", "xlsrc.sectors"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from xlsrc.core import rs`` imports the module xlsrc.core.rs too.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_modules_were_found() -> None:
    assert "xlsrc.errors" in MODULES
    assert len(MODULES) > 5


CORE_ALLOWED_LIBRARIES = {
    "numpy",
    "pandas",
    "__future__",
    "collections",
    "dataclasses",
    "enum",
    "functools",
    "math",
    "typing",
    "warnings",
}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if in_package(m, "xlsrc.core")))
def test_core_is_pure(module: str) -> None:
    """The core imports the core, the constants and pure libraries: no I/O, no clock."""
    for name in MODULES[module]:
        top = name.split(".")[0]
        if top == "xlsrc":
            assert in_package(name, "xlsrc.core") or any(in_package(name, c) for c in CONSTANTS), (
                f"{module} imports {name}: the core may import only the core and constants"
            )
        else:
            assert top in CORE_ALLOWED_LIBRARIES, (
                f"{module} imports {name}: not allowed in the core"
            )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if in_package(m, "xlsrc.data")))
def test_data_layer_does_not_import_core_or_above(module: str) -> None:
    for name in MODULES[module]:
        for forbidden in ("xlsrc.core", "xlsrc.dashboard", "xlsrc.market", *ADAPTERS):
            assert not in_package(name, forbidden), f"{module} imports {name}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m not in ADAPTERS))
def test_only_adapters_import_excel_and_cli_libraries(module: str) -> None:
    for name in MODULES[module]:
        assert name.split(".")[0].lower() not in ADAPTER_ONLY_LIBRARIES, (
            f"{module} imports {name}: only adapters ({', '.join(sorted(ADAPTERS))}) may"
        )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m not in ADAPTERS))
def test_nothing_below_the_adapters_imports_an_adapter(module: str) -> None:
    for name in MODULES[module]:
        assert not any(in_package(name, adapter) for adapter in ADAPTERS), (
            f"{module} imports the adapter {name}"
        )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if in_package(m, "xlsrc.dashboard")))
def test_dashboard_does_not_import_data_providers(module: str) -> None:
    for name in MODULES[module]:
        assert not in_package(name, "xlsrc.data"), (
            f"{module} imports {name}: the dashboard reads market data through xlsrc.market"
        )


#: Adapters translate; they reach the analytics through xlsrc.market and xlsrc.dashboard.
ADAPTER_PACKAGES = ("xlsrc.excel", "xlsrc.report", "xlsrc.cli", "xlsrc.__main__", "xlsrc._api")


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if any(in_package(m, p) for p in ADAPTER_PACKAGES))
)
def test_adapters_do_not_import_the_core(module: str) -> None:
    for name in MODULES[module]:
        assert not in_package(name, "xlsrc.core"), (
            f"{module} imports {name}: an adapter asks xlsrc.market (Market.value/values, "
            "lookup_metric) or the builders of xlsrc.dashboard, never the core"
        )


def test_the_adapter_rule_sees_every_adapter() -> None:
    adapters = {m for m in MODULES if any(in_package(m, p) for p in ADAPTER_PACKAGES)}
    assert ADAPTERS <= adapters and "xlsrc.excel.args" in adapters


#: The Python API (``import xlsrc``): an adapter for notebooks and scripts, one layer like
#: the command line. It asks the market and the builders for numbers (so they equal the
#: formulas'), opens stores through the data layer, raises the errors of xlsrc.errors, and
#: uses no Excel or command-line library (it is not in ADAPTERS, so the rule above holds
#: it). It is imported by the package's ``__init__`` alone, which imports nothing else: an
#: adapter or a lower layer that imported it would load every other adapter's entry point.
API = "xlsrc._api"
#: The dashboard's builders: the modules that make its tables (xlsrc.dashboard.build lists them).
BUILDERS = tuple(
    f"xlsrc.dashboard.{name}"
    for name in ("build", "frames", "tables", "rankings", "leadership", "facts")
)
API_MAY_IMPORT = ("xlsrc.market", *BUILDERS, "xlsrc.data", "xlsrc.errors")


def test_the_api_asks_the_market_and_the_builders() -> None:
    assert API in MODULES and set(BUILDERS) <= MODULES.keys()
    for name in MODULES[API]:
        if name.split(".")[0] == "xlsrc":
            assert any(in_package(name, allowed) for allowed in API_MAY_IMPORT), (
                f"{API} imports {name}: the API reads numbers through xlsrc.market and "
                "the builders of xlsrc.dashboard, stores through xlsrc.data"
            )


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m not in ("xlsrc", API)))
def test_only_the_package_imports_the_api(module: str) -> None:
    assert not any(in_package(name, API) for name in MODULES[module]), (
        f"{module} imports {API}: only xlsrc/__init__.py re-exports it"
    )


def test_the_package_imports_only_the_api() -> None:
    """``import xlsrc`` stays cheap: the package loads the API module and nothing else."""
    ours = {n for n in MODULES["xlsrc"] if n.split(".")[0] == "xlsrc"}
    assert ours and all(in_package(n, API) for n in ours), ours
