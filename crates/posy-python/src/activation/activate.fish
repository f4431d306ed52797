# Activate this virtual environment in fish:
#     source <venv>/bin/activate.fish
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` puts everything back. Written by posy.

function deactivate --description 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        end
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
        functions -e __posy_return_status
    end
end

# Leave whatever environment is active first, keeping this function.
deactivate nondestructive

set -gx VIRTUAL_ENV __VIRTUAL_ENV__
set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/"__BIN_NAME__ $PATH
set -gx VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__

# A PYTHONHOME would point the environment's python at another installation.
if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    # Wrap the current prompt; the wrapper hands the last command's status
    # on so prompts that show it keep working.
    function __posy_return_status
        return $argv[1]
    end
    functions -c fish_prompt _old_fish_prompt
    function fish_prompt
        set -l last_status $status
        printf '(%s) ' $VIRTUAL_ENV_PROMPT
        __posy_return_status $last_status
        _old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
