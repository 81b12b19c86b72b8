"""The template's VBA project, stream by stream, against xlwings' shipped workbook.

Read with readers independent of pyOpenVBA (which writes the project): ``olefile`` for the
compound file, ``oletools.olevba`` for decompressing streams and extracting module source,
and a record walker written here from [MS-OVBA] 2.3.4.2 for the ``dir`` stream.

The reference is ``quickstart_standalone.xlsm`` inside the installed xlwings package: the
standalone workbook xlwings ships and Excel users open every day. It was saved by Excel,
so where [MS-OVBA] says what a *writer* must write (version, cookies, caches) the spec
wins and the differences are listed in each test.
"""

from __future__ import annotations

import re
import struct
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
import xlwings_com_stub as com

with warnings.catch_warnings():  # oletools 0.60.2 uses pyparsing names pyparsing 3.3 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

import xlsrc.excel.vba_project as vbp
import xlsrc.excel.workbook as wbk

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
SHEETS = ["Overview", "Leaders", "Sectors", "Groups", "Technicals", "Settings", "xlwings.conf"]
DOCUMENTS = ["ThisWorkbook", *(f"Sheet{i}" for i in range(1, len(SHEETS) + 1))]
OTHERS = ["xlwings", "Dictionary", "xlwings_udfs", "xlsrc_macros"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vba") / "xlsrc-dashboard.xlsm"
    wbk.build_workbook(path)
    return path


def ole(path: Path) -> olefile.OleFileIO:
    with zipfile.ZipFile(path) as z:
        return olefile.OleFileIO(z.read("xl/vbaProject.bin"))


def streams(path: Path) -> dict[str, bytes]:
    f = ole(path)
    return {"/".join(e): f.openstream(e).read() for e in f.listdir(streams=True, storages=False)}


# [MS-OVBA] 2.3.4.2 record ids this walker names.
_IDS = {
    0x0F: "MODULES",
    0x13: "PROJECTCOOKIE",
    0x19: "MODULENAME",
    0x1C: "MODULEDOCSTRING",
    0x48: "MODULEDOCSTRINGUNICODE",
    0x31: "MODULEOFFSET",
    0x2C: "MODULECOOKIE",
    0x21: "PROCEDURAL",
    0x22: "DOCUMENT_OR_CLASS",
    0x2B: "MODULE_END",
    0x10: "PROJECT_END",
}


def dir_records(raw: bytes) -> tuple[int, list[dict]]:
    """Walk the decompressed ``dir`` stream: (PROJECTCOOKIE, one dict per MODULE)."""
    data = bytes(decompress_stream(bytearray(raw)))
    i, project_cookie, modules, current = 0, None, [], {}
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        i += 6
        if rid == 0x09:  # PROJECTVERSION: Reserved=4, then 4 + 2 bytes of version
            i += 6
            continue
        body = data[i : i + size]
        i += size
        name = _IDS.get(rid)
        if name == "PROJECTCOOKIE":
            project_cookie = struct.unpack("<H", body)[0]
        elif name == "MODULENAME":
            current = {"name": body.decode("cp1252")}
        elif name == "MODULEOFFSET":
            current["offset"] = struct.unpack("<I", body)[0]
        elif name == "MODULECOOKIE":
            current["cookie"] = struct.unpack("<H", body)[0]
        elif name in ("PROCEDURAL", "DOCUMENT_OR_CLASS"):
            current["type"] = rid
        elif name == "MODULEDOCSTRINGUNICODE":
            current["doc"] = body.decode("utf-16-le")
        elif name == "MODULE_END":
            modules.append(current)
        elif name == "PROJECT_END":
            break
    return project_cookie, modules


def module_sources(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {
            vba_filename.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
            for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def project_text(path: Path) -> str:
    return streams(path)["PROJECT"].decode("cp1252")


# --------------------------------------------------------------------------- streams
def test_the_same_streams_as_xlwings_workbook_one_per_module(built):
    ours, theirs = streams(built), streams(QUICKSTART)
    # xlwings' workbook: PROJECT, PROJECTwm, VBA/_VBA_PROJECT, VBA/dir and one stream per
    # module (ThisWorkbook, Sheet1, Module1, Sheet2, xlwings, Dictionary); no __SRP_ caches.
    assert sorted(theirs) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"]
        + [
            f"VBA/{m}"
            for m in ("ThisWorkbook", "Sheet1", "Module1", "Sheet2", "xlwings", "Dictionary")
        ]
    )
    assert sorted(ours) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"]
        + [f"VBA/{m}" for m in DOCUMENTS + OTHERS]
    )


def test_vba_project_stream_is_the_7_byte_writer_form(built):
    """[MS-OVBA] 2.3.4.1: Reserved1 0x61CC, Version "MUST be 0xFFFF on write", Reserved2 0,
    Reserved3 (0x0001 in the spec's example 3.1.1), PerformanceCache "MUST NOT be present on
    write". It was 0x00B5 and a 2,537-byte zeroed cache. Now byte for byte xlwings'."""
    ours, theirs = streams(built)["VBA/_VBA_PROJECT"], streams(QUICKSTART)["VBA/_VBA_PROJECT"]
    assert ours == bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])
    assert ours == theirs


