//! Inline script metadata (PEP 723): the `# /// script` comment block
//! that lets a single `.py` file say which Python and which packages it
//! needs, and the edits `posy add --script` and `posy remove --script`
//! make to it.
//!
//! A block is what the PEP's reference regex matches,
//! `(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`,
//! done here line by line: an opening line `# /// TYPE`, at least one
//! content line (`#` alone or `# ` and text), and a closing `# ///`. The
//! closing line is itself a valid content line, so the regex is greedy:
//! the block ends at the *last* `# ///` before the first line that is not
//! a comment of that shape (the PEP's "precedence for an ending line"),
//! and a block may quote `# ///` inside it. The content is its lines with
//! `# ` (or the lone `#`) taken off. Blocks of other types are skipped
//! whole, as `re.finditer` skips a match; only `script` is read.
//!
//! Python reads source with universal newlines, so a CRLF file is read
//! as if it had LF ends; the byte ranges stay those of the real file.
//! A second `script` block is an error (the PEP says tools must refuse),
//! and so is a `# /// script` that never closes: the reference regex
//! would silently ignore it, which would turn a typo into "no
//! dependencies". Both name their line, as does invalid TOML, whose
//! position is mapped back from the content to the file.
//!
//! Editing reuses [`PyProjectEditor`] on the block's TOML, pointed at the
//! top-level `dependencies` instead of `project.dependencies`, so a
//! script's list is formatted exactly as a `pyproject.toml`'s. The block
//! is written back over its own byte range, with the file's line end;
//! every byte outside it is kept. A file without a block gets one at the
//! top, after a shebang and an encoding declaration (which must stay on
//! the first two lines to count).
//!
//! Not here: running a script in an environment its block describes.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use posy_vocab::{PackageName, Requirement, SpecifierSet};

use crate::edit::{Added, EditError, Place, PyProjectEditor, write_atomically};

/// What a script's `# /// script` block says.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptMetadata {
    /// `requires-python`.
    pub requires_python: Option<SpecifierSet>,
    /// `dependencies`, in the order written.
    pub dependencies: Vec<Requirement>,
    /// The `[tool]` table (`[tool.posy]` and others'), empty when absent.
    pub tool: toml::Table,
}

/// Where a script's block is and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptBlock {
    /// From the `#` of `# /// script` to the end of `# ///`, without its
    /// line end.
    pub range: Range<usize>,
    /// The TOML, the comment prefixes taken off, one `\n` after each line.
    pub content: String,
    /// The 1-based line number of the opening `# /// script`.
    pub line: usize,
}

/// Why a script's metadata could not be read or edited.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "line {second}: a second `# /// script` block (the first is on line {first}); PEP 723 allows one"
    )]
    Duplicate { first: usize, second: usize },
    #[error("line {line}: `# /// script` is never closed by a `# ///` line")]
    Unclosed { line: usize },
    #[error("line {line}: the `# /// script` block is not valid TOML: {message}")]
    Toml { line: usize, message: String },
    /// A key of the block holds a value of the wrong shape, or one that
    /// does not parse.
    #[error("the `# /// script` block on line {line}: `{key}` {message}")]
    Invalid {
        line: usize,
        key: &'static str,
        message: String,
    },
    #[error("line {line}: the script already has a `# /// script` block")]
    AlreadyHasBlock { line: usize },
    #[error("The dependency `{name}` could not be found in the `# /// script` block")]
    NotFound { name: PackageName },
    #[error("the `# /// script` block: {0}")]
    Edit(EditError),
}

/// One line of a file: where it starts, where its text ends (before `\r\n`
/// or `\n`) and where the next begins.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let (end, next) = match text[start..].find('\n') {
            Some(at) => {
                let newline = start + at;
                let end = if text[..newline].ends_with('\r') {
                    newline - 1
                } else {
                    newline
                };
                (end, newline + 1)
            }
            None => (text.len(), text.len()),
        };
        lines.push(Line { start, end, next });
        start = next;
    }
    lines
}

/// `TYPE` when `line` is `# /// TYPE`.
fn opening(line: &str) -> Option<&str> {
    let kind = line.strip_prefix("# /// ")?;
    let valid = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    valid.then_some(kind)
}

