# Activate this virtual environment in csh or tcsh:
#     source <venv>/bin/activate.csh
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` puts everything back. Written by posy.

alias deactivate 'if ($?_OLD_VIRTUAL_PATH) setenv PATH "$_OLD_VIRTUAL_PATH"; if ($?_OLD_VIRTUAL_PATH) unset _OLD_VIRTUAL_PATH; if ($?_OLD_VIRTUAL_PROMPT) set prompt="$_OLD_VIRTUAL_PROMPT"; if ($?_OLD_VIRTUAL_PROMPT) unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; rehash; if ("\!:*" != "nondestructive") unalias deactivate'

# Leave whatever environment is active first, keeping this alias.
deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__
set _OLD_VIRTUAL_PATH="$PATH"
setenv PATH "${VIRTUAL_ENV}/"__BIN_NAME__":${PATH}"
setenv VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__

if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT="$prompt"
        set prompt = "($VIRTUAL_ENV_PROMPT) $prompt"
    endif
endif

rehash
