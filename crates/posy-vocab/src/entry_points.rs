//! Entry points: the `entry_points.txt` file of a distribution.
//!
//! The file is INI-like (Python's `configparser` with `=` as the only
//! delimiter and case-sensitive keys): `[group]` headers, then
//! `name = module:attr [extra1, extra2]` lines; `#` and `;` start comment
//! lines. The installer reads the `console_scripts` and `gui_scripts` groups
//! to write launchers; other groups are plugin registrations that we keep but
//! do not interpret.
//!
//! The object reference must be `module` or `module:attr.path`, each part a
//! dotted Python identifier (the entry points specification). The trailing
//! `[extras]` form is deprecated but still found in the wild; we accept and
//! keep it. Parsing fails on a line we cannot understand, naming the line,
//! rather than silently dropping a script.

use std::fmt;

use crate::ParseError;

/// One `name = module:attr` line of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub group: String,
    pub name: String,
    pub module: String,
    pub attr: Option<String>,
    pub extras: Vec<String>,
}

impl EntryPoint {
    /// The object reference as written after `=`, without extras: `module:attr`.
    pub fn object_ref(&self) -> String {
        match &self.attr {
            Some(attr) => format!("{}:{attr}", self.module),
            None => self.module.clone(),
        }
    }
}

impl fmt::Display for EntryPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.name, self.object_ref())?;
        if !self.extras.is_empty() {
            write!(f, " [{}]", self.extras.join(", "))?;
        }
        Ok(())
    }
}

/// All entry points of a distribution, in file order, except that a group
/// whose header repeats is kept together at its first position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryPoints(Vec<EntryPoint>);

impl EntryPoints {
    /// Parses the text of an `entry_points.txt` file.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut group: Option<&str> = None;
        let mut entries = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix('[') {
                let name = rest.strip_suffix(']').ok_or_else(|| {
                    ParseError::new(
                        "entry point group",
                        line,
                        0..line.len(),
                        "a group header must end with `]`",
                    )
                })?;
                group = Some(name.trim());
                continue;
            }
            let Some(group) = group else {
                return Err(ParseError::new(
                    "entry point",
                    line,
                    0..line.len(),
                    "an entry point must come after a `[group]` header",
                ));
            };
            entries.push(parse_line(group, line)?);
        }
        // A group header may repeat; its entries join the group's first
        // section, so that the order kept is the order `Display` writes.
        let mut groups: Vec<String> = Vec::new();
        for e in &entries {
            if !groups.contains(&e.group) {
                groups.push(e.group.clone());
            }
        }
        entries.sort_by_key(|e| groups.iter().position(|g| *g == e.group));
        Ok(Self(entries))
    }

    /// Every entry point of the given group.
    pub fn group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a EntryPoint> + 'a {
        self.0.iter().filter(move |e| e.group == group)
    }

    /// The `console_scripts` group: command-line launchers.
    pub fn console_scripts(&self) -> impl Iterator<Item = &EntryPoint> {
        self.group("console_scripts")
    }

    /// The `gui_scripts` group: launchers without a console on Windows.
    pub fn gui_scripts(&self) -> impl Iterator<Item = &EntryPoint> {
        self.group("gui_scripts")
    }

    pub fn iter(&self) -> impl Iterator<Item = &EntryPoint> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes the file back out, groups in first-seen order.
impl fmt::Display for EntryPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut groups: Vec<&str> = Vec::new();
        for e in &self.0 {
            if !groups.contains(&e.group.as_str()) {
                groups.push(&e.group);
            }
        }
        for (i, group) in groups.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "[{group}]")?;
            for e in self.group(group) {
                writeln!(f, "{e}")?;
            }
        }
        Ok(())
    }
}