/// The text of a content line (`#` or `# …`) without its prefix.
fn content(line: &str) -> Option<&str> {
    if line == "#" {
        Some("")
    } else {
        line.strip_prefix("# ")
    }
}

const CLOSING: &str = "# ///";

/// Finds the `script` block of `text`; see the module doc.
pub fn find_block(text: &str) -> Result<Option<ScriptBlock>, ScriptError> {
    let lines = lines(text);
    let line_text = |i: usize| &text[lines[i].start..lines[i].end];
    let mut found: Option<ScriptBlock> = None;
    let mut i = 0;
    while i < lines.len() {
        let Some(kind) = opening(line_text(i)) else {
            i += 1;
            continue;
        };
        let closing = (i + 1..lines.len())
            .take_while(|&j| content(line_text(j)).is_some())
            .filter(|&j| j > i + 1 && line_text(j) == CLOSING)
            .last();
        let Some(closing) = closing else {
            if kind == "script" {
                return Err(ScriptError::Unclosed { line: i + 1 });
            }
            i += 1;
            continue;
        };
        if kind == "script" {
            if let Some(first) = &found {
                return Err(ScriptError::Duplicate {
                    first: first.line,
                    second: i + 1,
                });
            }
            let mut toml = String::new();
            for j in i + 1..closing {
                toml.push_str(content(line_text(j)).expect("checked above"));
                toml.push('\n');
            }
            found = Some(ScriptBlock {
                range: lines[i].start..lines[closing].end,
                content: toml,
                line: i + 1,
            });
        }
        i = closing + 1;
    }
    Ok(found)
}

impl ScriptBlock {
    /// The typed metadata of the block.
    pub fn metadata(&self) -> Result<ScriptMetadata, ScriptError> {
        let mut table: toml::Table = self.content.parse().map_err(|e: toml::de::Error| {
            let offset = e.span().map_or(0, |span| span.start);
            ScriptError::Toml {
                line: self.content_line(offset),
                message: e.message().trim_end().to_owned(),
            }
        })?;
        let invalid = |key, message: String| ScriptError::Invalid {
            line: self.line,
            key,
            message,
        };
        let requires_python = match table.remove("requires-python") {
            None => None,
            Some(toml::Value::String(text)) => Some(
                text.parse::<SpecifierSet>()
                    .map_err(|e| invalid("requires-python", e.to_string()))?,
            ),
            Some(_) => return Err(invalid("requires-python", "must be a string".into())),
        };
        let dependencies = match table.remove("dependencies") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|item| {
                    let text = item
                        .as_str()
                        .ok_or_else(|| invalid("dependencies", "must hold strings".into()))?;
                    text.parse::<Requirement>()
                        .map_err(|e| invalid("dependencies", e.to_string()))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("dependencies", "must be an array".into())),
        };
        let tool = match table.remove("tool") {
            None => toml::Table::new(),
            Some(toml::Value::Table(tool)) => tool,
            Some(_) => return Err(invalid("tool", "must be a table".into())),
        };
        Ok(ScriptMetadata {
            requires_python,
            dependencies,
            tool,
        })
    }

    /// The file's 1-based line number of byte `offset` of the content.
    fn content_line(&self, offset: usize) -> usize {
        let offset = offset.min(self.content.len());
        self.line + 1 + self.content[..offset].matches('\n').count()
    }
}

/// Reads the metadata of `text`, `None` when it has no `script` block.
pub fn parse_metadata(text: &str) -> Result<Option<ScriptMetadata>, ScriptError> {
    find_block(text)?.map(|block| block.metadata()).transpose()
}

/// A script open for editing its block.
#[derive(Debug, Clone)]
pub struct ScriptEditor {
    /// The file's text outside the block: `before` + block + `after`.
    before: String,
    after: String,
    block_line: usize,
    editor: PyProjectEditor,
    /// The line end the block is written with.
    newline: &'static str,
}

