# Windows: sets up the test tools in .venv and runs the whole suite headless.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
.venv\Scripts\python.exe -m pip install --quiet --disable-pip-version-check -e ".[dev]"
if ($LASTEXITCODE) { exit $LASTEXITCODE }
$env:QT_QPA_PLATFORM = "offscreen"
.venv\Scripts\ruff.exe check .; if ($LASTEXITCODE) { exit $LASTEXITCODE }
.venv\Scripts\ruff.exe format --check .; if ($LASTEXITCODE) { exit $LASTEXITCODE }
.venv\Scripts\lint-imports.exe; if ($LASTEXITCODE) { exit $LASTEXITCODE }
.venv\Scripts\mypy.exe; if ($LASTEXITCODE) { exit $LASTEXITCODE }
.venv\Scripts\pytest.exe -n auto @args; exit $LASTEXITCODE
