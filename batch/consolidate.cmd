@echo off
rem Double-click to consolidate the returned workbooks (settings in authority.toml).
cd /d "%~dp0.."
python "%~dp0consolidate.py" %*