impl ScriptEditor {
    /// Reads the script at `path`; `None` when it has no block.
    pub fn open(path: &Path) -> Result<Option<Self>, ScriptError> {
        Self::parse(&read(path)?)
    }

    /// The editor of `text`'s block; `None` when it has none.
    pub fn parse(text: &str) -> Result<Option<Self>, ScriptError> {
        let Some(block) = find_block(text)? else {
            return Ok(None);
        };
        // Surfaces invalid TOML with its line before `toml_edit` would.
        block.metadata()?;
        let editor = PyProjectEditor::parse_script(&block.content).map_err(ScriptError::Edit)?;
        Ok(Some(Self {
            before: text[..block.range.start].to_owned(),
            after: text[block.range.end..].to_owned(),
            block_line: block.line,
            editor,
            newline: newline_of(text),
        }))
    }

    /// The editor of a block made for `text`, which has none; see
    /// [`with_new_block`].
    pub fn with_new_block(text: &str, python: Option<(u64, u64)>) -> Result<Self, ScriptError> {
        Ok(Self::parse(&with_new_block(text, python))?.expect("a block was just added"))
    }

    /// Adds `requirement` to `dependencies` (creating the list when
    /// missing), replacing an entry of the same package and marker.
    pub fn add_dependency(&mut self, requirement: &Requirement) -> Result<Added, ScriptError> {
        self.editor
            .add_dependency(requirement, &Place::Project)
            .map_err(|e| self.edit_error(e))
    }

    /// Removes every entry of `name` from `dependencies`.
    pub fn remove_dependency(&mut self, name: &PackageName) -> Result<(), ScriptError> {
        self.editor
            .remove_dependency(name, &Place::Project)
            .map_err(|e| self.edit_error(e))
    }

    fn edit_error(&self, error: EditError) -> ScriptError {
        match error {
            EditError::NotFound { name, .. } => ScriptError::NotFound { name },
            EditError::Shape { key, expected } if key == "dependencies" => ScriptError::Invalid {
                line: self.block_line,
                key: "dependencies",
                message: format!("must be {expected}"),
            },
            other => ScriptError::Edit(other),
        }
    }

    /// Writes the script to `path` unless it already holds exactly this
    /// text; returns whether it wrote.
    pub fn write(&self, path: &Path) -> Result<bool, ScriptError> {
        write_if_changed(path, &self.to_string())
    }
}

impl fmt::Display for ScriptEditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.before)?;
        f.write_str(&render_block(&self.editor.to_string(), self.newline))?;
        f.write_str(&self.after)
    }
}

/// `toml` as a `# /// script` block, without a line end after `# ///`.
fn render_block(toml: &str, newline: &str) -> String {
    let mut block = String::from("# /// script");
    for line in toml.strip_suffix('\n').unwrap_or(toml).split('\n') {
        block.push_str(newline);
        block.push('#');
        if !line.is_empty() {
            block.push(' ');
            block.push_str(line);
        }
    }
    block.push_str(newline);
    block.push_str(CLOSING);
    block
}

/// The line end of `text`'s first line; `\n` for a file of one line.
fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(at) if text[..at].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// `text` with a new block, `requires-python = ">=X.Y"` when `python` is
/// given and an empty `dependencies`, at the top: after a shebang and an
/// encoding declaration, and followed by a blank line when code follows.
/// `text` must have no block (see [`find_block`]).
pub fn with_new_block(text: &str, python: Option<(u64, u64)>) -> String {
    let newline = newline_of(text);
    let mut toml = String::new();
    if let Some((major, minor)) = python {
        toml.push_str(&format!("requires-python = \">={major}.{minor}\"\n"));
    }
    toml.push_str("dependencies = []\n");
    let lines = lines(text);
    let line_text = |i: usize| &text[lines[i].start..lines[i].end];
    let mut keep = 0;
    if !lines.is_empty() && line_text(0).starts_with("#!") {
        keep = 1;
    }
    // PEP 263: the encoding line counts on the first two lines only.
    if keep < lines.len() && keep < 2 && is_encoding_line(line_text(keep)) {
        keep += 1;
    }
    let at = if keep == 0 { 0 } else { lines[keep - 1].next };
    let mut out = String::with_capacity(text.len() + toml.len() + 32);
    out.push_str(&text[..at]);
    if at > 0 && !text[..at].ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(&render_block(&toml, newline));
    out.push_str(newline);
    let rest = &text[at..];
    if !rest.is_empty() && !rest.starts_with('\n') && !rest.starts_with("\r\n") {
        out.push_str(newline);
    }
    out.push_str(rest);
    out
}

