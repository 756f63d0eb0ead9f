Attribute VB_Name = "SipxlRibbon"
' SIPXL ribbon callbacks for the desktop add-in (sipxl.xlam).
'
' sipxl.xlam embeds xlwings' own VBA modules (xlwings.bas, Remote.bas and the Web* classes of the pinned xlwings
' 0.37.8), as xlwings documents for a custom add-in that needs no xlwings add-in. So RunRemotePython, RunPython and
' GetConfig below are procedures of this project, not of another workbook.
'
'   * mode "remote" (default): RunRemotePython posts the workbook to the authority's SIPXL server with the token,
'     proxy and timeout from the configuration;
'   * mode "python": RunPython runs sipxl in the Python installed on this PC.
'
' Configuration, first found wins: the environment variable (SIPXL_SERVER_URL, ...), then xlwings.conf (a sheet
' "xlwings.conf" in this add-in, a file xlwings.conf next to sipxl.xlam, then %USERPROFILE%\.xlwings\xlwings.conf),
' with the keys SIPXL_MODE, SIPXL_SERVER_URL, SIPXL_TOKEN, SIPXL_TIMEOUT_MS, SIPXL_PROXY_SERVER,
' SIPXL_PROXY_BYPASS_LIST, SIPXL_PROXY_USERNAME, SIPXL_PROXY_PASSWORD, SIPXL_ENABLE_AUTO_PROXY. See docs/excel-addin.md.
Option Explicit

Private Const DEFAULT_TIMEOUT_MS As Long = 60000

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

Private Function SipxlSetting(key As String, Optional default As String = "") As String
    Dim value As String
    value = Environ(key)
    If value = "" Then value = CStr(GetConfig(key, ""))
    If value = "" Then value = default
    SipxlSetting = value
End Function

Private Sub SipxlRun(script As String)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open a sipxl workbook first.", vbInformation, "SIPXL"
        Exit Sub
    End If
    Dim serverUrl As String
    On Error GoTo Failed
    If LCase(SipxlSetting("SIPXL_MODE", "remote")) = "python" Then
        RunPython "import sipxl.excel.desktop as desktop; desktop.run('" & script & "')"
        Exit Sub
    End If
    serverUrl = SipxlSetting("SIPXL_SERVER_URL")
    If serverUrl = "" Then
        MsgBox "SIPXL does not know your authority's server. Ask your IT team to set SIPXL_SERVER_URL " & _
            "(see the SIPXL deployment guide).", vbExclamation, "SIPXL"
        Exit Sub
    End If
    RunRemotePython _
        url:=serverUrl & "/xlwings/custom-scripts-call/" & script, _
        auth:=SipxlSetting("SIPXL_TOKEN"), _
        timeout:=CLng(SipxlSetting("SIPXL_TIMEOUT_MS", CStr(DEFAULT_TIMEOUT_MS))), _
        proxyServer:=SipxlSetting("SIPXL_PROXY_SERVER"), _
        proxyBypassList:=SipxlSetting("SIPXL_PROXY_BYPASS_LIST"), _
        proxyUsername:=SipxlSetting("SIPXL_PROXY_USERNAME"), _
        proxyPassword:=SipxlSetting("SIPXL_PROXY_PASSWORD"), _
        enableAutoProxy:=SipxlSetting("SIPXL_ENABLE_AUTO_PROXY")
    Exit Sub
Failed:
    MsgBox "SIPXL could not reach its server: " & Err.Description & vbCrLf & vbCrLf & _
        "Server: " & serverUrl & vbCrLf & "Check the address, the network and the proxy settings.", _
        vbExclamation, "SIPXL"
End Sub