def test_dir_stream_cookies_offsets_and_types(built):
    """PROJECTCOOKIE and MODULECOOKIE: "MUST be 0xFFFF on write" (2.3.4.2.3.1,
    2.3.4.2.3.2.7); xlwings' Excel-saved file carries Excel's own values there (ignored on
    read). MODULEOFFSET 0: every module is source only, as the ``xlwings`` module of
    xlwings' workbook (Excel compiles from source when the version is 0xFFFF)."""
    cookie, modules = dir_records(streams(built)["VBA/dir"])
    assert cookie == 0xFFFF
    assert [m["name"] for m in modules] == DOCUMENTS + OTHERS
    for m in modules:
        assert m["cookie"] == 0xFFFF, m["name"]
        assert m["offset"] == 0, m["name"]
        # 0x22 = document, class or designer module; 0x21 = procedural (2.3.4.2.3.2.8)
        want = 0x22 if m["name"] in (*DOCUMENTS, "Dictionary") else 0x21
        assert m["type"] == want, m["name"]
    _, theirs = dir_records(streams(QUICKSTART)["VBA/dir"])
    by_name = {m["name"]: m for m in theirs}
    assert by_name["xlwings"]["offset"] == 0  # their standalone module: source only too
    assert {by_name[n]["type"] for n in ("ThisWorkbook", "Sheet1", "Sheet2", "Dictionary")} == {
        0x22
    }
    assert by_name["xlwings"]["type"] == 0x21
    # the class's description goes into MODULEDOCSTRING, as the VBE writes it
    ours = {m["name"]: m for m in modules}
    assert ours["Dictionary"]["doc"] == by_name["Dictionary"]["doc"]
    assert ours["Dictionary"]["doc"].startswith("Drop-in replacement for Scripting.Dictionary")


def test_project_stream_declares_a_document_module_per_sheet(built):
    ours, theirs = project_text(built), project_text(QUICKSTART)
    assert re.findall(r"^Document=(\w+)/&H00000000\r$", ours, flags=re.M) == DOCUMENTS
    assert re.findall(r"^Document=(\w+)/&H00000000\r$", theirs, flags=re.M) == [
        "ThisWorkbook",
        "Sheet1",
        "Sheet2",
    ]
    assert re.findall(r"^Module=(\w+)\r$", ours, flags=re.M) == [
        "xlwings",
        "xlwings_udfs",
        "xlsrc_macros",
    ]
    assert re.findall(r"^Class=(\w+)\r$", ours, flags=re.M) == ["Dictionary"]
    assert re.findall(r"^Class=(\w+)\r$", theirs, flags=re.M) == ["Dictionary"]

    def keys(text: str) -> list[str]:
        head = text.split("\r\n\r\n")[0]
        return [
            line.split("=")[0]
            for line in head.splitlines()
            if not line.startswith(("Document", "Module", "Class"))
        ]

    assert keys(ours) == keys(theirs)  # ID, Name, HelpContextID, VersionCompatible32, CMG, DPB, GC
    host = "[Host Extender Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000\r\n"
    assert host in ours and host in theirs
    wm = streams(built)["PROJECTwm"]
    for name in DOCUMENTS + OTHERS:
        assert name.encode("cp1252") + b"\x00" + name.encode("utf-16-le") in wm


def test_document_modules_match_xlwings_and_the_package_code_names(built):
    """Each sheet's ``codeName`` in the package names a document module of the project
    (Excel pairs them by that name); the modules' text is what Excel writes, identical to
    xlwings' ThisWorkbook / Sheet1 / Sheet2."""
    ours, theirs = module_sources(built), module_sources(QUICKSTART)
    for name in ("ThisWorkbook", "Sheet1", "Sheet2"):
        assert ours[name] == theirs[name], name
    assert f'Attribute VB_Base = "{WORKBOOK_BASE}"' in ours["ThisWorkbook"]
    with zipfile.ZipFile(built) as z:
        book = z.read("xl/workbook.xml").decode()
        assert '<workbookPr codeName="ThisWorkbook"' in book
        names = re.findall(r'<sheet name="([^"]+)" sheetId="(\d+)"', book)
        assert [n for n, _ in names] == SHEETS
        for i, (sheet, _) in enumerate(names, start=1):
            xml = z.read(f"xl/worksheets/sheet{i}.xml").decode()
            code = re.search(r'<sheetPr codeName="(\w+)"', xml).group(1)
            assert code == f"Sheet{i}" == DOCUMENTS[i], sheet
            assert ours[code] == theirs["Sheet2"].replace("Sheet2", code)
            assert f'Attribute VB_Base = "{SHEET_BASE}"' in ours[code]