/// Whether `line` is a PEP 263 encoding declaration
/// (`^[ \t\f]*#.*?coding[:=]`).
fn is_encoding_line(line: &str) -> bool {
    let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
    trimmed.starts_with('#')
        && ["coding:", "coding="]
            .iter()
            .any(|needle| trimmed.contains(needle))
}

fn read(path: &Path) -> Result<String, ScriptError> {
    std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Writes `text` to `path` unless it already holds it; returns whether it
/// wrote.
fn write_if_changed(path: &Path, text: &str) -> Result<bool, ScriptError> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(false);
    }
    write_atomically(path, text.as_bytes()).map_err(|source| ScriptError::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(true)
}

/// Gives the script at `path` a block (see [`with_new_block`]), creating
/// the file when missing; an error when it already has one.
pub fn init_script(path: &Path, python: Option<(u64, u64)>) -> Result<(), ScriptError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ScriptError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    if let Some(block) = find_block(&text)? {
        return Err(ScriptError::AlreadyHasBlock { line: block.line });
    }
    write_if_changed(path, &with_new_block(&text, python))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> ScriptBlock {
        find_block(text).unwrap().expect("a block")
    }

    fn metadata(text: &str) -> ScriptMetadata {
        parse_metadata(text).unwrap().expect("a block")
    }

    fn names(metadata: &ScriptMetadata) -> Vec<String> {
        let deps = metadata.dependencies.iter();
        deps.map(ToString::to_string).collect()
    }

    const SIMPLE: &str = "\
#!/usr/bin/env python3
# /// script
# requires-python = \">=3.11\"
# dependencies = [
#   \"requests<3\",
#   \"rich\",
# ]
# [tool.posy]
# exclude-newer = \"2024-01-01\"
# ///

