//! Editing a `pyproject.toml` the way a person would: `posy add` and
//! `posy remove` change one list entry or one source and leave every other
//! byte of the file alone.
//!
//! The file is held as a `toml_edit` document, which keeps comments,
//! whitespace, quoting and key order. Three lists can be edited, named by
//! [`Place`]: `project.dependencies`, one extra's
//! `project.optional-dependencies.X`, and one PEP 735 group's
//! `dependency-groups.G`; and one table, `[tool.posy.sources]`. Extras,
//! groups and source keys are found by their normalized name, so a file
//! that spells a group `Dev` or a source `My_Lib` is edited where it is,
//! never given a second spelling.
//!
//! Adding a requirement replaces, in place, an entry of the same package
//! with the same marker (so `add 'numpy>=2'` updates `numpy>=1.26` but
//! leaves `numpy<2 ; python_version < "3.10"` beside it, as uv does);
//! otherwise it is appended, or, when the list is already sorted by
//! package name (ignoring case), inserted where it keeps the list sorted.
//! A list holding anything but requirement strings (`{ include-group =
//! "test" }`) counts as unsorted and its other entries are never touched.
//! Removing a package removes every entry of it in that list, and naming
//! a package the list does not have is an error that says where it looked.
//!
//! Formatting follows the list's own style. In a multi-line list each
//! entry sits on its own line at the indentation the list already uses; a
//! comment at the end of a line stays with the entry it follows, and
//! comment lines above an entry stay above it (and go with it when it is
//! removed). A single-line list stays on one line. A list created by an
//! edit, or an empty `[]` given its first entry, is written one entry a
//! line with a trailing comma, as uv writes it. Missing tables are
//! created as `[project.optional-dependencies]`, `[dependency-groups]` and
//! `[tool.posy.sources]` headers after what precedes them; an inline
//! `project = { … }` gets inline children.
//!
//! A file written with CRLF line ends is edited as LF and written back
//! with CRLF, so new lines match old ones. [`PyProjectEditor::write`]
//! writes through a temporary file in the same directory and a rename, so
//! a crash leaves the old file or the new one, and does not touch the file
//! at all when the content is unchanged (keeping its mtime for tools that
//! watch it).
//!
//! A list named in `project.dynamic` (`dependencies`,
//! `optional-dependencies`) belongs to the build backend and is refused
//! ([`EditError::Dynamic`]). Not done here: checking the result against
//! PEP 621; the caller reads the new text with [`crate::PyProject`] before
//! trusting it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use posy_vocab::{ExtraName, GroupName, PackageName, Requirement, SpecifierSet};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::sources::{GitReference, Source};

/// A `pyproject.toml` open for editing.
#[derive(Debug, Clone)]
pub struct PyProjectEditor {
    doc: DocumentMut,
    /// The file ends its lines with CRLF; written back the same way.
    crlf: bool,
    /// The TOML of a script's `# /// script` block (PEP 723), whose
    /// `dependencies` are at the top level: [`Place::Project`] means them.
    script: bool,
}

/// Which list of requirements an edit is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// `project.dependencies`.
    Project,
    /// `project.optional-dependencies.<extra>`.
    Optional(ExtraName),
    /// `dependency-groups.<group>` (PEP 735); `--dev` is the group `dev`.
    Group(GroupName),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Project => f.write_str("`project.dependencies`"),
            Place::Optional(extra) => write!(f, "`project.optional-dependencies.{extra}`"),
            Place::Group(group) => write!(f, "`dependency-groups.{group}`"),
        }
    }
}

/// Why a `pyproject.toml` could not be read, edited or written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
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
    #[error("{} is not valid TOML: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    /// A key the edit goes through holds the wrong kind of value.
    #[error("`{key}` must be {expected}")]
    Shape { key: String, expected: &'static str },
    /// A value that is read (the name, `requires-python`) does not parse.
    #[error("`{key}`: {message}")]
    Invalid { key: String, message: String },
    /// `project.dynamic` leaves the list to the build backend.
    #[error(
        "{place} is dynamic (listed in `project.dynamic`): the build backend computes it, so it cannot be edited here"
    )]
    Dynamic { place: Place },
    #[error("The dependency `{name}` could not be found in {place}")]
    NotFound { name: PackageName, place: Place },
    #[error("the path of the source for `{name}` is not valid UTF-8: {}", path.display())]
    NonUtf8Path { name: PackageName, path: PathBuf },
}

/// What [`PyProjectEditor::add_dependency`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// A new entry.
    Inserted,
    /// An entry of the same package and marker, which it replaced.
    Replaced { previous: String },
}

/// The indentation of a list that has none to copy: uv's.
const INDENT: &str = "    ";