def test_xlwings_and_dictionary_modules_match_xlwings_workbook(built):
    ours, theirs = module_sources(built), module_sources(QUICKSTART)
    assert ours["xlwings"] == theirs["xlwings"]
    # The VBE normalises the case of an identifier across a project ("err.Raise" in
    # theirs, where the class file says "Err.Raise"); otherwise the same text, including
    # the VB_TemplateDerived/VB_Customizable attributes the VBE adds to a class.
    assert ours["Dictionary"] != theirs["Dictionary"]
    assert ours["Dictionary"].lower() == theirs["Dictionary"].lower()


# --------------------------------------------------------------------------- the wrappers
def xlwings_import_functions_text() -> str:
    """What xlwings' Import Functions writes, assembled here from xlwings' own code.

    The three header lines are read from ``import_udfs``'s source (``vba.writeln(...)``
    before the loop) and the functions come from ``generate_vba_wrapper`` run through the
    pywin32 stand-ins of ``xlwings_com_stub`` (not the builder's code path).
    """
    import inspect

    ns = com.load()
    source = inspect.getsource(ns.udfs.import_udfs)
    head = source.split("if __pro__")[0]
    literals = re.findall(
        r'vba\.writeln\(\s*(?:"""(.*?)"""|\'(.*?)\'|"(.*?)")\s*\)', head, flags=re.S
    )
    lines = ["".join(parts) for parts in literals]
    body = com.vba_module().split("\n", 1)[1]  # after its own 'Attribute VB_Name' line
    return "\n".join(lines) + "\n" + body.replace(com.COM_MODULE, "xlsrc.excel.udfs")


def test_wrapper_module_is_xlwings_import_functions_text(built):
    """Equal to xlwings' own output, ``#Const App = "Microsoft Excel"`` line included; no
    deliberate difference. The constant is private to each module: without it every
    wrapper compiles xlwings' non-Excel branch and a setup problem is a bare #VALUE!."""
    expected = xlwings_import_functions_text()
    assert expected.splitlines()[:3] == [
        'Attribute VB_Name = "xlwings_udfs"',
        "'Autogenerated code by xlwings - changes will be lost with next import!",
        '#Const App = "Microsoft Excel" \'Adjust when using outside of Excel',
    ]
    embedded = module_sources(built)["xlwings_udfs"]
    assert embedded.rstrip("\n") == expected.rstrip("\n")
    assert vbp.udf_wrappers() == expected


def test_wrappers_compile_the_excel_branch():
    """Run through pyOpenVBA's VBA interpreter: with the module's #Const the wrappers
    compile the ``#If App = "Microsoft Excel"`` branch (which names ``Application``, absent
    from the interpreter: the compile error shows the branch taken); without it, the
    ``#Else`` branch (``XLPy.CallUDF`` with no caller)."""
    from pyopenvba.interpreter import Interpreter, VBACompileError

    def compiled_branch(source: str) -> str:
        vba = Interpreter()
        vba.add_module(source.replace("\n", "\r\n"), name="xlwings_udfs")
        try:
            vba.run("DATA_STATUS")
        except VBACompileError as exc:
            return str(exc)
        raise AssertionError("DATA_STATUS ran without XLPy or Application")

    text = vbp.udf_wrappers()
    # pyOpenVBA 6.5 stops at a comment after #Const (valid VBA, see test_workbook.parseable)
    parseable = re.sub(r"^(#Const App = \"Microsoft Excel\") '.*$", r"\1", text, flags=re.M)
    assert "Variable not defined: Application" in compiled_branch(parseable)
    without = parseable.replace('#Const App = "Microsoft Excel"\n', "")
    assert "Variable not defined: XLPy" in compiled_branch(without)
    for block in re.split(r"^Function ", text, flags=re.M)[1:]:
        name = block.split("(")[0]
        excel = block.split('#If App = "Microsoft Excel" Then')[1].split("#Else")[0]
        assert "If TypeOf Application.Caller Is Range Then On Error GoTo failed" in excel, name
        assert "ThisWorkbook, Application.Caller)" in excel, name
