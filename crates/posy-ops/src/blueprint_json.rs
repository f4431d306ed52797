//! A Blueprint as one JSON document, for scripts (`posy pip compile
//! --output-format json`): the pins a `requirements.txt` would hold, each
//! with what a script would otherwise parse out of that file's lines and
//! comments.
//!
//! ```json
//! {
//!   "schema": { "version": "preview" },
//!   "dry_run": true,
//!   "packages": [
//!     {
//!       "name": "b",
//!       "version": "2.0",
//!       "marker": "sys_platform == \"win32\"",
//!       "requested": false,
//!       "extras": [],
//!       "via": ["a"],
//!       "reference": null,
//!       "hashes": ["sha256:…"]
//!     }
//!   ]
//! }
//! ```
//!
//! `marker` is `null` where the pin applies everywhere (always, outside a
//! universal resolution); `version` is `null` for a direct reference
//! without one, whose `reference` is written as the requirements file
//! writes it (`-e ./dir`, `name @ https://…`). `hashes` are the sha256 of
//! every file the pin may install. The schema is uv's convention for its
//! own JSON output (`"preview"` until the layout is promised).

use std::collections::BTreeSet;

use posy_vocab::HashAlgorithm;
use serde::Serialize;

use crate::blueprint::{Blueprint, Notes, artifacts};

#[derive(Serialize)]
struct Document<'a> {
    schema: Schema,
    dry_run: bool,
    packages: Vec<Pin<'a>>,
}

#[derive(Serialize)]
struct Schema {
    version: &'static str,
}

#[derive(Serialize)]
struct Pin<'a> {
    name: &'a str,
    version: Option<String>,
    marker: Option<String>,
    requested: bool,
    extras: Vec<&'a str>,
    via: &'a [String],
    reference: Option<&'a str>,
    hashes: BTreeSet<String>,
}

impl Blueprint {
    /// The pins as a JSON document (see the module documentation);
    /// `dry_run` says that nothing was written.
    pub fn to_json(&self, dry_run: bool) -> String {
        let empty = Notes::default();
        let packages = self
            .lock
            .packages
            .iter()
            .enumerate()
            .map(|(index, package)| {
                let notes = self.notes.get(index).unwrap_or(&empty);
                // As the requirements file: the platform's marker alone
                // when the resolution says it.
                let marker = if self.notes.is_empty() {
                    package.marker.as_ref()
                } else {
                    notes.platform_marker.as_ref()
                };
                Pin {
                    name: package.name.as_str(),
                    version: package.version.as_ref().map(ToString::to_string),
                    marker: marker.map(ToString::to_string),
                    requested: notes.requested,
                    extras: notes.extras.iter().map(|e| e.as_str()).collect(),
                    via: &notes.via,
                    reference: notes.display.as_deref(),
                    hashes: artifacts(&package.source)
                        .flat_map(|a| &a.hashes)
                        .filter(|h| h.algorithm() == HashAlgorithm::Sha256)
                        .map(ToString::to_string)
                        .collect(),
                }
            })
            .collect();
        let document = Document {
            schema: Schema { version: "preview" },
            dry_run,
            packages,
        };
        serde_json::to_string_pretty(&document)
            .unwrap_or_else(|_| unreachable!("the document is strings, booleans and lists"))
    }
}
