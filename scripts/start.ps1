# Windows: sets up StationDesk in .venv and starts it. Arguments go to stationdesk, e.g. -- --demo
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install --quiet --disable-pip-version-check -e .
if ($LASTEXITCODE) { exit $LASTEXITCODE }
& .venv\Scripts\stationdesk.exe @args
