//! Measures what fetching the metadata of a whole resolution costs on the
//! wire, by each way `posy-index` can get it: requests and bytes for the
//! project pages, then for the metadata by PEP 658 files, by range requests,
//! by full downloads, and by what the client picks on its own.
//!
//! ```text
//! cargo run --release -p posy-index --example metadata_traffic -- \
//!     crates/posy-index/examples/jupyter-resolution.txt
//! ```
//!
//! The input has one `<project> <filename>` line per pinned artifact. The
//! bundled `jupyter-resolution.txt` is the 97-artifact resolution of the
//! benchmark's `jupyter.in` for CPython 3.11 on x86-64 Linux, as pip's
//! `install --dry-run --report` chose it. This talks to the public index.

use std::time::Instant;

use futures_util::future::join_all;
use posy_index::{IndexClient, IndexError, IndexFile, IndexOptions, MetadataVia, TransferStats};
use posy_vocab::PackageName;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: metadata_traffic <file of `project filename` lines>")?;
    let text = std::fs::read_to_string(&path)?;
    let pins: Vec<(PackageName, String)> = text
        .lines()
        .filter_map(|line| line.split_once(' '))
        .map(|(name, file)| {
            Ok::<_, posy_vocab::ParseError>((PackageName::new(name)?, file.trim().to_owned()))
        })
        .collect::<Result<_, _>>()?;
    println!("{} artifacts from {path}\n", pins.len());
    println!("| way | requests | bytes | seconds | failures |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut pages_done = false;
    for (label, via) in [
        (
            "metadata files (PEP 658), forced",
            MetadataVia::MetadataFile,
        ),
        ("range requests, forced", MetadataVia::RangeRequests),
        ("full downloads", MetadataVia::FullDownload),
        ("automatic", MetadataVia::Auto),
    ] {
        let client = IndexOptions::new().build()?;
        let start = Instant::now();
        let files = join_all(
            pins.iter()
                .map(|(name, filename)| find(&client, name, filename)),
        )
        .await;
        let pages = client.stats();
        if !pages_done {
            row(
                "project pages (JSON)",
                pages,
                start.elapsed().as_secs_f64(),
                0,
            );
            pages_done = true;
        }
        let start = Instant::now();
        let results = join_all(files.iter().map(|file| async {
            match file {
                Ok(file) => client.wheel_metadata_via(file, via).await.map(|_| ()),
                Err(e) => Err(IndexError::InvalidOption(e.to_string())),
            }
        }))
        .await;
        let failures = results.iter().filter(|r| r.is_err()).count();
        for error in results.iter().filter_map(|r| r.as_ref().err()).take(3) {
            eprintln!("  {label}: {error}");
        }
        let total = client.stats();
        let metadata = TransferStats {
            requests: total.requests - pages.requests,
            bytes: total.bytes - pages.bytes,
        };
        row(label, metadata, start.elapsed().as_secs_f64(), failures);
    }

    // A warm run: pages and metadata from the store, under the default
    // freshness policy (the second client runs right after the first).
    let cache = tempfile::tempdir()?;
    for label in [
        "cold run with a store (pages + automatic metadata)",
        "warm run from the store",
    ] {
        let client = IndexOptions::new()
            .cache_dir(Some(cache.path().to_owned()))
            .build()?;
        let start = Instant::now();
        let files = join_all(
            pins.iter()
                .map(|(name, filename)| find(&client, name, filename)),
        )
        .await;
        let results = join_all(
            files
                .iter()
                .flatten()
                .map(|file| client.wheel_metadata(file)),
        )
        .await;
        let failures = results.iter().filter(|r| r.is_err()).count()
            + files.iter().filter(|f| f.is_err()).count();
        row(
            label,
            client.stats(),
            start.elapsed().as_secs_f64(),
            failures,
        );
    }
    Ok(())
}

async fn find(
    client: &IndexClient,
    name: &PackageName,
    filename: &str,
) -> Result<IndexFile, String> {
    let project = client.project(name).await.map_err(|e| e.to_string())?;
    project
        .files
        .into_iter()
        .find(|f| f.filename == filename)
        .ok_or_else(|| format!("{filename} is not on the {name} page"))
}

fn row(label: &str, stats: TransferStats, seconds: f64, failures: usize) {
    println!(
        "| {label} | {} | {:.2} MB | {seconds:.2} | {failures} |",
        stats.requests,
        stats.bytes as f64 / 1e6
    );
}
