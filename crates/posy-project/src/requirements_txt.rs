//! pip's requirements-file format (`requirements.in`, `requirements.txt`, constraints files).
//!
//! The format has no specification beyond pip's behaviour, so this follows
//! pip's reader step by step, in its order:
//!
//! 1. physical lines ending in `\` are joined with the next (the backslash
//!    removed, nothing inserted); a comment line ends a continuation;
//! 2. comments are removed: a `#` at the start of a line or after
//!    whitespace starts one (so `https://host/x.whl#sha256=…` keeps its
//!    fragment);
//! 3. `${NAME}` is replaced by the environment variable `NAME` when it is
//!    set (upper-case letters, digits and `_` only, as pip does; `$NAME` is
//!    left alone);
//! 4. a line starting with `-` is an option (`-r`, `-c`, `-e`, `-i`,
//!    `--extra-index-url`, `-f`, `--no-index`, `--pre`, `--only-binary`,
//!    `--no-binary`, `--require-hashes`, …); anything else is a requirement,
//!    followed by per-requirement options (`--hash`, `--config-settings`)
//!    from the first whitespace-separated token that starts with `-`.
//!
//! A requirement is either PEP 508 (`name[extra]>=1 ; marker`,
//! `name @ url`) or, as pip allows, an unnamed path or URL
//! (`./dir`, `dist/x-1.0-py3-none-any.whl`, `https://host/x.tar.gz`) whose
//! name is only known once it is looked at; those are kept as
//! [`UnnamedRequirement`] for the caller to resolve.
//!
//! `-r` and `-c` paths are relative to the file that names them; a file
//! that includes itself (directly or not) is an error rather than a hang.
//! Every error names the file and line. Remote requirement files
//! (`-r https://…`) are refused with a clear message: fetching them belongs
//! with the index client and nobody has asked for it yet.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use posy_vocab::{ArtifactHash, ExtraName, MarkerTree, ParseError, Requirement};

/// Everything a requirements file (and the files it includes) says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequirementsTxt {
    /// Requirements to install, in file order (`-e` ones flagged editable).
    pub requirements: Vec<RequirementEntry>,
    /// Constraints from `-c` files: they restrict versions, they do not add packages.
    pub constraints: Vec<RequirementEntry>,
    /// `--index-url` (`-i`); the last one wins, as in pip.
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
    /// Raw `--no-binary` values (`:all:`, `:none:` or package names).
    pub no_binary: Vec<String>,
    /// Raw `--only-binary` values.
    pub only_binary: Vec<String>,
    /// `--pre`: allow prereleases.
    pub pre: bool,
    pub require_hashes: bool,
}

/// One requirement line.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementEntry {
    pub requirement: RequirementSpec,
    /// `--hash` options of the line.
    pub hashes: Vec<ArtifactHash>,
    /// `--config-settings KEY=VALUE` options of the line, as written.
    pub config_settings: Vec<String>,
    /// Given with `-e`.
    pub editable: bool,
    /// The file the line came from, for messages and relative paths.
    pub file: PathBuf,
    /// The (first physical) line number, from 1.
    pub line: usize,
}

/// A named (PEP 508) or unnamed (path or URL) requirement.
#[derive(Debug, Clone, PartialEq)]
pub enum RequirementSpec {
    Named(Requirement),
    Unnamed(UnnamedRequirement),
}

impl fmt::Display for RequirementSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Named(r) => r.fmt(f),
            Self::Unnamed(u) => u.fmt(f),
        }
    }
}

/// A path or URL whose package name is not written down: `./dir[extra] ; marker`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnnamedRequirement {
    /// The path or URL as written (after `${VAR}` expansion).
    pub target: String,
    pub extras: Vec<ExtraName>,
    pub marker: Option<MarkerTree>,
}

impl UnnamedRequirement {
    /// Whether the target is a URL rather than a local path.
    pub fn is_url(&self) -> bool {
        has_url_scheme(&self.target)
    }
}

