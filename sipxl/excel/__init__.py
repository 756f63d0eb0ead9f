"""Bridge between ribbon-button functions and Excel clients (xlwings Server / VBA RunRemotePython).

Import xlwings through :mod:`sipxl.excel.xlremote` so the remote engine is configured first.
"""
