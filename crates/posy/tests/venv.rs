//! `posy venv` end to end: the real binary makes environments that the real
//! interpreter accepts and that the real shells activate and deactivate.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory with its own cache; runs `posy` inside it.
struct Scratch {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        Scratch { _dir: dir, root }
    }

    fn posy(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_posy"))
            .args(args)
            .current_dir(&self.root)
            .env("POSY_CACHE_DIR", self.root.join("cache"))
            .env_remove("VIRTUAL_ENV")
            .env_remove("POSY_PYTHON")
            .output()
            .unwrap()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_success(output: &Output) {
    assert!(output.status.success(), "posy failed: {}", stderr(output));
}

/// Run `script` with `shell -c`. The shells are part of the test machine
/// (`.ci/run` installs fish, tcsh and zsh); a missing one fails the test.
fn shell(shell: &str, script: &str, cwd: &Path) -> Option<Output> {
    let output = Command::new(shell)
        .arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env_remove("VIRTUAL_ENV")
        .output();
    match output {
        Ok(output) => Some(output),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            panic!("{shell} is not installed (apt-get install fish tcsh zsh, as .ci/run does)")
        }
        Err(err) => panic!("{shell}: {err}"),
    }
}

#[test]
fn makes_an_environment_python_accepts() {
    let scratch = Scratch::new();
    let output = scratch.posy(&["venv", "env"]);
    assert_success(&output);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Using CPython 3."), "{text}");
    assert!(lines[0].contains(" interpreter at: /"), "{text}");
    assert_eq!(lines[1], "Creating virtual environment at: env");
    assert_eq!(lines[2], "Activate with: source env/bin/activate");

    let env = scratch.root.join("env");
    let check = Command::new(env.join("bin/python"))
        .args([
            "-c",
            "import sys; assert sys.prefix != sys.base_prefix, sys.prefix; print(sys.prefix)",
        ])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        env.to_str().unwrap()
    );

    let cfg = fs::read_to_string(env.join("pyvenv.cfg")).unwrap();
    assert!(cfg.starts_with("home = /"), "{cfg}");
    assert!(
        cfg.contains("\ninclude-system-site-packages = false\n"),
        "{cfg}"
    );
    assert!(
        cfg.contains(&format!("\nposy = {}\n", env!("CARGO_PKG_VERSION"))),
        "{cfg}"
    );
    assert!(cfg.contains("\ncommand = "), "{cfg}");
    assert_eq!(fs::read_to_string(env.join(".gitignore")).unwrap(), "*\n");

    // The probe was cached: a second environment reuses it.
    let bucket = scratch.root.join("cache/v1/interpreters");
    assert!(fs::read_dir(&bucket).unwrap().count() >= 1);
    assert_success(&scratch.posy(&["venv", "second"]));
}

#[test]
fn bash_activates_and_deactivates() {
    let scratch = Scratch::new();
    assert_success(&scratch.posy(&["venv", "env", "--prompt", "work"]));
    let env = scratch.root.join("env");
    let script = format!(
        r#"set -eu
before="$PATH"
PS1='$ '
source env/bin/activate
[ "$VIRTUAL_ENV" = '{env}' ] || {{ echo "VIRTUAL_ENV=$VIRTUAL_ENV"; exit 1; }}
[ "$VIRTUAL_ENV_PROMPT" = work ] || {{ echo "prompt=$VIRTUAL_ENV_PROMPT"; exit 1; }}
[ "$(command -v python)" = '{env}/bin/python' ] || {{ echo "python=$(command -v python)"; exit 1; }}
case "$PS1" in *'${{VIRTUAL_ENV_PROMPT}}'*) ;; *) echo "PS1=$PS1"; exit 1 ;; esac
python -c 'import sys; assert sys.prefix != sys.base_prefix'
deactivate
[ -z "${{VIRTUAL_ENV-}}" ] || {{ echo "still active"; exit 1; }}
[ "$PATH" = "$before" ] || {{ echo "PATH not restored"; exit 1; }}
[ "$PS1" = '$ ' ] || {{ echo "PS1 not restored: $PS1"; exit 1; }}
! command -v deactivate >/dev/null
echo ok"#,
        env = env.display()
    );
    let output = shell("bash", &script, &scratch.root).unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

