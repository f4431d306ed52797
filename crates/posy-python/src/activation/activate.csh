# Activate this virtual environment in csh or tcsh:
#     source <venv>/bin/activate.csh
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` puts everything back. Written by posy.

# csh expands every variable on a line before running any of it, so the
# alias guards with `test ... &&` (run command by command), never `if (...)`.
alias deactivate 'unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test $?_OLD_VIRTUAL_PATH = 1 && setenv PATH "$_OLD_VIRTUAL_PATH:q" && unset _OLD_VIRTUAL_PATH; test $?_OLD_VIRTUAL_PROMPT = 1 && set prompt="$_OLD_VIRTUAL_PROMPT:q" && unset _OLD_VIRTUAL_PROMPT; rehash; test "\!:*" = "nondestructive" || unalias deactivate'

# Leave whatever environment is active first, keeping this alias.
deactivate nondestructive

setenv VIRTUAL_ENV __VIRTUAL_ENV__
set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "${VIRTUAL_ENV}/"__BIN_NAME__":${PATH}"
setenv VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__

if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT="$prompt:q"
        set prompt = "($VIRTUAL_ENV_PROMPT:q) $prompt:q"
    endif
endif

rehash
