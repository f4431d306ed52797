# Activate this virtual environment in PowerShell (dot-source it):
#     . <venv>/bin/activate.ps1
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` puts everything back. Written by posy.

function global:deactivate([switch] $NonDestructive) {
    if (Test-Path variable:global:_OLD_VIRTUAL_PATH) {
        $env:PATH = $global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if (Test-Path variable:global:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path function:global:_old_virtual_prompt) {
        Set-Item -Path function:global:prompt -Value (Get-Item function:global:_old_virtual_prompt).ScriptBlock
        Remove-Item -Path function:global:_old_virtual_prompt
    }
    Remove-Item -Path env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item -Path env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (-not $NonDestructive) {
        Remove-Item -Path function:global:deactivate
    }
}

# Leave whatever environment is active first, keeping this function.
deactivate -NonDestructive

$env:VIRTUAL_ENV = __VIRTUAL_ENV__
$env:VIRTUAL_ENV_PROMPT = __VIRTUAL_PROMPT__

$global:_OLD_VIRTUAL_PATH = $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV __BIN_NAME__) + [System.IO.Path]::PathSeparator + $env:PATH

# A PYTHONHOME would point the environment's python at another installation.
if (Test-Path env:PYTHONHOME) {
    $global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -Path env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    Set-Item -Path function:global:_old_virtual_prompt -Value (Get-Item function:global:prompt).ScriptBlock
    function global:prompt {
        Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "
        & $function:_old_virtual_prompt
    }
}