#[test]
fn awkward_paths_are_quoted_for_every_shell() {
    let scratch = Scratch::new();
    let name = "it's a $HOME `x` !dir";
    assert_success(&scratch.posy(&["venv", name]));
    let env = scratch.root.join(name);
    let expected = env.to_str().unwrap();

    let posix = format!(
        r#"set -eu; . "./{name}/bin/activate"; printf '%s' "$VIRTUAL_ENV"; deactivate"#,
        name = name
            .replace('"', r#"\""#)
            .replace('$', r"\$")
            .replace('`', r"\`")
    );
    for sh in ["bash", "zsh", "dash"] {
        if let Some(output) = shell(sh, &posix, &scratch.root) {
            assert!(output.status.success(), "{sh}: {}", stderr(&output));
            assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "{sh}");
        }
    }
    // Source the other shells' scripts through a tame link: the point is
    // the path baked into the scripts, not quoting it on the command line.
    std::os::unix::fs::symlink(&env, scratch.root.join("tame")).unwrap();
    let fish = "source tame/bin/activate.fish; and printf '%s' $VIRTUAL_ENV; and deactivate";
    if let Some(output) = shell("fish", fish, &scratch.root) {
        assert!(output.status.success(), "fish: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "fish");
    }
    // csh expands aliases per line: `deactivate` must be on a later line
    // than the `source` that defines it.
    let csh = "source tame/bin/activate.csh\nprintf '%s' \"$VIRTUAL_ENV:q\"\ndeactivate";
    if let Some(output) = shell("tcsh", csh, &scratch.root) {
        assert!(output.status.success(), "tcsh: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "tcsh");
    }
}

#[test]
fn fish_and_csh_activate() {
    let scratch = Scratch::new();
    assert_success(&scratch.posy(&["venv", "env"]));
    let env = scratch.root.join("env");
    let expected = format!("{}\n{}/bin/python\n", env.display(), env.display());
    let fish = "source env/bin/activate.fish; echo $VIRTUAL_ENV; command -v python; deactivate; \
                set -q VIRTUAL_ENV; and echo still-active; true";
    if let Some(output) = shell("fish", fish, &scratch.root) {
        assert!(output.status.success(), "fish: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "fish");
    }
    let csh = "source env/bin/activate.csh\necho $VIRTUAL_ENV\nwhich python\ndeactivate\n\
               if ($?VIRTUAL_ENV) echo still-active";
    if let Some(output) = shell("tcsh", csh, &scratch.root) {
        assert!(output.status.success(), "tcsh: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "tcsh");
    }
}

#[test]
fn existing_paths_need_clear_or_allow_existing() {
    let scratch = Scratch::new();
    assert_success(&scratch.posy(&["venv", "env"]));
    let env = scratch.root.join("env");
    fs::write(env.join("marker.txt"), "mine").unwrap();

    let again = scratch.posy(&["venv", "env"]);
    assert_eq!(again.status.code(), Some(1));
    let text = stderr(&again);
    assert!(text.contains("already exists and is not empty"), "{text}");
    assert!(
        text.contains("--clear") && text.contains("--allow-existing"),
        "{text}"
    );
    assert!(env.join("marker.txt").exists());

    assert_success(&scratch.posy(&["venv", "env", "--allow-existing"]));
    assert!(env.join("marker.txt").exists());

    let cleared = scratch.posy(&["venv", "env", "--clear"]);
    assert_success(&cleared);
    assert!(!env.join("marker.txt").exists());
    assert!(env.join("bin/python").exists());

    let both = scratch.posy(&["venv", "env", "--clear", "--allow-existing"]);
    assert!(!both.status.success());
}

#[test]
fn clear_never_wipes_a_directory_that_is_not_an_environment() {
    let scratch = Scratch::new();
    let project = scratch.root.join("project");
    fs::create_dir(&project).unwrap();
    fs::write(project.join("main.py"), "print('precious')").unwrap();
    let output = scratch.posy(&["venv", "project", "--clear"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not a virtual environment"),
        "{}",
        stderr(&output)
    );
    assert!(project.join("main.py").exists());

    // An empty directory is fine without any flag.
    fs::create_dir(scratch.root.join("empty")).unwrap();
    assert_success(&scratch.posy(&["venv", "empty"]));
}

#[test]
fn seed_installs_pip_from_the_index() {
    let index = posy_testkit::Index::new()
        .package(
            posy_testkit::Package::new("pip", "24.0")
                .file("pip/__init__.py", "__version__ = '24.0'\n"),
        )
        .serve();
    let scratch = Scratch::new();
    let output = scratch.posy(&[
        "venv",
        "env",
        "--python",
        "python3",
        "--seed",
        "--index-url",
        &index.url(),
    ]);
    assert_success(&output);
    assert!(
        stderr(&output).contains("+ pip==24.0"),
        "{}",
        stderr(&output)
    );
    let check = Command::new(scratch.root.join("env/bin/python"))
        .args(["-c", "import pip, sys; assert pip.__version__ == '24.0'; assert sys.prefix != sys.base_prefix"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // A seed that cannot be had is an error, after the environment is written.
    let empty = posy_testkit::Index::new().serve();
    let output = scratch.posy(&[
        "venv",
        "env2",
        "--python",
        "python3",
        "--seed",
        "--index-url",
        &empty.url(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("seeding the environment with pip failed"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn seed_takes_the_index_cutoffs() {
    let pip = |version: &str, uploaded: &str| {
        posy_testkit::Package::new("pip", version)
            .file("pip/__init__.py", format!("__version__ = '{version}'\n"))
            .upload_time(uploaded)
    };
    let index = posy_testkit::Index::new()
        .package(pip("24.0", "2024-01-01T00:00:00.000000Z"))
        .package(pip("25.0", "2024-06-01T00:00:00.000000Z"))
        .serve();
    let scratch = Scratch::new();
    let output = scratch.posy(&[
        "venv",
        "env",
        "--python",
        "python3",
        "--seed",
        "--index-url",
        &index.url(),
        "--exclude-newer-package",
        "pip=2024-03-01T00:00:00Z",
    ]);
    assert_success(&output);
    assert!(
        stderr(&output).contains("+ pip==24.0"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn python_requests() {
    let scratch = Scratch::new();
    let output = scratch.posy(&["venv", "env", "--python", "3.99"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("no Python interpreter found for Python 3.99; tried:"),
        "{text}"
    );
    assert!(!scratch.root.join("env").exists());

    let output = scratch.posy(&["venv", "env", "--python", "py$"]);
    assert!(
        stderr(&output).contains("is not a Python request"),
        "{}",
        stderr(&output)
    );

    // A venv as --python: the new environment links to the real base.
    assert_success(&scratch.posy(&["venv", "first"]));
    assert_success(&scratch.posy(&["venv", "second", "--python", "./first"]));
    let link = fs::read_link(scratch.root.join("second/bin/python")).unwrap();
    assert!(
        !link.starts_with(scratch.root.join("first")),
        "{}",
        link.display()
    );
}

#[test]
fn prompts_are_shown_and_never_run() {
    let scratch = Scratch::new();
    let prompt = "50% $(echo hacked)";
    assert_success(&scratch.posy(&["venv", "env", "--prompt", prompt]));
    // bash draws `${VIRTUAL_ENV_PROMPT}` when it shows the prompt, so the
    // text is never run through command substitution.
    let bash = r#"PS1='\w $ '; source env/bin/activate; printf '%s' "${PS1@P}""#;
    if let Some(output) = shell("bash", bash, &scratch.root) {
        assert!(output.status.success(), "bash: {}", stderr(&output));
        let shown = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(shown.starts_with("(50% $(echo hacked)) "), "bash: {shown}");
    }
    // zsh gets the text with `%` escaped from prompt expansion.
    let zsh = r#"PS1='%~ $ '; source env/bin/activate; print -rn -- "$PS1""#;
    if let Some(output) = shell("zsh", zsh, &scratch.root) {
        assert!(output.status.success(), "zsh: {}", stderr(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "(50%% $(echo hacked)) %~ $ "
        );
    }
    let fish = "source env/bin/activate.fish; false; fish_prompt | string collect";
    if let Some(output) = shell("fish", fish, &scratch.root) {
        assert!(output.status.success(), "fish: {}", stderr(&output));
        let shown = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(shown.starts_with("(50% $(echo hacked)) "), "fish: {shown}");
    }
}
