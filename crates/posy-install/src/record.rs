//! The `RECORD` file: every installed file with its hash and size (CSV).

use std::io::{Read, Write};

use posy_vocab::ArtifactHash;

/// One `RECORD` row. `RECORD` itself (and signatures) have no hash or size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// The path, `/`-separated, relative to the directory holding `.dist-info`.
    pub path: String,
    pub hash: Option<ArtifactHash>,
    pub size: Option<u64>,
}

/// Reads a `RECORD` file. Rows with a malformed hash or size are errors,
/// since trusting them would let a corrupt wheel through.
pub fn read_record(reader: impl Read) -> Result<Vec<RecordEntry>, String> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut entries = Vec::new();
    for (i, row) in csv.records().enumerate() {
        let row = row.map_err(|e| format!("RECORD line {} is not valid CSV: {e}", i + 1))?;
        let path = row.get(0).unwrap_or_default();
        if path.is_empty() {
            continue;
        }
        let hash = match row.get(1).unwrap_or_default() {
            "" => None,
            h => Some(
                ArtifactHash::from_record(h).map_err(|e| format!("RECORD line {}: {e}", i + 1))?,
            ),
        };
        let size = match row.get(2).unwrap_or_default() {
            "" => None,
            s => Some(
                s.parse()
                    .map_err(|_| format!("RECORD line {}: size `{s}` is not a number", i + 1))?,
            ),
        };
        entries.push(RecordEntry {
            path: path.to_string(),
            hash,
            size,
        });
    }
    Ok(entries)
}

/// Writes `RECORD` rows, quoting paths as Python's `csv` module would.
pub fn write_record(writer: impl Write, entries: &[RecordEntry]) -> std::io::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    for entry in entries {
        let hash = entry
            .hash
            .as_ref()
            .map(ArtifactHash::to_record)
            .unwrap_or_default();
        let size = entry.size.map(|s| s.to_string()).unwrap_or_default();
        csv.write_record([entry.path.as_str(), hash.as_str(), size.as_str()])?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_quoting() {
        let text = "demo/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\"demo/a,b.txt\",sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\ndemo-1.0.dist-info/RECORD,,\n";
        let entries = read_record(text.as_bytes()).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].path, "demo/a,b.txt");
        assert_eq!(entries[2].hash, None);
        let mut out = Vec::new();
        write_record(&mut out, &entries).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn rejects_bad_rows() {
        assert!(read_record("a.py,sha256=!!,1\n".as_bytes()).is_err());
        assert!(read_record("a.py,,big\n".as_bytes()).is_err());
    }
}
