# Windows: makes the offline bundle (issue 15) on a PC with internet access, like
# scripts/bundle.sh: every wheel StationDesk needs for one platform and Python, pinned with
# SHA-256, in a folder and one archive. A counter PC installs it with
#   scripts\start.ps1 -Offline <folder>
#
#   scripts\bundle.ps1 [-Target win-amd64|linux-x86_64|linux-aarch64] [-Python 3.11|3.12]
#                      [-Out DIR] [-Glibc 2.34] [-WithoutPostgres]
param(
    [ValidateSet("win-amd64", "linux-x86_64", "linux-aarch64")][string]$Target = "win-amd64",
    [ValidateSet("3.11", "3.12")][string]$Python = "",
    [string]$Out = "",
    [string]$Glibc = "",
    [switch]$WithoutPostgres
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
if (-not $Out) { $Out = Join-Path $Root "dist\offline" }
$LogDir = Join-Path $env:LOCALAPPDATA "StationDesk\log"
New-Item -ItemType Directory -Force -Path $LogDir | Out-Null
$Log = Join-Path $LogDir "bundle.log"
"== $(Get-Date -Format 'yyyy-MM-dd HH:mm:ss') scripts\bundle.ps1" | Out-File -FilePath $Log -Encoding UTF8
# Chinese in the console, whatever the code page.
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONIOENCODING = "utf-8"

# Every native program's exit code is looked at: Windows PowerShell 5.1 would stop at the first
# line a program writes to stderr under "Stop".
$ErrorActionPreference = "Continue"

# Runs a native program with its output (stdout and stderr) appended to the log; its exit code.
function Invoke-Logged {
    param([string]$Program, [string[]]$Arguments)
    & $Program @Arguments 2>&1 | ForEach-Object { "$_" } | Out-File -FilePath $Log -Append -Encoding UTF8
    return $LASTEXITCODE
}

# The Python that runs the tool: the bundle's own version when the py launcher has it.
$PyArgs = @("-3")
if ($Python) {
    if ((Invoke-Logged "py" @("-$Python", "-c", "pass")) -eq 0) { $PyArgs = @("-$Python") }
}
$Tool = Join-Path ([System.IO.Path]::GetTempPath()) ("stationdesk-bundle-tool-" + [guid]::NewGuid())
try {
    Write-Output "准备制作工具（临时 Python 环境）…"
    if (Invoke-Logged "py" ($PyArgs + @("-m", "venv", (Join-Path $Tool "venv")))) {
        Write-Output "无法创建临时 Python 环境，请确认已安装 Python 3.11 或更新版本（py 启动器）。详细记录：$Log"
        exit 1
    }
    $ToolArgs = @((Join-Path $Root "scripts\bundle_lock.py"), "build", "--out", $Out, "--log", $Log,
        "--target", $Target)
    if ($Python) { $ToolArgs += @("--python", $Python) }
    if ($Glibc) { $ToolArgs += @("--glibc", $Glibc) }
    if ($WithoutPostgres) { $ToolArgs += "--without-postgres" }
    & (Join-Path $Tool "venv\Scripts\python.exe") @ToolArgs
    exit $LASTEXITCODE
}
finally {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Tool
}
