Attribute VB_Name = "xlsrc_macros"
' xlsrc dashboard buttons.
'
' Each button runs one Python function through xlwings' RunPython (the standalone
' "xlwings" module in this workbook). The Python side lives in xlsrc/excel/macros.py;
' it writes progress to the status bar and a summary to the named cell Status
' (Settings sheet). Keep these one-liners: the logic belongs in Python, where it is tested.
Option Explicit

Public Sub RefreshData()
    RunPython "import xlsrc.excel.macros as m; m.refresh_data()"
End Sub

Public Sub RebuildDashboard()
    RunPython "import xlsrc.excel.macros as m; m.rebuild_dashboard()"
End Sub

Public Sub ExportReport()
    RunPython "import xlsrc.excel.macros as m; m.export_report()"
End Sub
