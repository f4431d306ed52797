//! Scripts' inline metadata (PEP 723): `posy init --script`, and `posy add`
//! and `posy remove` with `--script`, which edit the `# /// script` block
//! of one file and nothing else: no `pyproject.toml`, no lock, no
//! environment, and every byte outside the block as it was.

mod common;

use common::World;

const BLOCK_312: &str =
    "# /// script\n# requires-python = \">=3.12\"\n# dependencies = []\n# ///\n";

#[test]
fn init_script_creates_a_missing_file() {
    let world = World::new();
    let run = world.ok(&["init", "--script", "hello.py", "--python", "3.12"]);
    assert_eq!(run.stderr, "Initialized script at `hello.py`\n");
    assert_eq!(world.read("hello.py"), BLOCK_312);
    assert!(!world.root.join("pyproject.toml").exists());
}

#[test]
fn init_script_keeps_an_existing_file_below_its_shebang() {
    let world = World::new();
    let code = "#!/usr/bin/env python3\nimport sys\n\nprint(sys.argv)\n";
    world.write("tool.py", code);
    world.ok(&["init", "--script", "tool.py", "--python", "3.12"]);
    assert_eq!(
        world.read("tool.py"),
        format!("#!/usr/bin/env python3\n{BLOCK_312}\nimport sys\n\nprint(sys.argv)\n")
    );
}

#[test]
fn init_script_refuses_a_file_that_has_a_block() {
    let world = World::new();
    let text = format!("import os\n{BLOCK_312}");
    world.write("s.py", &text);
    let run = world.fails(&["init", "--script", "s.py", "--python", "3.12"]);
    assert!(
        run.stderr
            .contains("line 2: the script already has a `# /// script` block"),
        "{}",
        run.stderr
    );
    assert_eq!(world.read("s.py"), text);
}

#[test]
fn init_script_conflicts_with_project_flags() {
    let world = World::new();
    let output = world.posy(&["init", "--script", "s.py", "--lib"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    assert!(!world.root.join("s.py").exists());
}

/// A script with code and comments around its block, CRLF or not.
fn script(newline: &str) -> String {
    [
        "#!/usr/bin/env python3",
        "\"\"\"Fetch a page.\"\"\"",
        "# /// script",
        "# requires-python = \">=3.11\"",
        "# dependencies = [",
        "#   \"rich\",  # pretty output",
        "# ]",
        "# ///",
        "# a comment after the block",
        "",
        "import rich",
        "print(  'odd   spacing' )",
    ]
    .join(newline)
        + newline
}

#[test]
fn add_and_remove_edit_only_the_block() {
    for newline in ["\n", "\r\n"] {
        let world = World::new();
        let original = script(newline);
        world.write("fetch.py", &original);
        let run = world.ok(&["add", "--script", "fetch.py", "requests", "httpx>=0.27"]);
        assert_eq!(run.stderr, "Updated `fetch.py`\n");
        let added = original.replace(
            &format!("#   \"rich\",  # pretty output{newline}"),
            &format!(
                "#   \"httpx>=0.27\",{newline}#   \"requests\",{newline}#   \"rich\",  # pretty output{newline}"
            ),
        );
        assert_ne!(added, original);
        assert_eq!(world.read("fetch.py").as_bytes(), added.as_bytes());

        world.ok(&["remove", "--script", "fetch.py", "requests", "httpx"]);
        assert_eq!(world.read("fetch.py").as_bytes(), original.as_bytes());
        for name in ["pyproject.toml", "pylock.toml", ".venv"] {
            assert!(!world.root.join(name).exists(), "{name}");
        }
    }
}

#[test]
fn add_replaces_an_entry_of_the_same_package() {
    let world = World::new();
    world.write(
        "s.py",
        "# /// script\n# dependencies = [\"rich<13\"]\n# ///\n",
    );
    world.ok(&["add", "--script", "s.py", "rich>=13"]);
    assert_eq!(
        world.read("s.py"),
        "# /// script\n# dependencies = [\"rich>=13\"]\n# ///\n"
    );
}

#[test]
fn add_gives_a_file_without_a_block_one() {
    let world = World::new();
    world.write("s.py", "print('hi')\n");
    world.ok(&["add", "--script", "s.py", "rich", "--python", "3.12"]);
    assert_eq!(
        world.read("s.py"),
        "# /// script\n# requires-python = \">=3.12\"\n# dependencies = [\n#     \"rich\",\n# ]\n# ///\n\nprint('hi')\n"
    );
}

#[test]
fn remove_names_what_it_cannot_find() {
    let world = World::new();
    let text = "# /// script\n# dependencies = [\"rich\"]\n# ///\n";
    world.write("s.py", text);
    let run = world.fails(&["remove", "--script", "s.py", "requests"]);
    assert!(
        run.stderr
            .contains("The dependency `requests` could not be found in the `# /// script` block"),
        "{}",
        run.stderr
    );
    world.write("bare.py", "print()\n");
    let run = world.fails(&["remove", "--script", "bare.py", "rich"]);
    assert!(
        run.stderr.contains("bare.py has no `# /// script` block"),
        "{}",
        run.stderr
    );
    assert_eq!(world.read("s.py"), text);
}

/// Each broken block is refused with the line to look at, and the file is
/// left alone.
#[test]
fn broken_blocks_are_errors_with_their_line() {
    let cases = [
        (
            "import os\n\n# /// script\n# dependencies = []\nprint()\n",
            "line 3: `# /// script` is never closed by a `# ///` line",
        ),
        (
            "# /// script\n# dependencies = []\n# ///\n\n# /// script\n# dependencies = []\n# ///\n",
            "line 5: a second `# /// script` block (the first is on line 1)",
        ),
        (
            "import os\n# /// script\n# requires-python = \">=3.11\"\n# dependencies = = []\n# ///\n",
            "line 4: the `# /// script` block is not valid TOML",
        ),
    ];
    for (text, message) in cases {
        // `init` does not read the TOML: a block that is there is enough.
        let init_message = if message.contains("TOML") {
            "line 2: the script already has a `# /// script` block"
        } else {
            message
        };
        let world = World::new();
        world.write("s.py", text);
        for args in [
            &["add", "--script", "s.py", "rich"][..],
            &["remove", "--script", "s.py", "rich"],
            &["init", "--script", "s.py", "--python", "3.12"],
        ] {
            let run = world.fails(args);
            let message = if args[0] == "init" {
                init_message
            } else {
                message
            };
            assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
            assert_eq!(world.read("s.py"), text);
        }
    }
}

#[test]
fn script_conflicts_with_project_places() {
    let world = World::new();
    world.write("s.py", BLOCK_312);
    for flag in ["--dev", "--no-sync"] {
        let output = world.posy(&["add", "--script", "s.py", flag, "rich"]);
        assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    }
    assert_eq!(world.read("s.py"), BLOCK_312);
}
