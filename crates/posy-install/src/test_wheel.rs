//! Test support: tiny wheels built in memory, a fake environment's scheme,
//! and the warnings a piece of code logs.
//!
//! The crate's tests need real wheel files (zip, `WHEEL`, `RECORD` with
//! hashes) but not an index, so they are built here rather than with
//! posy-testkit, which would pull a server into this crate's tests.

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use posy_vocab::{ArtifactHash, HashAlgorithm};
use sha2::{Digest, Sha256};

use crate::record::{RecordEntry, write_record};
use crate::scheme::InstallScheme;
use crate::unpack::{UnpackedWheel, unpack_wheel};

/// A pure-Python wheel with the given files.
pub(crate) struct TestWheel {
    name: String,
    version: String,
    files: Vec<(String, Vec<u8>, zip::write::SimpleFileOptions)>,
}

impl TestWheel {
    pub(crate) fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_string(),
            version: version.to_string(),
            files: Vec::new(),
        }
    }

    pub(crate) fn file(self, path: &str, contents: &str) -> Self {
        self.file_with(
            path,
            contents.as_bytes(),
            zip::write::SimpleFileOptions::default(),
        )
    }

    /// A file stored with the given zip options (compression, permissions).
    pub(crate) fn file_with(
        mut self,
        path: &str,
        contents: &[u8],
        options: zip::write::SimpleFileOptions,
    ) -> Self {
        self.files
            .push((path.to_string(), contents.to_vec(), options));
        self
    }

    pub(crate) fn filename(&self) -> String {
        format!("{}-{}-py3-none-any.whl", self.name, self.version)
    }

    /// The wheel's bytes: the files, then `METADATA`, `WHEEL` and a `RECORD`
    /// that lists them all with their hashes.
    pub(crate) fn zip(&self) -> Vec<u8> {
        let dist_info = format!("{}-{}.dist-info", self.name, self.version);
        let default = zip::write::SimpleFileOptions::default();
        let mut members = self.files.clone();
        members.push((
            format!("{dist_info}/METADATA"),
            format!(
                "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
                self.name, self.version
            )
            .into_bytes(),
            default,
        ));
        members.push((
            format!("{dist_info}/WHEEL"),
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .to_vec(),
            default,
        ));
        let mut record: Vec<RecordEntry> = members
            .iter()
            .map(|(path, bytes, _)| RecordEntry {
                path: path.clone(),
                hash: Some(
                    ArtifactHash::new(HashAlgorithm::Sha256, &Sha256::digest(bytes)).unwrap(),
                ),
                size: Some(bytes.len() as u64),
            })
            .collect();
        let record_path = format!("{dist_info}/RECORD");
        record.push(RecordEntry {
            path: record_path.clone(),
            hash: None,
            size: None,
        });
        let mut text = Vec::new();
        write_record(&mut text, &record).unwrap();
        members.push((record_path, text, default));
        zip_with_options(&members)
    }

    /// Writes the wheel into `dir` and unpacks it beside it.
    pub(crate) fn unpacked(&self, dir: &Path) -> UnpackedWheel {
        let wheel = dir.join(self.filename());
        fs::write(&wheel, self.zip()).unwrap();
        let dest = dir.join(format!("{}-unpacked", self.filename()));
        fs::create_dir(&dest).unwrap();
        unpack_wheel(&wheel, &dest).unwrap();
        UnpackedWheel::open(&dest).unwrap()
    }
}

/// A zip archive of `members`, in order.
pub(crate) fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let default = zip::write::SimpleFileOptions::default();
    let members: Vec<_> = members
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.clone(), default))
        .collect();
    zip_with_options(&members)
}

/// A zip archive of `members`, each written with its own options.
fn zip_with_options(members: &[(String, Vec<u8>, zip::write::SimpleFileOptions)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (path, bytes, options) in members {
        zip.start_file(path.as_str(), *options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The scheme of a POSIX virtual environment at `prefix`.
pub(crate) fn scheme(prefix: &Path) -> InstallScheme {
    let site = prefix.join("lib/python3.12/site-packages");
    InstallScheme {
        prefix: prefix.to_path_buf(),
        purelib: site.clone(),
        platlib: site,
        scripts: prefix.join("bin"),
        data: prefix.to_path_buf(),
        include: prefix.join("include/site/python3.12"),
        python: prefix.join("bin/python"),
    }
}

/// Runs `f` and returns its result with the messages of the `WARN` events it logged on this thread.
pub(crate) fn warnings_of<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let collector = WarnCollector::default();
    let warnings = Arc::clone(&collector.warnings);
    let out = tracing::subscriber::with_default(collector, f);
    let warnings = warnings.lock().unwrap().clone();
    (out, warnings)
}

#[derive(Default)]
struct WarnCollector {
    warnings: Arc<Mutex<Vec<String>>>,
}

impl tracing::Subscriber for WarnCollector {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.warnings.lock().unwrap().push(message.0);
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
