//! The index client an operation uses, from the command's settings and requirement files.

use anyhow::{Context, Result};
use posy_index::{
    Cutoffs, ExcludeNewer, FindLinks, IndexClient, IndexOptions, IndexStrategy, IndexUrl,
    PackageCutoff, Refresh,
};
use posy_project::NamedIndex;
use posy_resolve::Upgrade;
use posy_store::Store;
use posy_vocab::PackageName;

/// Which indexes to use and how, as the command line says (pip's and uv's flags).
#[derive(Debug, Clone, Default)]
pub struct IndexSettings {
    pub index_url: Option<String>,
    pub extra_index_url: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
    /// `first-index` or `unsafe-best-match`.
    pub index_strategy: String,
    /// An RFC 3339 timestamp or a date.
    pub exclude_newer: Option<String>,
    /// `--exclude-newer-package`: `NAME=DATE` (or `NAME=false`), a cutoff
    /// for one package in place of `exclude_newer`.
    pub exclude_newer_package: Vec<String>,
    pub offline: bool,
    pub refresh: bool,
    /// `--refresh-package`: fetch these packages' pages again.
    pub refresh_package: Vec<String>,
    /// A project's `[[tool.posy.index]]` entries: the ones neither
    /// `explicit` nor `default` are asked after the command line's
    /// indexes; the `default` one replaces the public index unless the
    /// command line gives `--index-url`.
    pub named_indexes: Vec<NamedIndex>,
    /// `{ index = "name" }` sources: each package from that index alone.
    pub index_pins: Vec<(PackageName, NamedIndex)>,
}

/// Index settings a requirements file may add (`--index-url`, `--find-links`, …).
#[derive(Debug, Clone, Default)]
pub struct FileIndexSettings {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
}

/// A `[[tool.posy.index]]` entry as the client takes it (named, for
/// `POSY_INDEX_<NAME>_USERNAME`/`_PASSWORD`).
fn named_index(index: &NamedIndex) -> Result<IndexUrl> {
    let url = IndexUrl::parse(&index.url).with_context(|| {
        format!(
            "invalid `url = \"{}\"` of the index `{}` in `[[tool.posy.index]]`",
            index.url,
            index.name.as_deref().unwrap_or("(unnamed)")
        )
    })?;
    Ok(match &index.name {
        Some(name) => url.named(name.clone()),
        None => url,
    })
}

/// Builds the client: command-line flags win over what files say. The
/// cached pages of what `upgrade` lets move are fetched again, so an upgrade
/// sees a release made since the last run (as uv does).
pub fn build_client(
    args: &IndexSettings,
    files: &FileIndexSettings,
    store: &Store,
    upgrade: &Upgrade,
) -> Result<IndexClient> {
    let mut options = IndexOptions::new().store(Some(store.clone()));
    if let Some(url) = args.index_url.as_ref().or(files.index_url.as_ref()) {
        options = options.index_url(
            IndexUrl::parse(url).with_context(|| format!("invalid --index-url `{url}`"))?,
        );
    } else if let Some(index) = args.named_indexes.iter().find(|i| i.default) {
        options = options.index_url(named_index(index)?);
    }
    for url in args.extra_index_url.iter().chain(&files.extra_index_urls) {
        options = options.extra_index_url(
            IndexUrl::parse(url).with_context(|| format!("invalid --extra-index-url `{url}`"))?,
        );
    }
    for index in &args.named_indexes {
        if !index.explicit && !index.default {
            options = options.extra_index_url(named_index(index)?);
        }
    }
    for (package, index) in &args.index_pins {
        options = options.pin(package.clone(), named_index(index)?);
    }
    for link in args.find_links.iter().chain(&files.find_links) {
        options = options.find_links(
            FindLinks::parse(link).with_context(|| format!("invalid --find-links `{link}`"))?,
        );
    }
    let strategy: IndexStrategy = if args.index_strategy.is_empty() {
        IndexStrategy::default()
    } else {
        args.index_strategy.parse()?
    };
    let exclude_newer = args
        .exclude_newer
        .as_deref()
        .map(|d| {
            d.parse::<ExcludeNewer>()
                .map_err(|e| anyhow::anyhow!("invalid --exclude-newer `{d}`: {e}"))
        })
        .transpose()?;
    let mut cutoffs = Cutoffs::new(exclude_newer);
    for text in &args.exclude_newer_package {
        let package = text
            .parse::<PackageCutoff>()
            .map_err(|e| anyhow::anyhow!("invalid --exclude-newer-package `{text}`: {e}"))?;
        cutoffs.set(package);
    }
    let refresh_packages = args
        .refresh_package
        .iter()
        .map(|p| PackageName::new(p).with_context(|| format!("invalid --refresh-package `{p}`")))
        .collect::<Result<Vec<_>>>()?;
    options = options
        .no_index(args.no_index || files.no_index)
        .index_strategy(strategy)
        .offline(args.offline)
        .refresh(match upgrade {
            _ if args.refresh => Refresh::All,
            Upgrade::All => Refresh::All,
            Upgrade::Packages(names) => {
                Refresh::Packages(names.iter().cloned().chain(refresh_packages).collect())
            }
            Upgrade::None if refresh_packages.is_empty() => Refresh::None,
            Upgrade::None => Refresh::Packages(refresh_packages.into_iter().collect()),
        })
        .exclude_newer(cutoffs);
    Ok(options.build()?)
}