impl PyProjectEditor {
    /// Reads the file at `path`.
    pub fn open(path: &Path) -> Result<Self, EditError> {
        let text = std::fs::read_to_string(path).map_err(|source| EditError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse_at(&text, path)
    }

    /// Parses the text of a `pyproject.toml`.
    pub fn parse(text: &str) -> Result<Self, EditError> {
        Self::parse_at(text, Path::new("pyproject.toml"))
    }

    fn parse_at(text: &str, path: &Path) -> Result<Self, EditError> {
        let crlf = text.find('\n').is_some_and(|at| text[..at].ends_with('\r'));
        let parsed = if crlf {
            text.replace("\r\n", "\n").parse::<DocumentMut>()
        } else {
            text.parse::<DocumentMut>()
        };
        let doc = parsed.map_err(|e| EditError::Toml {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        Ok(Self {
            doc,
            crlf,
            script: false,
        })
    }

    /// Parses the TOML of a script's block; see [`crate::ScriptEditor`].
    pub(crate) fn parse_script(text: &str) -> Result<Self, EditError> {
        let mut editor = Self::parse_at(text, Path::new("# /// script"))?;
        editor.script = true;
        Ok(editor)
    }

    /// Writes the document to `path` unless the file already holds exactly
    /// this text; returns whether it wrote. See the module doc.
    pub fn write(&self, path: &Path) -> Result<bool, EditError> {
        let text = self.to_string();
        if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(false);
        }
        write_atomically(path, text.as_bytes()).map_err(|source| EditError::Write {
            path: path.to_owned(),
            source,
        })?;
        Ok(true)
    }

    /// `project.name`, if the file gives one.
    pub fn name(&self) -> Result<Option<PackageName>, EditError> {
        self.project_string("name")?
            .map(|name| {
                PackageName::new(name).map_err(|e| EditError::Invalid {
                    key: "project.name".into(),
                    message: e.to_string(),
                })
            })
            .transpose()
    }

    /// `project.requires-python`, if the file gives one.
    pub fn requires_python(&self) -> Result<Option<SpecifierSet>, EditError> {
        self.project_string("requires-python")?
            .map(|text| {
                text.parse::<SpecifierSet>()
                    .map_err(|e| EditError::Invalid {
                        key: "project.requires-python".into(),
                        message: e.to_string(),
                    })
            })
            .transpose()
    }

    fn project_string(&self, key: &str) -> Result<Option<&str>, EditError> {
        let Some(value) = self.doc.get("project").and_then(|p| p.get(key)) else {
            return Ok(None);
        };
        value.as_str().map(Some).ok_or_else(|| EditError::Shape {
            key: format!("project.{key}"),
            expected: "a string",
        })
    }

    /// Adds `requirement` to the list at `place`, creating the list (and
    /// its tables) when missing. See the module doc for where it goes.
    pub fn add_dependency(
        &mut self,
        requirement: &Requirement,
        place: &Place,
    ) -> Result<Added, EditError> {
        let array = self.list_mut(place, true)?.expect("created when missing");
        let same: Vec<usize> = entries(array)
            .filter(|(_, entry)| {
                entry.name == requirement.name && entry.marker == requirement.marker
            })
            .map(|(index, _)| index)
            .collect();
        let mut value = Value::from(requirement.to_string());
        if let Some((&first, rest)) = same.split_first() {
            for &index in rest.iter().rev() {
                remove_entry(array, index);
            }
            let previous = array.get(first).expect("an index of the array");
            let previous_text = previous.as_str().unwrap_or_default().to_owned();
            *value.decor_mut() = previous.decor().clone();
            array.replace_formatted(first, value);
            return Ok(Added::Replaced {
                previous: previous_text,
            });
        }
        let index = sorted_position(array, &requirement.name).unwrap_or(array.len());
        insert_entry(array, index, value);
        Ok(Added::Inserted)
    }

    /// Removes every entry of `name` from the list at `place`; an error
    /// when there is none.
    pub fn remove_dependency(
        &mut self,
        name: &PackageName,
        place: &Place,
    ) -> Result<(), EditError> {
        let not_found = || EditError::NotFound {
            name: name.clone(),
            place: place.clone(),
        };
        let array = self.list_mut(place, false)?.ok_or_else(not_found)?;
        let matching: Vec<usize> = entries(array)
            .filter(|(_, entry)| entry.name == *name)
            .map(|(index, _)| index)
            .collect();
        if matching.is_empty() {
            return Err(not_found());
        }
        for &index in matching.iter().rev() {
            remove_entry(array, index);
        }
        Ok(())
    }

    /// Whether any list of the file (`project.dependencies`, an extra's,
    /// a dependency group's) still names `name`.
    pub fn depends_on(&self, name: &PackageName) -> Result<bool, EditError> {
        let mut arrays: Vec<&Array> = Vec::new();
        let project = self.doc.get("project");
        if let Some(list) = project
            .and_then(|p| p.get("dependencies"))
            .and_then(Item::as_array)
        {
            arrays.push(list);
        }
        for table in [
            project.and_then(|p| p.get("optional-dependencies")),
            self.doc.get("dependency-groups"),
        ]
        .into_iter()
        .flatten()
        .filter_map(Item::as_table_like)
        {
            arrays.extend(table.iter().filter_map(|(_, item)| item.as_array()));
        }
        Ok(arrays
            .into_iter()
            .any(|array| entries(array).any(|(_, entry)| entry.name == *name)))
    }

    /// Records where `name` comes from in `[tool.posy.sources]`, replacing
    /// an entry for the same package.
    pub fn set_source(&mut self, name: &PackageName, source: &Source) -> Result<(), EditError> {
        let value = Value::InlineTable(source_table(name, source)?);
        let mut item = self.doc.as_item_mut();
        for (key, dotted) in [
            ("tool", "tool"),
            ("posy", "tool.posy"),
            ("sources", "tool.posy.sources"),
        ] {
            item = child_table(item, key, dotted)?;
        }
        let sources = item.as_table_like_mut().expect("checked by child_table");
        let key = find_key(sources.iter().map(|(key, _)| key), name.as_str())
            .unwrap_or_else(|| name.to_string());
        match sources.get_mut(&key) {
            Some(Item::Value(old)) => {
                let decor = old.decor().clone();
                *old = value;
                *old.decor_mut() = decor;
            }
            Some(other) => *other = Item::Value(value),
            None => {
                sources.insert(&key, Item::Value(value));
            }
        }
        Ok(())
    }

    /// Removes `name`'s entry from `[tool.posy.sources]` (and the table
    /// when it ends up empty); returns whether there was one.
    pub fn remove_source(&mut self, name: &PackageName) -> Result<bool, EditError> {
        let Some(posy) = self
            .doc
            .get_mut("tool")
            .and_then(|tool| tool.get_mut("posy"))
            .and_then(Item::as_table_like_mut)
        else {
            return Ok(false);
        };
        let Some(sources) = posy.get_mut("sources") else {
            return Ok(false);
        };
        let sources = sources
            .as_table_like_mut()
            .ok_or_else(|| EditError::Shape {
                key: "tool.posy.sources".into(),
                expected: "a table",
            })?;
        let Some(key) = find_key(sources.iter().map(|(key, _)| key), name.as_str()) else {
            return Ok(false);
        };
        sources.remove(&key);
        if sources.is_empty() {
            posy.remove("sources");
        }
        Ok(true)
    }

    /// The array at `place`, created (with its tables) when `create`.
    fn list_mut(&mut self, place: &Place, create: bool) -> Result<Option<&mut Array>, EditError> {
        let field = match place {
            Place::Project => Some("dependencies"),
            Place::Optional(_) => Some("optional-dependencies"),
            Place::Group(_) => None,
        };
        let dynamic = self
            .doc
            .get("project")
            .and_then(|project| project.get("dynamic"))
            .and_then(Item::as_array);
        if let (Some(field), Some(dynamic)) = (field, dynamic)
            && !self.script
            && dynamic.iter().any(|value| value.as_str() == Some(field))
        {
            return Err(EditError::Dynamic {
                place: place.clone(),
            });
        }
        let (parents, leaf): (&[(&str, &str)], (String, String)) = match place {
            Place::Project if self.script => (&[], ("dependencies".into(), "dependencies".into())),
            Place::Project => (
                &[("project", "project")],
                ("dependencies".into(), "project.dependencies".into()),
            ),
            Place::Optional(extra) => (
                &[
                    ("project", "project"),
                    ("optional-dependencies", "project.optional-dependencies"),
                ],
                (
                    extra.to_string(),
                    format!("project.optional-dependencies.{extra}"),
                ),
            ),
            Place::Group(group) => (
                &[("dependency-groups", "dependency-groups")],
                (group.to_string(), format!("dependency-groups.{group}")),
            ),
        };
        let mut item = self.doc.as_item_mut();
        for &(key, dotted) in parents {
            if !create && item.get(key).is_none() {
                return Ok(None);
            }
            item = child_table(item, key, dotted)?;
        }
        let table = item.as_table_like_mut().expect("checked by child_table");
        let (name, dotted) = leaf;
        // Extras and groups are found by normalized name; `dependencies` is exact.
        let key = match place {
            Place::Project => table.contains_key(&name).then(|| name.clone()),
            _ => find_key(table.iter().map(|(key, _)| key), &name),
        };
        let key = match key {
            Some(key) => key,
            None if create => {
                table.insert(&name, Item::Value(Value::Array(Array::new())));
                name
            }
            None => return Ok(None),
        };
        match table.get_mut(&key) {
            Some(Item::Value(Value::Array(array))) => Ok(Some(array)),
            _ => Err(EditError::Shape {
                key: dotted,
                expected: "an array",
            }),
        }
    }
}

impl fmt::Display for PyProjectEditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.doc.to_string();
        if self.crlf {
            f.write_str(&text.replace('\n', "\r\n"))
        } else {
            f.write_str(&text)
        }
    }
}