impl fmt::Display for UnnamedRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.target)?;
        if !self.extras.is_empty() {
            let extras: Vec<&str> = self.extras.iter().map(ExtraName::as_str).collect();
            write!(f, "[{}]", extras.join(","))?;
        }
        if let Some(marker) = &self.marker {
            write!(f, " ; {marker}")?;
        }
        Ok(())
    }
}

/// A requirements file that could not be read, with where and why.
#[derive(Debug)]
pub struct RequirementsTxtError {
    pub file: PathBuf,
    /// Line number from 1, or 0 when the file itself could not be read.
    pub line: usize,
    pub kind: ErrorKind,
}

/// What went wrong in a requirements file.
#[derive(Debug)]
pub enum ErrorKind {
    Io(std::io::Error),
    Parse(ParseError),
    Message(String),
}

impl fmt::Display for RequirementsTxtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file.display())?;
        } else {
            write!(f, "{}:{}: ", self.file.display(), self.line)?;
        }
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "cannot read the requirements file: {e}"),
            ErrorKind::Parse(e) => e.fmt(f),
            ErrorKind::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RequirementsTxtError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Parse(e) => Some(e),
            ErrorKind::Message(_) => None,
        }
    }
}

impl RequirementsTxt {
    /// Reads a requirements file and everything it includes, expanding
    /// `${VAR}` from the process environment.
    pub fn parse_file(path: &Path) -> Result<Self, RequirementsTxtError> {
        let mut out = Self::default();
        let env = |name: &str| std::env::var(name).ok();
        let mut reader = Reader {
            env: &env,
            stack: BTreeSet::new(),
        };
        reader.read_file(path, Target::Requirements, &mut out)?;
        Ok(out)
    }

    /// Parses requirements-file text as if it were the file `path` (which
    /// need not exist unless the text includes other files), with `env`
    /// answering `${VAR}` lookups.
    pub fn parse_str(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, RequirementsTxtError> {
        let mut out = Self::default();
        let mut reader = Reader {
            env,
            stack: BTreeSet::new(),
        };
        reader.read_text(text, path, Target::Requirements, &mut out)?;
        Ok(out)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Requirements,
    Constraints,
}

struct Reader<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    /// Files being read, to catch include cycles.
    stack: BTreeSet<PathBuf>,
}

impl Reader<'_> {
    fn read_file(
        &mut self,
        path: &Path,
        target: Target,
        out: &mut RequirementsTxt,
    ) -> Result<(), RequirementsTxtError> {
        let error = |kind| RequirementsTxtError {
            file: path.to_path_buf(),
            line: 0,
            kind,
        };
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if self.stack.contains(&key) {
            return Err(error(ErrorKind::Message(
                "the file includes itself (through -r or -c); remove the cycle".into(),
            )));
        }
        let bytes = std::fs::read(path).map_err(|e| error(ErrorKind::Io(e)))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            error(ErrorKind::Message(
                "the file is not UTF-8 text; save it as UTF-8".into(),
            ))
        })?;
        self.stack.insert(key.clone());
        let result = self.read_text(&text, path, target, out);
        self.stack.remove(&key);
        result
    }

    fn read_text(
        &mut self,
        text: &str,
        path: &Path,
        target: Target,
        out: &mut RequirementsTxt,
    ) -> Result<(), RequirementsTxtError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (line_no, line) in logical_lines(text) {
            let line = expand_env(strip_comment(&line), self.env);
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let at = |kind| RequirementsTxtError {
                file: path.to_path_buf(),
                line: line_no,
                kind,
            };
            if line.starts_with('-') {
                self.option(line, path, line_no, target, out).map_err(at)?;
            } else {
                let entry = entry(line, false, path, line_no).map_err(at)?;
                push(out, target, entry);
            }
        }
        Ok(())
    }

    fn option(
        &mut self,
        line: &str,
        path: &Path,
        line_no: usize,
        target: Target,
        out: &mut RequirementsTxt,
    ) -> Result<(), ErrorKind> {
        let (flag, value) = split_option(line);
        let needs_value = |value: Option<&str>| {
            value
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ErrorKind::Message(format!("`{flag}` needs a value")))
        };
        match flag {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                let file = needs_value(value)?;
                if has_url_scheme(&file) {
                    return Err(ErrorKind::Message(format!(
                        "remote requirements files are not supported (`{file}`); download it and pass the local path"
                    )));
                }
                let nested = if matches!(flag, "-c" | "--constraint") {
                    Target::Constraints
                } else {
                    target
                };
                let base = path.parent().unwrap_or(Path::new(""));
                self.read_file(&base.join(file), nested, out)
                    .map_err(|e| ErrorKind::Message(e.to_string()))
            }
            "-e" | "--editable" => {
                let spec = needs_value(value)?;
                let entry = entry(&spec, true, path, line_no)?;
                push(out, target, entry);
                Ok(())
            }
            "-i" | "--index-url" => {
                out.index_url = Some(needs_value(value)?);
                Ok(())
            }
            "--extra-index-url" => {
                out.extra_index_urls.push(needs_value(value)?);
                Ok(())
            }
            "-f" | "--find-links" => {
                out.find_links.push(needs_value(value)?);
                Ok(())
            }
            "--no-index" => no_value(flag, value, || out.no_index = true),
            "--pre" => no_value(flag, value, || out.pre = true),
            "--require-hashes" => no_value(flag, value, || out.require_hashes = true),
            "--no-binary" => {
                out.no_binary
                    .extend(needs_value(value)?.split(',').map(|s| s.trim().to_string()));
                Ok(())
            }
            "--only-binary" => {
                out.only_binary
                    .extend(needs_value(value)?.split(',').map(|s| s.trim().to_string()));
                Ok(())
            }
            // Accepted for compatibility; they change nothing posy does.
            "--prefer-binary" | "--trusted-host" | "--use-feature" => Ok(()),
            _ => Err(ErrorKind::Message(format!(
                "unknown option `{flag}` in a requirements file"
            ))),
        }
    }
}

