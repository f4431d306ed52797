//! `posy pip sync FILE…`: make the environment hold exactly the file's pins.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use posy_install::{Installer, installed_distributions};
use posy_project::{RequirementSpec, RequirementsTxt};
use posy_vocab::{Operator, VersionOrUrl};

use super::apply::{self, Apply, Pin};
use crate::binary_policy::BinaryPolicy;
use crate::build_envs;
use crate::cli::{GlobalArgs, PipSyncArgs};
use crate::index_client::{self, FileIndexSettings};
use crate::output::{elapsed, plural};
use crate::settings;
use crate::target_env::{find_env, install_scheme};

pub fn run(args: &PipSyncArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let mut build_settings = build_envs::BuildSettings::from_args(&args.build)?;
    let interpreter = find_env(&args.env, global)?;
    let markers = interpreter.markers();
    let mut pins = Vec::new();
    let mut file_index = FileIndexSettings::default();
    let (mut only_binary, mut no_binary) = (Vec::new(), Vec::new());
    let mut require_hashes = args.installer.require_hashes;
    for path in &args.src_file {
        let file = RequirementsTxt::parse_file(path)?;
        require_hashes |= file.require_hashes;
        file_index.index_url = file.index_url.or(file_index.index_url);
        file_index.extra_index_urls.extend(file.extra_index_urls);
        file_index.find_links.extend(file.find_links);
        file_index.no_index |= file.no_index;
        only_binary.extend(file.only_binary);
        no_binary.extend(file.no_binary);
        for entry in file.requirements {
            let at = format!("{}:{}", entry.file.display(), entry.line);
            let RequirementSpec::Named(req) = &entry.requirement else {
                bail!(
                    "{at}: `{}`: posy pip sync installs pinned packages (name==version); paths and URLs are not supported yet",
                    entry.requirement
                );
            };
            if !req.marker.evaluate(&markers, &[]) {
                continue;
            }
            let version = match &req.version_or_url {
                Some(VersionOrUrl::Specifiers(set)) if set.len() == 1 => set
                    .iter()
                    .next()
                    .filter(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual))
                    .and_then(|s| s.version().cloned()),
                _ => None,
            };
            let Some(version) = version else {
                bail!(
                    "{at}: `{req}` is not pinned; posy pip sync needs `name==version` (use posy pip compile to pin, or posy pip install)"
                );
            };
            pins.push(Pin {
                name: req.name.clone(),
                version,
                hashes: entry.hashes.clone(),
                requested: true,
                built: None,
            });
        }
    }
    pins.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(dup) = pins.windows(2).find(|w| w[0].name == w[1].name) {
        bail!(
            "{} is pinned twice ({} and {}); keep one",
            dup[0].name,
            dup[0].version,
            dup[1].version
        );
    }
    eprintln!(
        "Resolved {} package{} in {}",
        pins.len(),
        plural(pins.len()),
        elapsed(start)
    );

    let store = settings::open_store(global)?;
    let client = index_client::build(
        &args.index,
        &file_index,
        &store,
        &posy_resolve::Upgrade::None,
    )?;
    let scheme = install_scheme(&interpreter);
    let installed = installed_distributions(&[&scheme.purelib, &scheme.platlib])?;
    let plan = apply::plan(&pins, &installed, args.installer.reinstall, true);
    let tags = interpreter.tags();
    let policy = BinaryPolicy::new(false, &only_binary, &no_binary)?;
    build_settings.policy = policy.clone();
    let builder = build_envs::builder(&store, &client, interpreter.clone(), &build_settings);
    let installer = Installer::new(
        scheme,
        apply::link_mode(args.installer.link_mode.as_deref())?,
        "posy",
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(apply::execute(
        plan,
        Apply {
            client: &client,
            store: &store,
            installer,
            tags: &tags,
            require_hashes,
            dry_run: args.installer.dry_run,
            builder: Some(&builder),
            policy: &policy,
            compile_bytecode: args.installer.compile_bytecode,
        },
    ))?;
    // Lookups still running on blocking threads (a slow DNS answer no
    // one waits for any more) must not hold up the exit.
    runtime.shutdown_background();
    store.close()?;
    Ok(ExitCode::SUCCESS)
}