/// `key` of the table in `item`, created when missing: a standard table
/// under a standard table (implicit, so `[tool.posy.sources]` does not
/// bring empty `[tool]` headers), an inline one under an inline one.
fn child_table<'a>(item: &'a mut Item, key: &str, dotted: &str) -> Result<&'a mut Item, EditError> {
    if let Some(inline) = item.as_inline_table_mut()
        && !inline.contains_key(key)
    {
        // `{ a = 1 }`: the space before `}` goes after the new key's value.
        let mut child = Value::InlineTable(InlineTable::new());
        if let Some((_, last)) = inline.iter_mut().last() {
            child.decor_mut().set_suffix(suffix(last));
            last.decor_mut().set_suffix("");
        }
        inline.insert(key, child);
    }
    let table = item.as_table_like_mut().expect("the caller passes tables");
    if table.get(key).is_none() {
        let mut child = Table::new();
        child.set_implicit(true);
        table.insert(key, Item::Table(child));
    }
    let child = table.get_mut(key).expect("inserted above");
    if child.is_table_like() {
        Ok(child)
    } else {
        Err(EditError::Shape {
            key: dotted.into(),
            expected: "a table",
        })
    }
}

/// The key among `keys` that names `name` once normalized.
fn find_key<'k>(mut keys: impl Iterator<Item = &'k str>, name: &str) -> Option<String> {
    keys.find(|key| PackageName::new(key).is_ok_and(|key| key.as_str() == name))
        .map(str::to_owned)
}

