//! Launchers for entry points and `#!python` shebang rewriting.
//!
//! A console script is a small Python file that imports the entry point's
//! object and calls it, started by the environment's interpreter through a
//! shebang. Linux limits a shebang line to 127 bytes and none may contain a
//! space, so for long or spaced interpreter paths the launcher starts as a
//! `/bin/sh` script that re-executes itself with the interpreter: the
//! first lines are valid shell and, to Python, a string literal.

use std::path::Path;

use posy_vocab::EntryPoint;

/// The longest shebang line the Linux kernel reads.
const MAX_SHEBANG: usize = 127;

/// The shebang (or shell trampoline) that runs a script with `python`,
/// passing `args` (e.g. `-E`) to the interpreter.
pub(crate) fn shebang(python: &Path, args: &str) -> String {
    let python = python.display().to_string();
    let direct = if args.is_empty() {
        format!("#!{python}")
    } else {
        format!("#!{python} {args}")
    };
    if direct.len() <= MAX_SHEBANG && !python.contains([' ', '\t']) {
        return direct;
    }
    let quoted = python.replace('\'', r"'\''");
    let args = if args.is_empty() {
        String::new()
    } else {
        format!(" {args}")
    };
    format!("#!/bin/sh\n'''exec' '{quoted}'{args} \"$0\" \"$@\"\n' '''")
}

/// The text of a launcher for an entry point.
pub(crate) fn launcher(entry: &EntryPoint, python: &Path) -> Result<String, String> {
    let Some(attr) = &entry.attr else {
        return Err(format!(
            "entry point `{}` names module `{}` without an object (`module:function`)",
            entry.name, entry.module
        ));
    };
    let head = attr.split('.').next().unwrap_or(attr);
    Ok(format!(
        "{shebang}\n# Launcher for `{name}`, written by posy.\nimport sys\nfrom {module} import {head}\n\nif __name__ == \"__main__\":\n    if sys.argv[0].endswith(\".exe\"):\n        sys.argv[0] = sys.argv[0][:-4]\n    sys.exit({attr}())\n",
        shebang = shebang(python, ""),
        name = entry.name,
        module = entry.module,
    ))
}

/// If `content` starts with a `#!python` (or `#!pythonw`) line, the content
/// with that line replaced by a real shebang; otherwise `None`.
pub(crate) fn rewrite_python_shebang(content: &[u8], python: &Path) -> Option<Vec<u8>> {
    let rest = content.strip_prefix(b"#!python")?;
    let rest = rest.strip_prefix(b"w").unwrap_or(rest);
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let (args, body) = rest.split_at(line_end);
    if args.first().is_some_and(|b| !b.is_ascii_whitespace()) {
        return None; // `#!python3-foo`: not the placeholder.
    }
    let args = String::from_utf8_lossy(args);
    let mut out = shebang(python, args.trim()).into_bytes();
    out.extend_from_slice(body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paths_get_a_plain_shebang() {
        assert_eq!(
            shebang(Path::new("/venv/bin/python"), ""),
            "#!/venv/bin/python"
        );
        assert_eq!(
            shebang(Path::new("/venv/bin/python"), "-E"),
            "#!/venv/bin/python -E"
        );
    }

    #[test]
    fn long_or_spaced_paths_get_a_trampoline() {
        let s = shebang(Path::new("/my envs/bin/python"), "");
        assert!(
            s.starts_with("#!/bin/sh\n'''exec' '/my envs/bin/python' \"$0\" \"$@\""),
            "{s}"
        );
        let long = format!("/{}/bin/python", "x".repeat(200));
        assert!(shebang(Path::new(&long), "").starts_with("#!/bin/sh"));
    }

    #[test]
    fn rewrites_only_the_placeholder() {
        let py = Path::new("/e/bin/python");
        assert_eq!(
            rewrite_python_shebang(b"#!python\nprint(1)\n", py).unwrap(),
            b"#!/e/bin/python\nprint(1)\n"
        );
        assert_eq!(
            rewrite_python_shebang(b"#!pythonw -u\nx\n", py).unwrap(),
            b"#!/e/bin/python -u\nx\n"
        );
        assert_eq!(rewrite_python_shebang(b"#!/usr/bin/env python\n", py), None);
        assert_eq!(rewrite_python_shebang(b"#!python3-config\n", py), None);
        assert_eq!(rewrite_python_shebang(b"\x7fELF", py), None);
    }

    #[test]
    fn launcher_imports_and_calls_the_object() {
        let ep = EntryPoint {
            group: "console_scripts".into(),
            name: "tool".into(),
            module: "pkg.cli".into(),
            attr: Some("App.main".into()),
            extras: vec![],
        };
        let text = launcher(&ep, Path::new("/e/bin/python")).unwrap();
        assert!(text.starts_with("#!/e/bin/python\n"));
        assert!(text.contains("from pkg.cli import App\n"));
        assert!(text.contains("sys.exit(App.main())"));
        let bare = EntryPoint { attr: None, ..ep };
        assert!(launcher(&bare, Path::new("/e/bin/python")).is_err());
    }
}
