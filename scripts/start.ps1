# Windows: sets up StationDesk in .venv and starts it. Arguments go to stationdesk, e.g. -- --demo
#
# -Offline DIR installs from an offline bundle (scripts\bundle.ps1 or scripts/bundle.sh
# --target win-amd64) instead of the internet: pip without any index, every file checked
# against its SHA-256 in the bundle's requirements.txt; pip's English goes to the log. An
# unpacked bundle (its own copy of this script, no pyproject.toml) installs itself.
# (Saved as UTF-8 with BOM: Windows PowerShell 5.1 reads a file without one in the ANSI code page.)
param(
    [string]$Offline = "",
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @()
)
$ErrorActionPreference = "Stop"
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONIOENCODING = "utf-8"
$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
if ($Offline) {
    if (Test-Path -PathType Leaf $Offline) {
        Write-Output "$Offline 是压缩包，请先解压（右键“全部解压缩”），再指定解压出的文件夹。"
        exit 1
    }
    if (-not (Test-Path -PathType Container $Offline)) {
        Write-Output "找不到离线安装包文件夹：$Offline"
        exit 1
    }
    $Offline = (Resolve-Path $Offline).Path
}
Set-Location $Root
if (-not $Offline -and -not (Test-Path "pyproject.toml") -and (Test-Path "manifest.json")) {
    $Offline = $Root
}
$Stamp = ".venv\.stationdesk-installed"

if (-not $Offline) {
    if (-not (Test-Path ".venv\Scripts\python.exe")) { py -3 -m venv .venv }
    if ((Test-Path $Stamp) -and ((Get-Content $Stamp -Raw) -like "offline *")) {
        Write-Output "所需软件包已安装（来自离线安装包；要改为联网安装，请删除 .venv 文件夹后重新运行）。"
    }
    else {
        .venv\Scripts\python.exe -m pip install --quiet --disable-pip-version-check -e .
        if ($LASTEXITCODE) { exit $LASTEXITCODE }
    }
    & .venv\Scripts\stationdesk.exe @Rest
    exit $LASTEXITCODE
}

$LogDir = Join-Path $env:LOCALAPPDATA "StationDesk\log"
New-Item -ItemType Directory -Force -Path $LogDir | Out-Null
$Log = Join-Path $LogDir "start.log"
"== $(Get-Date -Format 'yyyy-MM-dd HH:mm:ss') scripts\start.ps1 -Offline $Offline" |
    Out-File -FilePath $Log -Encoding UTF8
# From here every native program's exit code is looked at: Windows PowerShell 5.1 would stop at
# the first line a program writes to stderr under "Stop".
$ErrorActionPreference = "Continue"

# Runs a native program with its output (stdout and stderr) appended to the log; its exit code.
function Invoke-Logged {
    param([string]$Program, [string[]]$Arguments)
    & $Program @Arguments 2>&1 | ForEach-Object { "$_" } | Out-File -FilePath $Log -Append -Encoding UTF8
    return $LASTEXITCODE
}
$Requirements = Join-Path $Offline "requirements.txt"
if (-not (Test-Path $Requirements) -or -not (Test-Path (Join-Path $Offline "manifest.json"))) {
    Write-Output "$Offline 不是 StationDesk 离线安装包（缺少 requirements.txt 或 manifest.json）。请指定解压后的安装包文件夹。"
    exit 1
}
Write-Output "准备 Python 环境…"
if (-not (Test-Path ".venv\Scripts\python.exe")) {
    # The bundle's own Python version when the py launcher has it; bundle_lock.py check says
    # so in Chinese when the venv's is another.
    $Manifest = Get-Content (Join-Path $Offline "manifest.json") -Raw -Encoding UTF8 | ConvertFrom-Json
    $PyArgs = @("-3")
    if ((Invoke-Logged "py" @("-$($Manifest.python)", "-c", "pass")) -eq 0) {
        $PyArgs = @("-$($Manifest.python)")
    }
    if (Invoke-Logged "py" ($PyArgs + @("-m", "venv", ".venv"))) {
        Write-Output "无法创建 Python 环境（.venv），请先安装 Python $($Manifest.python)（64 位）。详细记录：$Log"
        exit 1
    }
}
$Want = "offline " + (Get-FileHash -Algorithm SHA256 $Requirements).Hash.ToLower()
if ((Test-Path $Stamp) -and ((Get-Content $Stamp -Raw).Trim() -eq $Want)) {
    Write-Output "所需软件包已安装。"
}
else {
    Write-Output "检查离线安装包…"
    # Its Chinese refusal (another platform or Python, a missing or altered file) to the console.
    & .venv\Scripts\python.exe (Join-Path $Root "scripts\bundle_lock.py") check $Offline
    if ($LASTEXITCODE) {
        Write-Output "未安装。详细记录：$Log"
        exit 1
    }
    Write-Output "从离线安装包安装所需软件包（约需 1 分钟）…"
    # No index, no pip configuration (a mirror, find-links): only the bundle's files.
    $env:PIP_CONFIG_FILE = "nul"
    $Failed = Invoke-Logged ".venv\Scripts\python.exe" @("-m", "pip", "install",
        "--disable-pip-version-check", "--no-index", "--find-links", $Offline, "--require-hashes",
        "--force-reinstall", "-r", $Requirements)
    Remove-Item Env:\PIP_CONFIG_FILE
    if ($Failed) {
        if (Select-String -Path $Log -Pattern "DO NOT MATCH THE HASHES" -Quiet) {
            Write-Output "离线安装包中的文件已损坏或被改动（校验值不符），已停止安装。请从原介质重新复制整个安装包。详细记录：$Log"
        }
        else {
            Write-Output "从离线安装包安装失败。详细记录：$Log"
        }
        exit 1
    }
    Set-Content -Path $Stamp -Value $Want -Encoding ASCII -NoNewline
}
Write-Output "启动 StationDesk…"
& .venv\Scripts\stationdesk.exe @Rest
exit $LASTEXITCODE