/// The entries of `array` that are requirements, with their index.
/// Anything else (an include-group table, a string that does not parse)
/// is left alone.
fn entries(array: &Array) -> impl Iterator<Item = (usize, Requirement)> + '_ {
    array
        .iter()
        .enumerate()
        .filter_map(|(index, value)| Some((index, value.as_str()?.parse().ok()?)))
}

/// Where `name` goes in `array` if the array is sorted by package name,
/// ignoring case (the order `uv add` keeps); `None` if it is not sorted.
fn sorted_position(array: &Array, name: &PackageName) -> Option<usize> {
    let names: Vec<PackageName> = array
        .iter()
        .map(|value| Some(value.as_str()?.parse::<Requirement>().ok()?.name))
        .collect::<Option<_>>()?;
    if names.windows(2).any(|pair| pair[0] > pair[1]) {
        return None;
    }
    Some(names.partition_point(|existing| existing <= name))
}

/// `text` split after its first newline: the end of the line before
/// (perhaps a comment) and the lines after. `None` without a newline.
fn split_line(text: &str) -> Option<(&str, &str)> {
    text.find('\n').map(|at| text.split_at(at + 1))
}

fn prefix(value: &Value) -> String {
    let prefix = value.decor().prefix().and_then(|raw| raw.as_str());
    prefix.unwrap_or_default().to_owned()
}

fn suffix(value: &Value) -> String {
    let suffix = value.decor().suffix().and_then(|raw| raw.as_str());
    suffix.unwrap_or_default().to_owned()
}

/// Whether `array` is written over several lines.
fn is_multiline(array: &Array) -> bool {
    array.trailing().as_str().is_some_and(|t| t.contains('\n'))
        || array
            .iter()
            .any(|value| prefix(value).contains('\n') || suffix(value).contains('\n'))
}

/// The indentation of the entries of a multi-line `array`.
fn indentation(array: &Array) -> String {
    array
        .iter()
        .find_map(|value| {
            let prefix = prefix(value);
            prefix.rfind('\n').map(|at| prefix[at + 1..].to_owned())
        })
        .unwrap_or_else(|| INDENT.to_owned())
}

/// The text between the last entry and `]`, taken out of the array:
/// without a trailing comma, part of it is the last entry's suffix.
fn take_end(array: &mut Array) -> String {
    let mut end = String::new();
    if !array.trailing_comma()
        && let Some(last) = array.iter_mut().last()
    {
        end = suffix(last);
        last.decor_mut().set_suffix("");
    }
    end.push_str(array.trailing().as_str().unwrap_or_default());
    end
}