import requests
";

    #[test]
    fn reads_the_typed_metadata_and_the_range() {
        let found = block(SIMPLE);
        assert_eq!(found.line, 2);
        let start = SIMPLE.find("# /// script").unwrap();
        let end = SIMPLE.find("# ///\n").unwrap() + "# ///".len();
        assert_eq!(found.range, start..end);
        let metadata = found.metadata().unwrap();
        assert_eq!(
            metadata.requires_python,
            Some(">=3.11".parse::<SpecifierSet>().unwrap())
        );
        assert_eq!(names(&metadata), ["requests<3", "rich"]);
        assert_eq!(
            metadata.tool["posy"]["exclude-newer"].as_str(),
            Some("2024-01-01")
        );
    }

    #[test]
    fn no_block_is_none_and_other_types_are_ignored() {
        assert_eq!(parse_metadata("import os\n").unwrap(), None);
        let text = "# /// pyproject\n# dependencies = [\"x\"]\n# ///\n";
        assert_eq!(parse_metadata(text).unwrap(), None);
        let script = "# /// script\n# dependencies = [\"y\"]\n# ///\n";
        assert_eq!(names(&metadata(&format!("{text}\n{script}"))), ["y"]);
        // Without a line between them, the first block runs greedily to
        // the last `# ///` and swallows the second, as the regex does.
        assert_eq!(parse_metadata(&format!("{text}{script}")).unwrap(), None);
    }

    #[test]
    fn a_script_opener_inside_another_block_is_its_content() {
        // `re.finditer` skips a whole match, so this is one `other` block.
        let text = "# /// other\n# /// script\n# x\n# ///\n";
        assert_eq!(parse_metadata(text).unwrap(), None);
    }

    #[test]
    fn bare_hash_lines_are_empty_content_lines() {
        let text = "# /// script\n#\n# dependencies = [\"a\"]\n#\n# ///\n";
        let found = block(text);
        assert_eq!(found.content, "\ndependencies = [\"a\"]\n\n");
        assert_eq!(names(&found.metadata().unwrap()), ["a"]);
    }

    #[test]
    fn the_last_closing_line_of_the_comment_run_ends_the_block() {
        // The PEP's precedence rule: `# ///` closes only when the next
        // line is not a content line, so the first one is content here.
        let text = "\
# /// script
# dependencies = [\"a\"]
# ///
#
# ///
# trailing comment
x = 1
# ///
";
        let found = block(text);
        assert_eq!(found.content, "dependencies = [\"a\"]\n///\n\n");
        let end = text.find("# ///\n# trailing").unwrap() + "# ///".len();
        assert_eq!(found.range.end, end);
    }

    #[test]
    fn a_line_that_is_not_content_stops_the_search_for_a_close() {
        // `#x` is not `#` nor `# …`: the block must close before it.
        let text = "# /// script\n# dependencies = []\n#x\n# ///\n";
        assert!(matches!(
            find_block(text),
            Err(ScriptError::Unclosed { line: 1 })
        ));
    }

    #[test]
    fn crlf_files_are_read_with_the_real_byte_range() {
        let text = "import os\r\n# /// script\r\n# dependencies = [\"a\"]\r\n# ///\r\nx = 1\r\n";
        let found = block(text);
        assert_eq!(found.line, 2);
        assert_eq!(found.content, "dependencies = [\"a\"]\n");
        assert_eq!(
            &text[found.range.clone()],
            &text[11..text.find("\r\nx").unwrap()]
        );
    }

    #[test]
    fn a_block_at_the_end_without_a_newline() {
        let text = "x = 1\n# /// script\n# dependencies = [\"a\"]\n# ///";
        let found = block(text);
        assert_eq!(found.range.end, text.len());
        assert_eq!(names(&found.metadata().unwrap()), ["a"]);
    }

    #[test]
    fn an_unclosed_block_names_its_line() {
        let text = "x = 1\n\n# /// script\n# dependencies = []\n\nprint()\n";
        let error = find_block(text).unwrap_err();
        assert!(matches!(error, ScriptError::Unclosed { line: 3 }));
        assert_eq!(
            error.to_string(),
            "line 3: `# /// script` is never closed by a `# ///` line"
        );
        // Zero content lines: the reference regex needs at least one.
        assert!(matches!(
            find_block("# /// script\n# ///\n"),
            Err(ScriptError::Unclosed { line: 1 })
        ));
    }

    #[test]
    fn an_unclosed_block_of_another_type_is_ignored() {
        let text = "# /// other\nx = 1\n# /// script\n# dependencies = []\n# ///\n";
        assert_eq!(block(text).line, 3);
    }

    #[test]
    fn two_script_blocks_are_an_error() {
        let text = "# /// script\n# a = 1\n# ///\nx = 1\n# /// script\n# b = 1\n# ///\n";
        let error = find_block(text).unwrap_err();
        assert!(matches!(
            error,
            ScriptError::Duplicate {
                first: 1,
                second: 5
            }
        ));
    }

    #[test]
    fn invalid_toml_names_the_line_of_the_file() {
        let text =
            "import os\n# /// script\n# requires-python = \">=3.11\"\n# dependencies = [\n# ///\n";
        let error = parse_metadata(text).unwrap_err();
        let ScriptError::Toml { line, .. } = &error else {
            panic!("{error:?}")
        };
        // toml points at the array left open, on line 4 of the file.
        assert_eq!(*line, 4, "{error}");
        let text = "# /// script\n# a = 1\n# b = = 2\n# ///\n";
        assert!(matches!(
            parse_metadata(text).unwrap_err(),
            ScriptError::Toml { line: 3, .. }
        ));
    }

    #[test]
    fn wrong_shapes_and_bad_requirements_are_errors() {
        let bad = |toml: &str| {
            let text = format!("x = 1\n# /// script\n# {toml}\n# ///\n");
            parse_metadata(&text).unwrap_err().to_string()
        };
        assert_eq!(
            bad("dependencies = \"a\""),
            "the `# /// script` block on line 2: `dependencies` must be an array"
        );
        assert!(bad("dependencies = [\"a >>> 1\"]").contains("`dependencies`"));
        assert!(bad("requires-python = \"3.x!\"").contains("`requires-python`"));
    }

    #[test]
    fn editing_keeps_every_other_byte() {
        let mut editor = ScriptEditor::parse(SIMPLE).unwrap().unwrap();
        assert_eq!(editor.to_string(), SIMPLE);
        editor.add_dependency(&"numpy>=2".parse().unwrap()).unwrap();
        let expected = SIMPLE.replace(
            "#   \"requests<3\",\n",
            "#   \"numpy>=2\",\n#   \"requests<3\",\n",
        );
        assert_eq!(editor.to_string(), expected);
        editor
            .remove_dependency(&PackageName::new("rich").unwrap())
            .unwrap();
        editor
            .remove_dependency(&PackageName::new("requests").unwrap())
            .unwrap();
        let expected = SIMPLE.replace(
            "#   \"requests<3\",\n#   \"rich\",\n",
            "#   \"numpy>=2\",\n",
        );
        assert_eq!(editor.to_string(), expected);
    }

    #[test]
    fn editing_a_crlf_file_without_a_final_newline() {
        let text = "x = 1\r\n# /// script\r\n# dependencies = []\r\n# ///";
        let mut editor = ScriptEditor::parse(text).unwrap().unwrap();
        editor.add_dependency(&"a".parse().unwrap()).unwrap();
        assert_eq!(
            editor.to_string(),
            "x = 1\r\n# /// script\r\n# dependencies = [\r\n#     \"a\",\r\n# ]\r\n# ///"
        );
    }

    #[test]
    fn dependencies_are_created_at_the_top_level() {
        let text = "# /// script\n# requires-python = \">=3.12\"\n# ///\n";
        let mut editor = ScriptEditor::parse(text).unwrap().unwrap();
        editor.add_dependency(&"a".parse().unwrap()).unwrap();
        let written = editor.to_string();
        assert_eq!(names(&metadata(&written)), ["a"]);
        assert!(!written.contains("[project]"), "{written}");
    }

    #[test]
    fn removing_a_missing_dependency_is_an_error() {
        let text = "# /// script\n# dependencies = [\"a\"]\n# ///\n";
        let mut editor = ScriptEditor::parse(text).unwrap().unwrap();
        let error = editor
            .remove_dependency(&PackageName::new("b").unwrap())
            .unwrap_err();
        assert!(matches!(error, ScriptError::NotFound { .. }), "{error}");
    }

    #[test]
    fn a_new_block_goes_after_the_shebang_and_encoding() {
        assert_eq!(
            with_new_block("", Some((3, 12))),
            "# /// script\n# requires-python = \">=3.12\"\n# dependencies = []\n# ///\n"
        );
        assert_eq!(
            with_new_block(
                "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\n",
                None
            ),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\
             # /// script\n# dependencies = []\n# ///\n\nimport os\n"
        );
        assert_eq!(
            with_new_block("import os\r\n", None),
            "# /// script\r\n# dependencies = []\r\n# ///\r\n\r\nimport os\r\n"
        );
        // A shebang without a newline, and a blank line kept as it is.
        assert_eq!(
            with_new_block("#!/bin/python", None),
            "#!/bin/python\n# /// script\n# dependencies = []\n# ///\n"
        );
        assert_eq!(
            with_new_block("\nx = 1\n", None),
            "# /// script\n# dependencies = []\n# ///\n\nx = 1\n"
        );
        // A comment that is not an encoding line is not kept above.
        assert_eq!(
            with_new_block("# hello\n", None),
            "# /// script\n# dependencies = []\n# ///\n\n# hello\n"
        );
    }

    #[test]
    fn a_new_block_reads_back() {
        let text = with_new_block("#!/bin/python\nprint()\n", Some((3, 11)));
        let metadata = metadata(&text);
        assert_eq!(
            metadata.requires_python,
            Some(">=3.11".parse::<SpecifierSet>().unwrap())
        );
        assert!(metadata.dependencies.is_empty());
    }
}
