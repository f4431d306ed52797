//! The files an index holds, grouped by project.
//!
//! Projects are kept in name order (so `/simple/` is stable) and files in
//! the order they were added (so a test controls the order on a project
//! page). A file name can appear only once, as on a real index.

use crate::{Artifact, Error};
use posy_vocab::PackageName;
use std::collections::{BTreeMap, HashMap};

/// Every artifact of an index, by project and by file name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Catalog {
    artifacts: Vec<Artifact>,
    by_filename: HashMap<String, usize>,
    by_project: BTreeMap<PackageName, Vec<usize>>,
}

impl Catalog {
    /// Adds a file; a second file with the same name is an error.
    pub(crate) fn add(&mut self, artifact: Artifact) -> Result<(), Error> {
        if self.by_filename.contains_key(artifact.filename()) {
            return Err(Error::DuplicateFile {
                filename: artifact.filename().to_string(),
            });
        }
        let position = self.artifacts.len();
        self.by_filename
            .insert(artifact.filename().to_string(), position);
        self.by_project
            .entry(artifact.project().clone())
            .or_default()
            .push(position);
        self.artifacts.push(artifact);
        Ok(())
    }

    /// The file named `filename`.
    pub(crate) fn file(&self, filename: &str) -> Option<&Artifact> {
        self.by_filename.get(filename).map(|&i| &self.artifacts[i])
    }

    /// The file named `filename`, to change what the index says about it.
    pub(crate) fn file_mut(&mut self, filename: &str) -> Result<&mut Artifact, Error> {
        match self.by_filename.get(filename) {
            Some(&i) => Ok(&mut self.artifacts[i]),
            None => {
                let mut known: Vec<&str> = self.artifacts.iter().map(Artifact::filename).collect();
                known.sort_unstable();
                Err(Error::UnknownFile {
                    filename: filename.to_string(),
                    known: known.join(", "),
                })
            }
        }
    }

    /// The files of one project, in the order they were added.
    pub(crate) fn project(&self, name: &PackageName) -> Option<Vec<&Artifact>> {
        let positions = self.by_project.get(name)?;
        Some(positions.iter().map(|&i| &self.artifacts[i]).collect())
    }

    /// Every project name, in order.
    pub(crate) fn project_names(&self) -> Vec<&PackageName> {
        self.by_project.keys().collect()
    }

    /// Every file, project by project.
    pub(crate) fn all(&self) -> Vec<&Artifact> {
        self.by_project
            .values()
            .flatten()
            .map(|&i| &self.artifacts[i])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_grouped_by_normalized_project() {
        let mut catalog = Catalog::default();
        for (project, filename) in [
            ("b", "b-1.tar.gz"),
            ("A", "a-1.tar.gz"),
            ("a", "a-2.tar.gz"),
        ] {
            catalog
                .add(Artifact::raw(project, "1", filename, "x").unwrap())
                .unwrap();
        }
        let names: Vec<&str> = catalog.project_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let a = catalog.project(&PackageName::new("a").unwrap()).unwrap();
        assert_eq!(a.len(), 2);
        let all: Vec<&str> = catalog.all().iter().map(|a| a.filename()).collect();
        assert_eq!(all, ["a-1.tar.gz", "a-2.tar.gz", "b-1.tar.gz"]);
    }

    #[test]
    fn duplicate_and_unknown_files_are_errors() {
        let mut catalog = Catalog::default();
        catalog
            .add(Artifact::raw("a", "1", "a-1.tar.gz", "x").unwrap())
            .unwrap();
        let again = catalog.add(Artifact::raw("a", "1", "a-1.tar.gz", "y").unwrap());
        assert!(matches!(again, Err(Error::DuplicateFile { .. })));
        let err = catalog.file_mut("nope.whl").unwrap_err().to_string();
        assert!(
            err.contains("nope.whl") && err.contains("a-1.tar.gz"),
            "{err}"
        );
    }
}