fn no_value(flag: &str, value: Option<&str>, set: impl FnOnce()) -> Result<(), ErrorKind> {
    match value {
        Some(v) if !v.is_empty() => Err(ErrorKind::Message(format!(
            "`{flag}` takes no value, got `{v}`"
        ))),
        _ => {
            set();
            Ok(())
        }
    }
}

fn push(out: &mut RequirementsTxt, target: Target, entry: RequirementEntry) {
    match target {
        Target::Requirements => out.requirements.push(entry),
        Target::Constraints => out.constraints.push(entry),
    }
}

/// Splits `--flag=value`, `--flag value`, `-rvalue`, `-r value`.
fn split_option(line: &str) -> (&str, Option<&str>) {
    if let Some(long) = line.strip_prefix("--") {
        let end = long.find(['=', ' ', '\t']).map_or(line.len(), |i| i + 2);
        let rest = line[end..].trim_start_matches(['=', ' ', '\t']);
        return (&line[..end], Some(rest.trim()).filter(|v| !v.is_empty()));
    }
    let end = line.char_indices().nth(2).map_or(line.len(), |(i, _)| i);
    let rest = line[end..].trim_start_matches('=').trim();
    (&line[..end], Some(rest).filter(|v| !v.is_empty()))
}

/// A requirement line: the requirement, then per-requirement options.
fn entry(
    line: &str,
    editable: bool,
    path: &Path,
    line_no: usize,
) -> Result<RequirementEntry, ErrorKind> {
    let (spec, options) = split_requirement_options(line);
    let mut hashes = Vec::new();
    let mut config_settings = Vec::new();
    let mut tokens = options.split_whitespace();
    while let Some(token) = tokens.next() {
        let (flag, inline) = match token.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (token, None),
        };
        let mut value = || {
            inline
                .map(str::to_string)
                .or_else(|| tokens.next().map(str::to_string))
                .ok_or_else(|| ErrorKind::Message(format!("`{flag}` needs a value")))
        };
        match flag {
            "--hash" => hashes.push(value()?.parse::<ArtifactHash>().map_err(ErrorKind::Parse)?),
            "--config-settings" | "--config-setting" | "-C" => config_settings.push(value()?),
            _ => {
                return Err(ErrorKind::Message(format!(
                    "`{flag}` cannot follow a requirement (only --hash and --config-settings can)"
                )));
            }
        }
    }
    Ok(RequirementEntry {
        requirement: parse_spec(spec).map_err(ErrorKind::Parse)?,
        hashes,
        config_settings,
        editable,
        file: path.to_path_buf(),
        line: line_no,
    })
}