fn parse_line(group: &str, line: &str) -> Result<EntryPoint, ParseError> {
    let err =
        |span: std::ops::Range<usize>, msg: &str| ParseError::new("entry point", line, span, msg);
    let eq = line
        .find('=')
        .ok_or_else(|| err(0..line.len(), "expected `name = module:attr`"))?;
    let name = line[..eq].trim();
    if name.is_empty() {
        return Err(err(0..eq, "the entry point has no name"));
    }
    let value_start = eq + 1;
    let value = &line[value_start..];
    let offset = value_start + (value.len() - value.trim_start().len());
    let value = value.trim();
    let (reference, extras) = match value.find('[') {
        Some(open) => {
            let Some(inner) = value[open + 1..].trim_end().strip_suffix(']') else {
                return Err(err(offset + open..line.len(), "unclosed `[` in the extras"));
            };
            let extras = inner
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(String::from)
                .collect();
            (value[..open].trim(), extras)
        }
        None => (value, Vec::new()),
    };
    let (module, attr) = match reference.split_once(':') {
        Some((m, a)) => (m.trim(), Some(a.trim())),
        None => (reference, None),
    };
    if !is_dotted_identifier(module) {
        return Err(err(
            offset..offset + reference.len().max(1),
            "expected a module path like `package.module`",
        ));
    }
    if let Some(attr) = attr
        && !is_dotted_identifier(attr)
    {
        return Err(err(
            offset..offset + reference.len(),
            "expected an attribute path like `main` or `Class.method` after `:`",
        ));
    }
    Ok(EntryPoint {
        group: group.to_string(),
        name: name.to_string(),
        module: module.to_string(),
        attr: attr.map(String::from),
        extras,
    })
}

/// `a.b.c` where each part is a Python identifier (ASCII or Unicode letters,
/// digits, `_`, not starting with a digit).
fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
[console_scripts]
black = black:patched_main
blackd = blackd:patched_main [d]

# a comment
[gui_scripts]
idle-ish=idlelib.pyshell:main

[pytest11]
; plugin registrations are kept as they are
xdist.looponfail = xdist.looponfail
";

    #[test]
    fn parses_groups_and_lines() {
        let eps = EntryPoints::parse(SAMPLE).unwrap();
        let console: Vec<_> = eps.console_scripts().collect();
        assert_eq!(console.len(), 2);
        assert_eq!(console[0].name, "black");
        assert_eq!(console[0].module, "black");
        assert_eq!(console[0].attr.as_deref(), Some("patched_main"));
        assert_eq!(console[1].extras, vec!["d"]);
        let gui: Vec<_> = eps.gui_scripts().collect();
        assert_eq!(gui[0].object_ref(), "idlelib.pyshell:main");
        let plugin: Vec<_> = eps.group("pytest11").collect();
        assert_eq!(plugin[0].name, "xdist.looponfail");
        assert_eq!(plugin[0].attr, None);
    }

    #[test]
    fn display_round_trips() {
        let eps = EntryPoints::parse(SAMPLE).unwrap();
        let again = EntryPoints::parse(&eps.to_string()).unwrap();
        assert_eq!(eps, again);
    }

    #[test]
    fn repeated_group_headers_join_the_first_section() {
        // Found by fuzzing: the entries were kept in file order but written
        // grouped, so the written file parsed back in another order.
        let eps = EntryPoints::parse("[a]\nx = m\n[b]\ny = m\n[a]\nz = m\n").unwrap();
        let order: Vec<_> = eps.iter().map(|e| (&*e.group, &*e.name)).collect();
        assert_eq!(order, [("a", "x"), ("a", "z"), ("b", "y")]);
        assert_eq!(EntryPoints::parse(&eps.to_string()).unwrap(), eps);
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "black = black:main",
            "[console_scripts]\nblack black:main",
            "[console_scripts]\n = black:main",
            "[console_scripts]\nblack = 1black:main",
            "[console_scripts]\nblack = black:ma-in",
            "[console_scripts]\nblack = black:main [d",
            "[console_scripts\nblack = black:main",
        ] {
            assert!(EntryPoints::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn unicode_identifiers_are_allowed() {
        let eps = EntryPoints::parse("[console_scripts]\nnaïve = modül:fünc\n").unwrap();
        assert_eq!(eps.iter().next().unwrap().module, "modül");
    }
}
