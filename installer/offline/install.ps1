# Install Safeguard Desk on Windows from this offline bundle. Never touches the network.
#
#   powershell -ExecutionPolicy Bypass -File install.ps1              install
#   powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall   remove (keeps your data)
#   ... -Uninstall -Purge                                             remove your data too
#
# The bundle must have been built on Windows (wheels are per platform). Not tested on Windows:
# the machine that wrote it has none; the same steps as install.sh, in PowerShell.
param([switch]$Uninstall, [switch]$Purge)
$ErrorActionPreference = "Stop"
$Bundle = $PSScriptRoot
$Prefix = if ($env:SAFEGUARD_PREFIX) { $env:SAFEGUARD_PREFIX } else { Join-Path $env:LOCALAPPDATA "SafeguardDesk\app" }
$Data = if ($env:SAFEGUARD_HOME) { $env:SAFEGUARD_HOME } else { Join-Path $env:LOCALAPPDATA "safeguard-desk" }
$Shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "Safeguard Desk.lnk"
function Fail($message) { Write-Error "install: $message"; exit 2 }

if ($Uninstall) {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Prefix, $Shortcut
    Write-Host "install: removed the app ($Prefix) and its Start menu entry"
    if ($Purge) { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Data; Write-Host "install: removed your data ($Data)" }
    else { Write-Host "install: your data is kept; -Uninstall -Purge deletes it" }
    exit 0
}

$Python = if ($env:PYTHON) { $env:PYTHON } else { "py" }
$Want = (Select-String -Path (Join-Path $Bundle "BUNDLE-INFO.txt") -Pattern "^python=(.*)$").Matches[0].Groups[1].Value
$PyArgs = if ($Python -eq "py") { @("-$Want") } else { @() }

Write-Host "install: verifying every file against MANIFEST.sha256"
$Listed = @{}
foreach ($line in Get-Content (Join-Path $Bundle "MANIFEST.sha256")) {
    $digest, $name = $line -split "  ", 2
    $Listed[$name] = $true
    $path = Join-Path $Bundle $name
    if (-not (Test-Path $path)) { Fail "$name is missing from the bundle; copy it again" }
    $actual = (Get-FileHash -Algorithm SHA256 $path).Hash.ToLower()
    if ($actual -ne $digest) { Fail "$name is damaged (checksum mismatch); copy the bundle again" }
}

Write-Host "install: installing into $Prefix (no network: pip --no-index)"
Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Prefix
& $Python @PyArgs -m venv $Prefix
if ($LASTEXITCODE -ne 0) { Fail "could not create a Python $Want environment" }
$VenvPython = Join-Path $Prefix "Scripts\python.exe"
$Wheels = Join-Path $Bundle "wheels"
$Extras = (Select-String -Path (Join-Path $Bundle "BUNDLE-INFO.txt") -Pattern "^extras=(.*)$").Matches[0].Groups[1].Value
& $VenvPython -m pip install -q --no-index --find-links $Wheels "safeguard-desk$Extras"
if ($LASTEXITCODE -ne 0) { Fail "pip could not install from the bundle" }

$App = Join-Path $Prefix "Scripts\safeguard-desk.exe"
foreach ($model in Get-ChildItem -Path (Join-Path $Bundle "models") -Filter *.gguf -Recurse -ErrorAction SilentlyContinue) {
    Write-Host "install: importing model $($model.Directory.Name)"
    & $App model import $model.FullName --name $model.Directory.Name --quiet
}

$Shell = New-Object -ComObject WScript.Shell
$Link = $Shell.CreateShortcut($Shortcut)
$Link.TargetPath = $App
$Link.Save()
Write-Host "install: done. Start it from the Start menu (Safeguard Desk), or run: $App"
