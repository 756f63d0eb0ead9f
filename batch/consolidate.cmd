@echo off
rem Double-click to consolidate the returned workbooks (settings in authority.toml).
cd /d "%~dp0.."
where py >nul 2>nul
if %errorlevel%==0 (
  py -3 "%~dp0consolidate.py" %*
) else (
  python "%~dp0consolidate.py" %*
)