/// pip's rule: options start at the first space-separated token that starts with `-`.
fn split_requirement_options(line: &str) -> (&str, &str) {
    let mut offset = 0;
    for token in line.split(' ') {
        if token.starts_with('-') {
            return (line[..offset].trim_end(), &line[offset..]);
        }
        offset += token.len() + 1;
    }
    (line, "")
}

/// A PEP 508 requirement, or a path or URL with optional extras and marker.
fn parse_spec(spec: &str) -> Result<RequirementSpec, ParseError> {
    if is_named(spec) {
        return spec.parse::<Requirement>().map(RequirementSpec::Named);
    }
    // A URL may contain `;`, so its marker needs whitespace before the `;`.
    let url = has_url_scheme(spec);
    let split = if url {
        spec.match_indices(';')
            .find(|(i, _)| spec[..*i].ends_with(char::is_whitespace))
            .map(|(i, _)| i)
    } else {
        spec.find(';')
    };
    let (target, marker) = match split {
        Some(i) => (spec[..i].trim(), Some(spec[i + 1..].trim())),
        None => (spec.trim(), None),
    };
    let marker = marker.map(str::parse::<MarkerTree>).transpose()?;
    let (target, extras) = match target.strip_suffix(']').and_then(|t| t.rsplit_once('[')) {
        Some((target, extras)) => {
            let extras = extras
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(ExtraName::new)
                .collect::<Result<Vec<_>, _>>()?;
            (target, extras)
        }
        None => (target, Vec::new()),
    };
    if target.is_empty() {
        return Err(ParseError::new(
            "requirement",
            spec,
            0..spec.len(),
            "expected a package name, path or URL",
        ));
    }
    // pip's rule: what is neither a URL nor shaped like a path (a
    // separator, a leading dot, an archive's extension) was meant as a
    // requirement, and its PEP 508 error is the useful one.
    if !url && !looks_like_path(target) {
        return spec.parse::<Requirement>().map(RequirementSpec::Named);
    }
    Ok(RequirementSpec::Unnamed(UnnamedRequirement {
        target: target.to_string(),
        extras,
        marker,
    }))
}

/// Whether a target reads as a local path rather than a (malformed) name.
fn looks_like_path(target: &str) -> bool {
    const ARCHIVES: [&str; 6] = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"];
    target.contains('/')
        || target.contains(std::path::MAIN_SEPARATOR)
        || target.starts_with('.')
        || ARCHIVES.iter().any(|ext| target.ends_with(ext))
}

/// Whether a line is a PEP 508 requirement rather than a bare path or URL:
/// it starts with a name, and that name is followed by something PEP 508
/// allows (extras, a specifier, `@`, a marker) rather than path characters.
fn is_named(spec: &str) -> bool {
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if name.is_empty()
        || has_url_scheme(spec) && !spec[name_end..].trim_start().starts_with(['@', '['])
    {
        return false;
    }
    if name.starts_with('.') || looks_like_archive(name) {
        return false;
    }
    let rest = spec[name_end..].trim_start();
    match rest.chars().next() {
        None => true,
        Some(c) => matches!(c, '[' | '(' | '@' | ';' | '<' | '>' | '=' | '!' | '~' | ','),
    }
}

fn has_url_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    // A Windows drive letter (`C:\…`) is a path, not a scheme.
    scheme.len() > 1
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && (s[scheme.len()..].starts_with("://") || scheme == "file")
}

fn looks_like_archive(s: &str) -> bool {
    [
        ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar",
    ]
    .iter()
    .any(|ext| s.to_ascii_lowercase().ends_with(ext))
}

