# Activate this virtual environment in bash or zsh (or any POSIX shell):
#     source <venv>/bin/activate
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` puts everything back. Written by posy.

if [ -n "${BASH_VERSION-}" ] && [ "${BASH_SOURCE-}" = "$0" ]; then
    echo "this script changes the current shell: run 'source $0', not '$0'" >&2
    exit 33
fi

deactivate () {
    # The _OLD_VIRTUAL_* names are the ones every venv tool uses, so
    # switching between environments made by different tools stays clean.
    if [ -n "${_OLD_VIRTUAL_PATH+set}" ]; then
        PATH="$_OLD_VIRTUAL_PATH"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME+set}" ]; then
        PYTHONHOME="$_OLD_VIRTUAL_PYTHONHOME"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1+set}" ]; then
        PS1="$_OLD_VIRTUAL_PS1"
        export PS1
        unset _OLD_VIRTUAL_PS1
    fi
    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
    # Commands may now resolve elsewhere: drop the shell's lookup cache.
    hash -r 2>/dev/null
    if [ "${1-}" != "nondestructive" ]; then
        unset -f deactivate
    fi
}

# Leave whatever environment is active first, keeping this function.
deactivate nondestructive

VIRTUAL_ENV=__VIRTUAL_ENV__
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/"__BIN_NAME__":$PATH"
export PATH

VIRTUAL_ENV_PROMPT=__VIRTUAL_PROMPT__
export VIRTUAL_ENV_PROMPT

# A PYTHONHOME would point the environment's python at another installation.
if [ -n "${PYTHONHOME+set}" ]; then
    _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME"
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT-}" ]; then
    _OLD_VIRTUAL_PS1="${PS1-}"
    if [ -n "${ZSH_VERSION-}" ]; then
        # zsh does not expand variables in prompts by default: insert the
        # text, with its `%` escaped from prompt expansion.
        PS1="(${VIRTUAL_ENV_PROMPT//\%/%%}) ${PS1-}"
    else
        # Other shells expand the variable when they draw the prompt, so the
        # prompt text is never itself run through command substitution.
        PS1='(${VIRTUAL_ENV_PROMPT}) '"${PS1-}"
    fi
    export PS1
fi

hash -r 2>/dev/null
