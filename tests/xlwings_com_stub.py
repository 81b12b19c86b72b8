"""Load xlwings' Windows UDF machinery on Linux, with pywin32 replaced by stubs.

Excel on Windows calls ``xlwings.udfs.call_udf(module, name, args, this_workbook, caller)``
from its COM server: that function reads every argument through
``xlwings.conversion.read(None, value, options)``, calls the Python function and writes
the result through ``xlwings.conversion.write(result, None, options)``; both run the
stages of the *Windows* engine (``xlwings._xlwindows.Engine``: ``clean_value_data``
turns pywin32 times into naive datetimes and blanks into ``None``;
``prepare_xl_data_element`` turns NaN/None into ``""`` and dates into COM times).

This module imports the real ``xlwings._xlwindows`` and ``xlwings.udfs`` modules with
minimal stand-ins for ``pywintypes``, ``pythoncom``, ``win32api``... so that tests run
that same code, not a copy of it. The stand-ins only provide names those modules touch at
import time or on the code paths UDF calls take; nothing here talks to Excel.

:func:`load` returns a namespace with ``udfs`` (the real ``xlwings.udfs``), ``xlwindows``,
``TimeType`` (the stand-in for ``pywintypes.TimeType``: a tz-aware datetime, as pywin32
hands dates from cells to Python) and ``MISSING`` (the value VBA passes for an omitted
optional argument).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import sys
import types
from typing import Any

#: What VBA's ``Array(...)`` holds for an omitted ``Optional`` argument (DISP_E_PARAMNOTFOUND).
MISSING = -2147352572

_loaded: types.SimpleNamespace | None = None


class TimeType(dt.datetime):
    """Stand-in for ``pywintypes.TimeType`` (pywin32's COM date, a datetime subclass)."""


class _Anything:
    """An object whose every attribute is a harmless callable (for unused win32 APIs)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> _Anything:
        return _Anything()

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()


def _module(name: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name)

    def __getattr__(attr: str) -> Any:  # noqa: N807  (PEP 562: other names are stubs)
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Anything

    mod.__getattr__ = __getattr__  # type: ignore[method-assign]
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


def _install(name: str, stub: types.ModuleType) -> None:
    """Put ``stub`` in ``sys.modules``, or complete a stand-in another module put there.

    ``xlsrc.excel.workbook`` registers smaller stand-ins (enough for ``xlwings.udfs``) when
    it builds the VBA module; if it ran first, its modules are completed with the names
    ``xlwings._xlwindows`` needs instead of being replaced, so that modules already bound
    to them keep working. A real module (one with an import spec) is left alone.
    """
    existing = sys.modules.get(name)
    if existing is None:
        sys.modules[name] = stub
        return
    if getattr(existing, "__spec__", None) is not None:
        return
    for attr, value in vars(stub).items():
        if attr == "__file__" or not attr.startswith("__"):
            if not hasattr(existing, attr):
                setattr(existing, attr, value)
    if "__getattr__" not in vars(existing):
        existing.__getattr__ = vars(stub)["__getattr__"]  # type: ignore[method-assign]


class _TimeZoneInfo:
    @staticmethod
    def utc() -> dt.tzinfo:
        return dt.UTC


def load() -> types.SimpleNamespace:
    """Import the real ``xlwings._xlwindows`` and ``xlwings.udfs`` once; return them."""
    global _loaded
    if _loaded is not None:
        return _loaded

    class ComError(Exception):
        pass

    stubs = {
        "pywintypes": _module(
            "pywintypes", TimeType=TimeType, com_error=ComError, error=ComError, IID=str
        ),
        "pythoncom": _module("pythoncom", CoInitialize=lambda: None, __file__="pythoncom.pyd"),
        "win32api": _module("win32api"),
        "win32con": _module("win32con"),
        "win32gui": _module("win32gui"),
        "win32process": _module("win32process"),
        "win32event": _module("win32event"),
        "win32timezone": _module("win32timezone", TimeZoneInfo=_TimeZoneInfo),
        "win32com": _module("win32com"),
        "win32com.client": _module("win32com.client"),
    }
    stubs["win32com"].client = stubs["win32com.client"]
    for name, mod in stubs.items():
        _install(name, mod)
    for attr in ("windll", "oledll"):
        if not hasattr(ctypes, attr):
            setattr(ctypes, attr, _Anything())

    import xlwings

    # _xlwindows loads pythoncom's DLL at import time (``PyDLL(pythoncom.__file__)``).
    real_pydll = ctypes.PyDLL
    ctypes.PyDLL = _Anything  # type: ignore[misc, assignment]
    try:
        from xlwings import _xlwindows, udfs
    finally:
        ctypes.PyDLL = real_pydll  # type: ignore[misc]

    # What ``xlwings/__init__.py`` does on Windows: register the Excel engine.
    if "excel" not in [engine.name for engine in xlwings.engines]:
        xlwings.engines.add(xlwings.main.Engine(impl=_xlwindows.engine))
    xlwings._xlwindows = _xlwindows
    # call_udf does ``from .com_server import loop`` (only used by async UDFs).
    sys.modules.setdefault("xlwings.com_server", _module("xlwings.com_server", loop=None))

    _loaded = types.SimpleNamespace(
        udfs=udfs, xlwindows=_xlwindows, TimeType=TimeType, MISSING=MISSING
    )
    return _loaded


#: Name under which the Windows-decorated copy of the UDF module is registered.
COM_MODULE = "xlsrc.excel._udfs_com"


def load_udf_module() -> types.ModuleType:
    """Import ``xlsrc/excel/udfs.py`` again, decorated by xlwings' *Windows* decorators.

    On Linux ``xw.func``/``xw.arg``/``xw.ret`` are no-ops; on Windows they are
    ``xlwings.udfs.xlfunc``/``xlarg``/``xlret``, which record ``__xlfunc__`` (argument and
    return options, docs) that ``call_udf`` and ``generate_vba_wrapper`` read. The copy is
    registered in ``sys.modules`` and in ``xlwings.udfs.udf_modules`` under
    :data:`COM_MODULE`, so ``call_udf(COM_MODULE, name, args)`` finds it as Excel would.
    It shares ``xlsrc.market`` (and so the cached Market) with the plain module.
    """
    import importlib.util
    import os

    ns = load()
    if COM_MODULE in sys.modules:
        return sys.modules[COM_MODULE]
    import xlwings

    import xlsrc.excel.udfs as plain

    saved = (xlwings.func, xlwings.arg, xlwings.ret)
    xlwings.func, xlwings.arg, xlwings.ret = ns.udfs.xlfunc, ns.udfs.xlarg, ns.udfs.xlret
    try:
        spec = importlib.util.spec_from_file_location(COM_MODULE, plain.__file__)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[COM_MODULE] = module
        spec.loader.exec_module(module)
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved
    ns.udfs.udf_modules[COM_MODULE] = {
        "filename": os.path.normcase(plain.__file__.lower()),
        "filetime": None,  # never reloaded
        "module": module,
    }
    return module


def call_udf(name: str, *args: Any) -> Any:
    """Call a formula the way Excel's COM server does: ``xlwings.udfs.call_udf``.

    ``args`` are what VBA's ``Array(...)`` holds: values as Excel sends them, with
    :data:`MISSING` for an omitted optional argument. Returns what goes back to Excel
    (a 2D list for every result: xlwings' write pipeline makes scalars ``[[x]]``).
    """
    ns = load()
    load_udf_module()
    return ns.udfs.call_udf(COM_MODULE, name, tuple(args), None, None)


def vba_module() -> str:
    """The VBA module xlwings' own generator writes for the UDFs (as ``import_udfs`` does)."""
    import io

    ns = load()
    module = load_udf_module()
    out = io.StringIO()
    writer = ns.udfs.VBAWriter(out)
    writer.writeln('Attribute VB_Name = "xlwings_udfs"')
    workbook = types.SimpleNamespace(Name="xlsrc.xlsm")
    ns.udfs.generate_vba_wrapper("xlsrc.excel.udfs", module, out, workbook)
    return out.getvalue()
