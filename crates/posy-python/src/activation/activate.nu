# Activate this virtual environment in nushell:
#     overlay use <venv>/bin/activate.nu
# It puts the environment's scripts first on PATH, sets VIRTUAL_ENV, and
# prefixes the prompt. `deactivate` hides the overlay, which undoes all of
# that. Written by posy.

export-env {
    let venv_dir = __VIRTUAL_ENV__
    let venv_prompt = __VIRTUAL_PROMPT__
    let bin_dir = ($venv_dir | path join __BIN_NAME__)

    # Windows spells the variable `Path`.
    let path_var = if ('PATH' in $env) or not ('Path' in $env) { 'PATH' } else { 'Path' }
    let current = if ($path_var in $env) { $env | get $path_var } else { [] }
    let entries = if (($current | describe) == 'string') {
        $current | split row (char esep)
    } else {
        $current
    }
    load-env ({VIRTUAL_ENV: $venv_dir, VIRTUAL_ENV_PROMPT: $venv_prompt}
        | insert $path_var ($entries | prepend $bin_dir))

    let prompt_disabled = if ('VIRTUAL_ENV_DISABLE_PROMPT' in $env) {
        ($env.VIRTUAL_ENV_DISABLE_PROMPT | into string) not-in ['' '0' 'false']
    } else {
        false
    }
    if not $prompt_disabled {
        let previous = if ('PROMPT_COMMAND' in $env) { $env.PROMPT_COMMAND } else { '' }
        $env.PROMPT_COMMAND = {||
            let rest = if (($previous | describe) | str starts-with 'closure') {
                do $previous
            } else {
                $previous
            }
            ['(' $venv_prompt ') ' $rest] | str join
        }
    }
}

export alias deactivate = overlay hide activate
