//! What a change to an environment did, or in a dry run would do: the
//! `+`/`-` list a person reads on stderr, and the document
//! `--output-format json` writes on stdout.
//!
//! The document is uv's (schema version `preview`, which uv says may still
//! change): `changes` lists each distribution taken out (`uninstalled`) or
//! put in (`installed`), sorted by name, a removal before the install that
//! replaces it; `dry_run` says whether anything really changed (`--dry-run`
//! and `--check` change nothing). An environment that already matched has
//! no changes. A version not known before a build (a project directory in
//! a dry run) is `null`.
//!
//! `--check` fails when anything would change; its error, [`WouldChange`],
//! carries the changes, so a front end can still write the document.

use std::fmt;

use posy_vocab::PackageName;
use serde::Serialize;

use crate::output::plural;

/// The distributions a change removed and installed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Name and version of each distribution removed (replaced or extraneous).
    pub uninstalled: Vec<(PackageName, String)>,
    /// Name and version of each distribution installed (empty: not known yet).
    pub installed: Vec<(PackageName, String)>,
    /// Nothing was changed: this is what would have been.
    pub dry_run: bool,
}

impl Changes {
    /// No change, for a run that changes nothing when `dry_run`.
    pub fn none(dry_run: bool) -> Self {
        Self {
            dry_run,
            ..Self::default()
        }
    }

    /// Adds the changes of another step of the same command.
    pub fn extend(&mut self, other: Changes) {
        self.uninstalled.extend(other.uninstalled);
        self.installed.extend(other.installed);
        self.dry_run |= other.dry_run;
    }

    /// Each change, in the document's order: by name, removals first.
    pub(crate) fn entries(&self) -> Vec<(&PackageName, Action, &str)> {
        let mut entries: Vec<_> = self
            .uninstalled
            .iter()
            .map(|(name, version)| (name, Action::Uninstalled, version.as_str()))
            .chain(
                self.installed
                    .iter()
                    .map(|(name, version)| (name, Action::Installed, version.as_str())),
            )
            .collect();
        entries.sort_by_key(|(name, action, _)| (*name, *action));
        entries
    }

    /// uv's `--output-format json` document, indented as uv writes it
    /// (its keys in uv's order).
    pub fn to_json(&self) -> String {
        let document = Document {
            schema: Schema { version: "preview" },
            changes: self
                .entries()
                .into_iter()
                .map(|(name, action, version)| Entry {
                    name: name.as_str(),
                    version: (!version.is_empty()).then_some(version),
                    action,
                })
                .collect(),
            dry_run: self.dry_run,
        };
        serde_json::to_string_pretty(&document)
            .unwrap_or_else(|_| unreachable!("the document is strings and booleans"))
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema: Schema,
    changes: Vec<Entry<'a>>,
    dry_run: bool,
}

#[derive(Serialize)]
struct Schema {
    version: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    name: &'a str,
    version: Option<&'a str>,
    action: Action,
}

/// What happened to a distribution; removals sort first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Uninstalled,
    Installed,
}

/// `--check` found the environment does not match: the error, with what
/// would change.
#[derive(Debug)]
pub struct WouldChange {
    pub changes: Changes,
    /// Packages that would be installed or removed outright.
    pub count: usize,
}

impl fmt::Display for WouldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the environment does not match the requirements: {} package{} would change (listed above); run without --check to change it",
            self.count,
            plural(self.count)
        )
    }
}

impl std::error::Error for WouldChange {}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PackageName {
        PackageName::new(s).unwrap()
    }

    #[test]
    fn the_document_is_uvs() {
        let changes = Changes {
            uninstalled: vec![(name("six"), "1.16.0".into()), (name("idna"), "3.7".into())],
            installed: vec![
                (name("six"), "1.17.0".into()),
                (name("certifi"), "2024.2.2".into()),
                (name("proj"), String::new()),
            ],
            dry_run: false,
        };
        let expected = serde_json::json!({
            "schema": {"version": "preview"},
            "changes": [
                {"name": "certifi", "version": "2024.2.2", "action": "installed"},
                {"name": "idna", "version": "3.7", "action": "uninstalled"},
                {"name": "proj", "version": null, "action": "installed"},
                {"name": "six", "version": "1.16.0", "action": "uninstalled"},
                {"name": "six", "version": "1.17.0", "action": "installed"},
            ],
            "dry_run": false,
        });
        let text = changes.to_json();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            expected
        );
        assert!(
            text.starts_with("{\n  \"schema\": {\n    \"version\": \"preview\"\n  },\n  \"changes\": [\n    {\n      \"name\": \"certifi\",\n      \"version\": \"2024.2.2\",\n      \"action\": \"installed\"\n    },"),
            "{text}"
        );
        assert_eq!(
            Changes::none(true).to_json(),
            "{\n  \"schema\": {\n    \"version\": \"preview\"\n  },\n  \"changes\": [],\n  \"dry_run\": true\n}"
        );
    }
}