/// Joins continuation lines, yielding (first line number, text).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = line.trim_start().starts_with('#');
        match line.strip_suffix('\\') {
            Some(head) if !is_comment => {
                pending
                    .get_or_insert_with(|| (i + 1, String::new()))
                    .1
                    .push_str(head);
            }
            _ => {
                // A comment line ends a continuation; the leading space makes
                // sure it is still seen as a comment once joined.
                let line = if is_comment {
                    format!(" {line}")
                } else {
                    line.to_string()
                };
                match pending.take() {
                    Some((start, mut joined)) => {
                        joined.push_str(&line);
                        out.push((start, joined));
                    }
                    None => out.push((i + 1, line)),
                }
            }
        }
    }
    out.extend(pending);
    out
}

/// Removes a `#` comment that starts the line or follows whitespace.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// Replaces `${NAME}` (NAME of `[A-Z0-9_]+`) with the variable's value when it is set.
fn expand_env(line: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        match (after[name_len..].starts_with('}') && !name.is_empty())
            .then(|| env(name))
            .flatten()
        {
            Some(value) => {
                out.push_str(&value);
                rest = &after[name_len + 1..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_path_shaped_targets_are_unnamed() {
        for path in [
            "./proj",
            "../x",
            "dist/a-1.0-py3-none-any.whl",
            "a-1.0.tar.gz",
            "proj[x]",
        ] {
            let spec = parse_spec(path);
            if path == "proj[x]" {
                assert!(matches!(spec, Ok(RequirementSpec::Named(_))), "{path}");
            } else {
                assert!(matches!(spec, Ok(RequirementSpec::Unnamed(_))), "{path}");
            }
        }
        let err = parse_spec("this is not a requirement!")
            .unwrap_err()
            .to_string();
        assert!(err.contains("this is not a requirement!"), "{err}");
    }

    fn parse(text: &str) -> RequirementsTxt {
        let env = |name: &str| (name == "TOKEN").then(|| "s3cret".to_string());
        RequirementsTxt::parse_str(text, Path::new("requirements.in"), &env).unwrap()
    }

    fn names(entries: &[RequirementEntry]) -> Vec<String> {
        entries.iter().map(|e| e.requirement.to_string()).collect()
    }

    #[test]
    fn requirements_comments_and_continuations() {
        let r = parse(
            "# top comment\nrequests>=2.0  # trailing comment\nflask \\\n  [async] \\\n  >=2\n\n  Django==4.2 ; python_version >= \"3.8\"\n",
        );
        let got: Vec<_> = r
            .requirements
            .iter()
            .map(|e| (e.line, e.requirement.to_string()))
            .collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].0, 3);
        match &r.requirements[1].requirement {
            RequirementSpec::Named(req) => {
                assert_eq!(req.name.as_str(), "flask");
                assert_eq!(req.extras[0].as_str(), "async");
            }
            other => panic!("expected a named requirement, got {other:?}"),
        }
        assert!(
            matches!(&r.requirements[2].requirement, RequirementSpec::Named(q) if q.name.as_str() == "django")
        );
    }

    #[test]
    fn options_and_index_settings() {
        let r = parse(
            "--index-url https://${TOKEN}@example.org/simple\n--extra-index-url=https://extra/simple\n-f ./wheels\n--no-index\n--pre\n--only-binary :all:\n--no-binary=foo,bar\n--require-hashes\n",
        );
        assert_eq!(
            r.index_url.as_deref(),
            Some("https://s3cret@example.org/simple")
        );
        assert_eq!(r.extra_index_urls, ["https://extra/simple"]);
        assert_eq!(r.find_links, ["./wheels"]);
        assert!(r.no_index && r.pre && r.require_hashes);
        assert_eq!(r.only_binary, [":all:"]);
        assert_eq!(r.no_binary, ["foo", "bar"]);
    }

    #[test]
    fn hashes_follow_a_requirement() {
        let h = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let r = parse(&format!(
            "six==1.16.0 \\\n    --hash=sha256:{h} \\\n    --hash sha256:{h}\n"
        ));
        assert_eq!(r.requirements[0].hashes.len(), 2);
        assert_eq!(r.requirements[0].hashes[0].hex(), h);
    }

    #[test]
    fn unnamed_paths_and_urls() {
        let r = parse(
            "./local/project[dev]\n-e ../editable\ndist/pkg-1.0-py3-none-any.whl ; sys_platform == \"linux\"\nhttps://host/pkg-1.0.tar.gz#sha256=abc\nname @ https://host/name-1.0.tar.gz\n",
        );
        let specs: Vec<_> = r.requirements.iter().map(|e| &e.requirement).collect();
        let RequirementSpec::Unnamed(local) = specs[0] else {
            panic!("{:?}", specs[0])
        };
        assert_eq!(local.target, "./local/project");
        assert_eq!(local.extras[0].as_str(), "dev");
        assert!(r.requirements[1].editable);
        let RequirementSpec::Unnamed(wheel) = specs[2] else {
            panic!("{:?}", specs[2])
        };
        assert_eq!(wheel.target, "dist/pkg-1.0-py3-none-any.whl");
        assert!(wheel.marker.is_some());
        let RequirementSpec::Unnamed(url) = specs[3] else {
            panic!("{:?}", specs[3])
        };
        assert!(url.is_url());
        assert_eq!(url.target, "https://host/pkg-1.0.tar.gz#sha256=abc");
        assert!(matches!(specs[4], RequirementSpec::Named(_)));
    }

    #[test]
    fn env_vars_only_in_braces_and_only_when_set() {
        let env = |name: &str| (name == "A").then(|| "x".to_string());
        assert_eq!(expand_env("${A}/$A/${B}/${a}", &env), "x/$A/${B}/${a}");
        assert_eq!(expand_env("${A", &env), "${A");
    }

    #[test]
    fn comment_needs_whitespace_before_hash() {
        assert_eq!(
            strip_comment("pkg @ https://h/x.whl#sha256=1 # c"),
            "pkg @ https://h/x.whl#sha256=1 "
        );
        assert_eq!(strip_comment("# all comment"), "");
    }

    #[test]
    fn includes_and_constraints_from_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/base.txt"),
            "attrs\n-c constraints.txt\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("sub/constraints.txt"), "attrs<24\n").unwrap();
        std::fs::write(dir.path().join("main.in"), "-r sub/base.txt\nidna\n").unwrap();
        let r = RequirementsTxt::parse_file(&dir.path().join("main.in")).unwrap();
        assert_eq!(names(&r.requirements), ["attrs", "idna"]);
        assert_eq!(names(&r.constraints), ["attrs<24"]);
        assert!(r.constraints[0].file.ends_with("sub/constraints.txt"));
    }

    #[test]
    fn include_cycles_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "-r b.txt\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), "-r a.txt\n").unwrap();
        let e = RequirementsTxt::parse_file(&dir.path().join("a.txt")).unwrap_err();
        assert!(e.to_string().contains("includes itself"), "{e}");
        let e = RequirementsTxt::parse_file(&dir.path().join("missing.txt")).unwrap_err();
        assert!(e.to_string().contains("missing.txt"), "{e}");
    }

    #[test]
    fn errors_name_file_and_line() {
        let env = |_: &str| None;
        for (text, line, needle) in [
            ("ok\nbad>=>1\n", 2, "bad>=>1"),
            ("--frobnicate\n", 1, "unknown option"),
            ("pkg --index-url x\n", 1, "cannot follow"),
            ("pkg --hash=md9:00\n", 1, "md9"),
            ("-r\n", 1, "needs a value"),
            ("--pre yes\n", 1, "takes no value"),
            ("-r https://host/r.txt\n", 1, "remote"),
        ] {
            let e = RequirementsTxt::parse_str(text, Path::new("r.txt"), &env).unwrap_err();
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("r.txt:{line}: ")), "{msg}");
            assert!(msg.contains(needle), "{text:?} → {msg}");
        }
    }
}
