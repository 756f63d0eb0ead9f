Attribute VB_Name = "SipxlRibbon"
' SIPXL ribbon callbacks for the desktop add-in (sipxl.xlam).
'
' Each button runs one sipxl button function on the active workbook, through the xlwings add-in
' (xlwings.xlam, the same pinned xlwings version as the server, 0.37.8):
'   * mode "remote" (default): RunRemotePython posts the workbook to the authority's sipxl server
'     (nothing to install but the two add-ins);
'   * mode "python": RunPython runs sipxl in the Python installed on this PC (pip install sipxl).
' Settings come from the environment (SIPXL_MODE, SIPXL_SERVER_URL) or from the registry
' (SaveSetting "sipxl", "settings", "mode" / "server_url").
Option Explicit

Private Const DEFAULT_SERVER_URL As String = "https://sipxl.example.org"
Private Const XLWINGS_ADDIN As String = "'xlwings.xlam'!"

Public Sub SipxlValidate(control As IRibbonControl)
    SipxlRun "validate"
End Sub

Public Sub SipxlScore(control As IRibbonControl)
    SipxlRun "score"
End Sub

Public Sub SipxlSummary(control As IRibbonControl)
    SipxlRun "summary"
End Sub

Public Sub SipxlCheckSetup(control As IRibbonControl)
    SipxlRun "check_setup"
End Sub

Public Sub SipxlPrepare(control As IRibbonControl)
    SipxlRun "prepare"
End Sub

Private Function SipxlSetting(envName As String, key As String, default As String) As String
    Dim value As String
    value = Environ(envName)
    If value = "" Then value = GetSetting("sipxl", "settings", key, default)
    SipxlSetting = value
End Function

Private Sub SipxlRun(script As String)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open a sipxl workbook first.", vbInformation, "SIPXL"
        Exit Sub
    End If
    On Error GoTo Failed
    If LCase(SipxlSetting("SIPXL_MODE", "mode", "remote")) = "python" Then
        Application.Run XLWINGS_ADDIN & "RunPython", _
            "import sipxl.excel.desktop as desktop; desktop.run('" & script & "')"
    Else
        Application.Run XLWINGS_ADDIN & "RunRemotePython", _
            SipxlSetting("SIPXL_SERVER_URL", "server_url", DEFAULT_SERVER_URL) & "/xlwings/custom-scripts-call/" & script
    End If
    Exit Sub
Failed:
    MsgBox "SIPXL could not start: " & Err.Description & vbCrLf & vbCrLf & _
        "Check that the xlwings add-in (version 0.37.8) is installed, and the sipxl server address.", _
        vbExclamation, "SIPXL"
End Sub

' Called by the sipxl buttons (runMacro) around writing to a template sheet, which is protected
' without a password: Remote.bas passes the workbook first; classic RunPython passes its name.
Public Sub SipxlUnprotectSheet(wb As Variant, sheetName As Variant)
    SipxlBook(wb).Worksheets(CStr(sheetName)).Unprotect ""
End Sub

Public Sub SipxlProtectSheet(wb As Variant, sheetName As Variant)
    SipxlBook(wb).Worksheets(CStr(sheetName)).Protect Password:="", _
        AllowFormattingColumns:=True, AllowFormattingRows:=True
End Sub

Private Function SipxlBook(wb As Variant) As Workbook
    If TypeName(wb) = "Workbook" Then
        Set SipxlBook = wb
    Else
        Set SipxlBook = Workbooks(CStr(wb))
    End If
End Function