/// Inserts `value` before entry `index` (or at the end), formatted like
/// the entries around it; see the module doc.
fn insert_entry(array: &mut Array, index: usize, mut value: Value) {
    if array.is_empty() {
        let end = array.trailing().as_str().unwrap_or_default().to_owned();
        value.decor_mut().set_prefix(format!("\n{INDENT}"));
        array.insert_formatted(0, value);
        array.set_trailing(if end.trim().is_empty() {
            "\n".into()
        } else {
            end
        });
        array.set_trailing_comma(true);
        return;
    }
    let multiline = is_multiline(array);
    let indent = indentation(array);
    if index < array.len() {
        let next = array.get_mut(index).expect("index < len");
        let next_prefix = prefix(next);
        match split_line(&next_prefix) {
            Some((line_end, below)) => {
                value.decor_mut().set_prefix(format!("{line_end}{indent}"));
                next.decor_mut().set_prefix(format!("\n{below}"));
            }
            None => {
                value.decor_mut().set_prefix(next_prefix);
                next.decor_mut().set_prefix(" ");
            }
        }
        value.decor_mut().set_suffix("");
        array.insert_formatted(index, value);
        return;
    }
    let end = take_end(array);
    match split_line(&end) {
        Some((line_end, below)) => {
            value.decor_mut().set_prefix(format!("{line_end}{indent}"));
            value.decor_mut().set_suffix("");
            array.set_trailing(format!("\n{below}"));
        }
        None if multiline => {
            value.decor_mut().set_prefix(format!("\n{indent}"));
            value.decor_mut().set_suffix("");
            array.set_trailing(end);
        }
        None => {
            // `["a", "b" ]`: the space before `]` moves after the new entry.
            value.decor_mut().set_prefix(" ");
            value.decor_mut().set_suffix(end);
            array.set_trailing("");
        }
    }
    array.push_formatted(value);
}

/// Removes entry `index` with its own lines: the comment lines above it
/// and the comment at the end of its line; see the module doc.
fn remove_entry(array: &mut Array, index: usize) {
    let removed = array.remove(index);
    let removed_prefix = prefix(&removed);
    let line_before = split_line(&removed_prefix).map(|(line_end, _)| line_end);
    if let Some(next) = array.get_mut(index) {
        let next_prefix = prefix(next);
        let new_prefix = match (line_before, split_line(&next_prefix)) {
            (Some(line_end), Some((_, below))) => format!("{line_end}{below}"),
            _ => removed_prefix.clone(),
        };
        next.decor_mut().set_prefix(new_prefix);
        return;
    }
    let mut end = suffix(&removed);
    if array.trailing_comma() {
        end.clear();
    }
    end.push_str(array.trailing().as_str().unwrap_or_default());
    let new_end = match (line_before, split_line(&end)) {
        (Some(line_end), Some((_, below))) => format!("{line_end}{below}"),
        _ => end,
    };
    if array.is_empty() {
        array.set_trailing_comma(false);
        array.set_trailing(if new_end.trim().is_empty() {
            String::new()
        } else {
            new_end
        });
    } else if array.trailing_comma() {
        array.set_trailing(new_end);
    } else {
        // Without a trailing comma the end is the new last entry's suffix.
        let last = array.iter_mut().last().expect("not empty");
        last.decor_mut().set_suffix(new_end);
        array.set_trailing("");
    }
}

/// The inline table that records `source`: `{ git = …, tag = … }`,
/// `{ path = …, editable = true }` or `{ url = … }`.
fn source_table(name: &PackageName, source: &Source) -> Result<InlineTable, EditError> {
    let mut table = InlineTable::new();
    match source {
        Source::Git {
            repository,
            reference,
            subdirectory,
        } => {
            table.insert("git", repository.as_str().into());
            match reference {
                GitReference::DefaultBranch => {}
                GitReference::Tag(tag) => {
                    table.insert("tag", tag.as_str().into());
                }
                GitReference::Branch(branch) => {
                    table.insert("branch", branch.as_str().into());
                }
                GitReference::Rev(rev) => {
                    table.insert("rev", rev.as_str().into());
                }
            }
            if let Some(dir) = subdirectory {
                table.insert("subdirectory", dir.as_str().into());
            }
        }
        Source::Path { path, editable } => {
            let text = path.to_str().ok_or_else(|| EditError::NonUtf8Path {
                name: name.clone(),
                path: path.clone(),
            })?;
            table.insert("path", text.into());
            if *editable {
                table.insert("editable", true.into());
            }
        }
        Source::Url { url } => {
            table.insert("url", url.as_str().into());
        }
        Source::Workspace => {
            table.insert("workspace", true.into());
        }
        Source::Index { name } => {
            table.insert("index", name.as_str().into());
        }
    }
    Ok(table)
}

