//! Artifact hashes: `sha256=<hex>` in RECORD and index URL fragments.
