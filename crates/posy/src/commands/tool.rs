//! `posy tool install / list / upgrade / uninstall / update-shell / dir`
//! and `posy tool run` (also `posy x`, and the binary itself when invoked
//! as `posyx`): see `posy_ops::tool` and `posy_ops::tool_run`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use posy_ops::{
    InstalledTool, ToolDirs, ToolInstall, ToolSpec, ToolUpgrade, install_tool, installed_tools,
    plural, uninstall_tool, upgrade_tool,
};

use crate::cli::{
    GlobalArgs, ToolCommand, ToolInstallArgs, ToolListArgs, ToolUninstallArgs, ToolUpgradeArgs,
};
use crate::commands::pip::names_in;
use crate::output::outln;
use crate::settings;

pub fn run(cmd: ToolCommand, global: &GlobalArgs) -> Result<ExitCode> {
    match cmd {
        ToolCommand::Run(args) => crate::commands::tool_run::run(&args, global),
        ToolCommand::Install(args) => install(&args, global),
        ToolCommand::List(args) => list(&args),
        ToolCommand::Upgrade(args) => upgrade(&args, global),
        ToolCommand::Uninstall(args) => uninstall(&args),
        ToolCommand::UpdateShell => update_shell(),
        ToolCommand::Dir { bin } => {
            let dirs = ToolDirs::from_env()?;
            outln!("{}", if bin { &dirs.bin } else { &dirs.tools }.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn install(args: &ToolInstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let dirs = ToolDirs::from_env()?;
    let spec = ToolSpec::parse(args.from.as_deref().unwrap_or(&args.package))?;
    if let Some(from) = &args.from {
        let named = ToolSpec::parse(&args.package)?;
        if named.requirement.name != spec.requirement.name || named.is_versioned() {
            bail!(
                "`--from {from}` installs the package `{}`, so the tool's name must be `{}`, not `{}`",
                spec.requirement.name,
                spec.requirement.name,
                args.package
            );
        }
    }
    let mut resolver = args.resolver.options(names_in(&args.resolver.excludes)?);
    // `@latest`: whatever is cached or installed, the newest.
    resolver.upgrade |= spec.latest;
    let session = settings::session(global)?;
    install_tool(
        &session,
        &dirs,
        &ToolInstall {
            requirement: spec.requirement.to_string(),
            with: args.with.clone(),
            constraints: args.resolver.constraint.clone(),
            overrides: args.resolver.r#override.clone(),
            python: args.python.clone(),
            force: args.force,
            index: args.index.settings(global),
            resolver,
            apply: args.install.options(),
        },
    )?;
    session.close()?;
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ToolListArgs) -> Result<ExitCode> {
    let dirs = ToolDirs::from_env()?;
    let tools = installed_tools(&dirs)?;
    if tools.is_empty() {
        eprintln!("No tools installed");
        return Ok(ExitCode::SUCCESS);
    }
    for tool in &tools {
        outln!("{}", heading(tool, args));
        if let Some(problem) = &tool.problem {
            eprintln!("warning: {problem}");
        }
        for exe in &tool.receipt.entrypoints {
            if args.show_paths {
                outln!("- {} ({})", exe.name, exe.install_path.display());
            } else {
                outln!("- {}", exe.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `black v24.1.0 [required: <25] (/path/to/env)`, as uv writes it.
fn heading(tool: &InstalledTool, args: &ToolListArgs) -> String {
    let mut line = tool.name.to_string();
    if let Some(version) = &tool.version {
        line.push_str(&format!(" v{version}"));
    }
    if args.show_version_specifiers
        && let Some(specifiers) = tool
            .receipt
            .requirement()
            .and_then(|r| ToolSpec::parse(r).ok())
            .and_then(|s| s.requirement.specifiers().map(ToString::to_string))
            .filter(|s| !s.is_empty())
    {
        line.push_str(&format!(" [required: {specifiers}]"));
    }
    if args.show_paths {
        line.push_str(&format!(" ({})", tool.env_dir.display()));
    }
    line
}

fn uninstall(args: &ToolUninstallArgs) -> Result<ExitCode> {
    let dirs = ToolDirs::from_env()?;
    let names: Vec<String> = if args.all {
        installed_tools(&dirs)?
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    } else {
        args.names.clone()
    };
    if names.is_empty() {
        eprintln!("Nothing to uninstall");
        return Ok(ExitCode::SUCCESS);
    }
    let mut removed = Vec::new();
    for name in &names {
        removed.extend(uninstall_tool(&dirs, name)?);
    }
    eprintln!(
        "Uninstalled {} executable{}: {}",
        removed.len(),
        plural(removed.len()),
        removed.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn upgrade(args: &ToolUpgradeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let dirs = ToolDirs::from_env()?;
    let names: Vec<String> = if args.all {
        installed_tools(&dirs)?
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    } else {
        args.names.clone()
    };
    let options = ToolUpgrade {
        reinstall: args.install.reinstall,
        python: args.python.clone(),
        index: args.index.settings(global),
        resolver: args.resolver.options(names_in(&args.resolver.excludes)?),
        apply: args.install.options(),
    };
    let session = settings::session(global)?;
    let mut failed = 0;
    let mut changed = 0;
    for name in &names {
        match upgrade_tool(&session, &dirs, name, &options) {
            Ok(upgraded) if options.reinstall && upgraded.before == upgraded.after => {
                changed += 1;
                let version = upgraded.after.map(|v| format!(" v{v}")).unwrap_or_default();
                eprintln!("Reinstalled {}{version}", upgraded.name);
            }
            Ok(upgraded) if upgraded.before != upgraded.after => {
                changed += 1;
                let show = |v: &Option<posy_vocab::Version>| {
                    v.as_ref().map_or("?".to_owned(), |v| format!("v{v}"))
                };
                eprintln!(
                    "Updated {} {} -> {}",
                    upgraded.name,
                    show(&upgraded.before),
                    show(&upgraded.after)
                );
            }
            Ok(_) => {}
            Err(e) if names.len() > 1 => {
                failed += 1;
                eprintln!("error: cannot upgrade `{name}`: {e:#}");
            }
            Err(e) => return Err(e),
        }
    }
    session.close()?;
    if changed == 0 && failed == 0 {
        eprintln!("Nothing to upgrade");
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn update_shell() -> Result<ExitCode> {
    let dirs = ToolDirs::from_env()?;
    let (_, changed) = posy_ops::update_shell(&dirs.bin)?;
    if changed.is_empty() {
        eprintln!(
            "The shell's start-up files already put {} on PATH",
            dirs.bin.display()
        );
    } else {
        for file in &changed {
            eprintln!("Updated {}", file.display());
        }
        eprintln!(
            "Restart your shell (or `source` the file) to put {} on PATH",
            dirs.bin.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