/// Writes `bytes` to `path` through a temporary file beside it and a
/// rename, keeping the old file's permissions.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{file_name}.posy-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, metadata.permissions())?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> Requirement {
        text.parse().unwrap()
    }

    fn name(text: &str) -> PackageName {
        PackageName::new(text).unwrap()
    }

    fn group(text: &str) -> Place {
        Place::Group(GroupName::new(text).unwrap())
    }

    fn extra(text: &str) -> Place {
        Place::Optional(ExtraName::new(text).unwrap())
    }

    /// `text` after adding each requirement to `place`.
    fn added(text: &str, place: &Place, requirements: &[&str]) -> String {
        let mut editor = PyProjectEditor::parse(text).unwrap();
        for requirement in requirements {
            editor.add_dependency(&req(requirement), place).unwrap();
        }
        editor.to_string()
    }

    fn removed(text: &str, place: &Place, package: &str) -> String {
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor.remove_dependency(&name(package), place).unwrap();
        editor.to_string()
    }

    #[test]
    fn a_new_list_is_written_one_entry_a_line() {
        let text = "[project]\nname = \"app\"\nversion = \"0.1.0\"\n";
        assert_eq!(
            added(text, &Place::Project, &["requests>=2.32.3"]),
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n    \"requests>=2.32.3\",\n]\n"
        );
        let empty = "[project]\nname = \"app\"\ndependencies = []\n";
        assert_eq!(
            added(empty, &Place::Project, &["rich", "attrs"]),
            "[project]\nname = \"app\"\ndependencies = [\n    \"attrs\",\n    \"rich\",\n]\n"
        );
    }

    #[test]
    fn a_sorted_list_stays_sorted_and_keeps_its_comments() {
        let text = r#"[project]
name = "app"
dependencies = [
  # web
  "Flask>=3", # the framework
  "requests",
  "urllib3<3",  # pinned for the proxy
]  # end
"#;
        assert_eq!(
            added(
                text,
                &Place::Project,
                &["anyio", "idna==3.7", "zope-interface"]
            ),
            r#"[project]
name = "app"
dependencies = [
  "anyio",
  # web
  "Flask>=3", # the framework
  "idna==3.7",
  "requests",
  "urllib3<3",  # pinned for the proxy
  "zope-interface",
]  # end
"#
        );
    }

    #[test]
    fn an_unsorted_list_gets_the_new_entry_at_the_end() {
        let text = "[project]\ndependencies = [\n    \"b\",\n    \"a\"  # last\n]\n";
        assert_eq!(
            added(text, &Place::Project, &["c"]),
            "[project]\ndependencies = [\n    \"b\",\n    \"a\",  # last\n    \"c\"\n]\n"
        );
        let single = "[project]\ndependencies = [\"b\", \"a\"]\n";
        assert_eq!(
            added(single, &Place::Project, &["c"]),
            "[project]\ndependencies = [\"b\", \"a\", \"c\"]\n"
        );
        let sorted_single = "[project]\ndependencies = [ \"b\", \"d\" ]\n";
        assert_eq!(
            added(sorted_single, &Place::Project, &["a", "c", "e"]),
            "[project]\ndependencies = [ \"a\", \"b\", \"c\", \"d\", \"e\" ]\n"
        );
    }

    #[test]
    fn the_same_package_is_replaced_where_it_stands() {
        let text = r#"[project]
dependencies = [
    "zlib",
    "Requests[socks]>=2.0",  # http
    "numpy<2 ; python_version < '3.10'",
    "numpy>=1.26",
    "attrs",
]
"#;
        let mut editor = PyProjectEditor::parse(text).unwrap();
        let added = editor
            .add_dependency(&req("requests>=2.32"), &Place::Project)
            .unwrap();
        assert_eq!(
            added,
            Added::Replaced {
                previous: "Requests[socks]>=2.0".into()
            }
        );
        editor
            .add_dependency(&req("numpy>=2"), &Place::Project)
            .unwrap();
        assert_eq!(
            editor.to_string(),
            r#"[project]
dependencies = [
    "zlib",
    "requests>=2.32",  # http
    "numpy<2 ; python_version < '3.10'",
    "numpy>=2",
    "attrs",
]
"#
        );
    }

    #[test]
    fn missing_tables_are_created_after_what_precedes_them() {
        let text = "[project]\nname = \"app\"\n\n[tool.ruff]\nline-length = 100\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor
            .add_dependency(&req("pytest>=8"), &group("dev"))
            .unwrap();
        editor
            .add_dependency(&req("pysocks"), &extra("socks"))
            .unwrap();
        assert_eq!(
            editor.to_string(),
            r#"[project]
name = "app"

[project.optional-dependencies]
socks = [
    "pysocks",
]

[tool.ruff]
line-length = 100

[dependency-groups]
dev = [
    "pytest>=8",
]
"#
        );
        // An inline `project` table gets inline children.
        let inline = "project = { name = \"app\" }\n";
        let text = added(inline, &extra("cli"), &["click"]);
        assert_eq!(
            text,
            "project = { name = \"app\", optional-dependencies = { cli = [\n    \"click\",\n] } }\n"
        );
        assert!(text.parse::<DocumentMut>().is_ok());
    }

    #[test]
    fn groups_and_extras_are_found_by_normalized_name() {
        let text = "[project.optional-dependencies]\nSocks_Support = [\"pysocks\"]\n\n[dependency-groups]\nDev = [\"pytest\"]\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor.add_dependency(&req("ruff"), &group("dev")).unwrap();
        editor
            .add_dependency(&req("win-inet-pton"), &extra("socks-support"))
            .unwrap();
        assert_eq!(
            editor.to_string(),
            "[project.optional-dependencies]\nSocks_Support = [\"pysocks\", \"win-inet-pton\"]\n\n[dependency-groups]\nDev = [\"pytest\", \"ruff\"]\n"
        );
    }

    #[test]
    fn include_group_entries_are_left_alone() {
        let text = r#"[dependency-groups]
test = ["pytest"]
dev = [
    { include-group = "test" },
    "ruff",
]
"#;
        let mut editor = PyProjectEditor::parse(text).unwrap();
        // Not sorted (a table is not a requirement): appended.
        editor.add_dependency(&req("black"), &group("dev")).unwrap();
        editor
            .remove_dependency(&name("ruff"), &group("dev"))
            .unwrap();
        assert_eq!(
            editor.to_string(),
            r#"[dependency-groups]
test = ["pytest"]
dev = [
    { include-group = "test" },
    "black",
]
"#
        );
    }

    #[test]
    fn removing_takes_the_entry_and_its_own_comments() {
        let text = r#"[project]
dependencies = [
    "attrs", # classes
    # http, pinned for the proxy
    "requests<3", # see #12
    "Requests[socks] ; sys_platform == 'win32'",
    "rich",
]
"#;
        assert_eq!(
            removed(text, &Place::Project, "requests"),
            r#"[project]
dependencies = [
    "attrs", # classes
    "rich",
]
"#
        );
        assert_eq!(
            removed(text, &Place::Project, "rich"),
            r#"[project]
dependencies = [
    "attrs", # classes
    # http, pinned for the proxy
    "requests<3", # see #12
    "Requests[socks] ; sys_platform == 'win32'",
]
"#
        );
        let no_trailing_comma =
            "[project]\ndependencies = [\n    \"a\",  # keep\n    \"b\"  # gone\n]\n";
        assert_eq!(
            removed(no_trailing_comma, &Place::Project, "b"),
            "[project]\ndependencies = [\n    \"a\"  # keep\n]\n"
        );
        let single = "[project]\ndependencies = [ \"a\", \"b\", \"c\" ]\n";
        assert_eq!(
            removed(single, &Place::Project, "a"),
            "[project]\ndependencies = [ \"b\", \"c\" ]\n"
        );
        assert_eq!(
            removed(single, &Place::Project, "c"),
            "[project]\ndependencies = [ \"a\", \"b\" ]\n"
        );
    }

    #[test]
    fn removing_the_last_entry_leaves_an_empty_list() {
        let text = "[project]\nname = \"app\"\ndependencies = [\n    \"requests>=2.32.3\",\n]\n";
        assert_eq!(
            removed(text, &Place::Project, "requests"),
            "[project]\nname = \"app\"\ndependencies = []\n"
        );
    }

    #[test]
    fn removing_an_absent_package_names_where_it_looked() {
        let text =
            "[project]\ndependencies = [\"attrs\"]\n\n[dependency-groups]\ndev = [\"pytest\"]\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        for (package, place) in [
            ("pytest", Place::Project),
            ("attrs", group("dev")),
            ("attrs", group("lint")),
            ("attrs", extra("cli")),
        ] {
            let error = editor
                .remove_dependency(&name(package), &place)
                .unwrap_err();
            assert!(
                matches!(&error, EditError::NotFound { name: n, place: p } if n.as_str() == package && *p == place),
                "{error:?}"
            );
        }
        assert_eq!(
            editor
                .remove_dependency(&name("Pytest"), &Place::Project)
                .unwrap_err()
                .to_string(),
            "The dependency `pytest` could not be found in `project.dependencies`"
        );
        assert_eq!(editor.to_string(), text, "a failed removal changes nothing");
    }

    #[test]
    fn a_key_of_the_wrong_kind_is_an_error_not_an_overwrite() {
        for (text, place, key) in [
            ("project = 1\n", Place::Project, "project"),
            (
                "[project]\ndependencies = \"x\"\n",
                Place::Project,
                "project.dependencies",
            ),
            (
                "dependency-groups = []\n",
                group("dev"),
                "dependency-groups",
            ),
        ] {
            let mut editor = PyProjectEditor::parse(text).unwrap();
            let error = editor.add_dependency(&req("a"), &place).unwrap_err();
            assert!(
                matches!(&error, EditError::Shape { key: k, .. } if k == key),
                "{text}: {error:?}"
            );
        }
    }

    #[test]
    fn dynamic_lists_are_the_backends() {
        let text = "[project]\nname = \"app\"\ndynamic = [\"version\", \"dependencies\"]\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        let error = editor
            .add_dependency(&req("attrs"), &Place::Project)
            .unwrap_err();
        assert!(
            matches!(&error, EditError::Dynamic { place } if *place == Place::Project),
            "{error:?}"
        );
        assert!(matches!(
            editor.remove_dependency(&name("attrs"), &Place::Project),
            Err(EditError::Dynamic { .. })
        ));
        // Extras and groups are not dynamic: they can be edited.
        editor.add_dependency(&req("rich"), &extra("cli")).unwrap();
        editor
            .add_dependency(&req("pytest"), &group("dev"))
            .unwrap();
        assert!(editor.to_string().contains("cli = [\n    \"rich\",\n]"));
    }

    #[test]
    fn sources_are_recorded_replaced_and_removed() {
        let text = "[project]\nname = \"app\"\nversion = \"1\"\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor
            .set_source(
                &name("lib"),
                &Source::Path {
                    path: "../lib".into(),
                    editable: true,
                },
            )
            .unwrap();
        editor
            .set_source(
                &name("tool"),
                &Source::Git {
                    repository: "https://example.com/tool.git".into(),
                    reference: GitReference::Tag("v1.0".into()),
                    subdirectory: Some("python".into()),
                },
            )
            .unwrap();
        assert_eq!(
            editor.to_string(),
            r#"[project]
name = "app"
version = "1"

[tool.posy.sources]
lib = { path = "../lib", editable = true }
tool = { git = "https://example.com/tool.git", tag = "v1.0", subdirectory = "python" }
"#
        );
        // What was written reads back as the same sources.
        let read =
            crate::PyProject::parse_str(&editor.to_string(), Path::new("pyproject.toml")).unwrap();
        assert_eq!(
            read.sources[&name("tool")],
            Source::Git {
                repository: "https://example.com/tool.git".into(),
                reference: GitReference::Tag("v1.0".into()),
                subdirectory: Some("python".into()),
            }
        );
        assert!(editor.remove_source(&name("lib")).unwrap());
        assert!(!editor.remove_source(&name("lib")).unwrap());
        assert!(editor.remove_source(&name("TOOL")).unwrap());
        assert_eq!(editor.to_string(), text);
    }

    #[test]
    fn a_source_is_replaced_under_its_own_spelling() {
        let text = "[tool.posy]\nindex-url = \"x\"\n\n[tool.posy.sources]\nMy_Lib = { git = \"https://h/r.git\" } # ours\nother = { url = \"https://h/o-1.0.tar.gz\" }\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor
            .set_source(
                &name("my-lib"),
                &Source::Url {
                    url: "https://h/my_lib-1.0-py3-none-any.whl".into(),
                },
            )
            .unwrap();
        assert_eq!(
            editor.to_string(),
            "[tool.posy]\nindex-url = \"x\"\n\n[tool.posy.sources]\nMy_Lib = { url = \"https://h/my_lib-1.0-py3-none-any.whl\" } # ours\nother = { url = \"https://h/o-1.0.tar.gz\" }\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text = "[project]\r\nname = \"app\"\r\ndependencies = [\r\n    \"b\",\r\n]\r\n";
        let mut editor = PyProjectEditor::parse(text).unwrap();
        editor.add_dependency(&req("a"), &Place::Project).unwrap();
        editor
            .add_dependency(&req("pytest"), &group("dev"))
            .unwrap();
        assert_eq!(
            editor.to_string(),
            "[project]\r\nname = \"app\"\r\ndependencies = [\r\n    \"a\",\r\n    \"b\",\r\n]\r\n\r\n[dependency-groups]\r\ndev = [\r\n    \"pytest\",\r\n]\r\n"
        );
    }

    #[test]
    fn name_and_requires_python_are_read() {
        let editor =
            PyProjectEditor::parse("[project]\nname = \"My_App\"\nrequires-python = \">=3.12\"\n")
                .unwrap();
        assert_eq!(editor.name().unwrap(), Some(name("my-app")));
        assert_eq!(
            editor.requires_python().unwrap().unwrap().to_string(),
            ">=3.12"
        );
        let bare = PyProjectEditor::parse("").unwrap();
        assert_eq!(bare.name().unwrap(), None);
        assert_eq!(bare.requires_python().unwrap(), None);
        let bad = PyProjectEditor::parse("[project]\nrequires-python = \">=3.x\"\n").unwrap();
        assert!(matches!(
            bad.requires_python(),
            Err(EditError::Invalid { key, .. }) if key == "project.requires-python"
        ));
    }

    #[test]
    fn invalid_toml_is_an_error_with_the_position() {
        let error = PyProjectEditor::parse("[project\nname = 1\n").unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("pyproject.toml is not valid TOML"),
            "{message}"
        );
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn write_replaces_the_file_only_when_the_text_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(&path, "[project]\nname = \"app\"\n").unwrap();
        let mut editor = PyProjectEditor::open(&path).unwrap();
        assert!(!editor.write(&path).unwrap(), "unchanged: not written");
        editor
            .add_dependency(&req("attrs"), &Place::Project)
            .unwrap();
        assert!(editor.write(&path).unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[project]\nname = \"app\"\ndependencies = [\n    \"attrs\",\n]\n"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["pyproject.toml"]);
    }
}
