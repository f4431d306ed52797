//! The platform a resolution is for: an interpreter's, optionally with
//! another Python version, or a named platform with no interpreter at all
//! (`--python`, `--python-version`, `--python-platform`).

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use posy_python::{DiscoveryEnv, Interpreter, PythonRequest};
use posy_resolve::Target;
use posy_vocab::{
    MarkerEnvironment, MarkerValues, MarkerVariable, Platform, TagTarget, Tags, Version,
};

/// What the user said about the target (all optional).
#[derive(Debug, Clone, Default)]
pub struct TargetRequest {
    /// `--python`: an interpreter path or a version request.
    pub python: Option<String>,
    /// `--python-version`: resolve for this Python instead of the interpreter's.
    pub python_version: Option<String>,
    /// `--python-platform`: resolve for this platform, with no interpreter.
    pub python_platform: Option<String>,
}

/// The target the request describes.
pub fn resolve_target(request: &TargetRequest, cache_dir: &Path) -> Result<Target> {
    let python = request.python.as_deref();
    let version = request
        .python_version
        .as_deref()
        .map(|v| {
            v.parse::<Version>()
                .map_err(|e| anyhow!("invalid --python-version: {e}"))
        })
        .transpose()?;
    if let Some(platform) = &request.python_platform {
        let platform = Platform::from_name_or_tag(platform)?;
        let version = match version {
            Some(v) => v,
            None => find_interpreter(python, cache_dir)?
                .markers()
                .version(MarkerVariable::PythonFullVersion)
                .cloned()
                .ok_or_else(|| anyhow!("cannot tell the interpreter's Python version"))?,
        };
        return Target::cpython(&version, platform)
            .ok_or_else(|| anyhow!("cannot describe Python {version} on that platform"));
    }
    let interpreter = find_interpreter(python, cache_dir)?;
    let Some(version) = version else {
        return Target::from_environment(interpreter.markers(), interpreter.tags())
            .ok_or_else(|| anyhow!("the interpreter reports no usable python_version"));
    };
    let (major, minor) = match version.release() {
        [major, minor, ..] => (*major, *minor),
        [major] => (*major, 0),
        [] => bail!("invalid --python-version `{version}`"),
    };
    let short = (u8::try_from(major)?, u8::try_from(minor)?);
    let base = interpreter.markers();
    let values = MarkerValues {
        python_version: format!("{major}.{minor}"),
        python_full_version: if version.release().len() >= 3 {
            version.to_string()
        } else {
            format!("{major}.{minor}.0")
        },
        ..base.values().clone()
    };
    let target = TagTarget {
        python_version: short,
        ..interpreter.tag_target()
    };
    Target::from_environment(MarkerEnvironment::new(values), Tags::from_target(&target))
        .ok_or_else(|| anyhow!("invalid --python-version `{version}`"))
}

/// The interpreter `python` names (any interpreter when `None`), installed
/// when none fits and downloads are automatic.
pub fn find_interpreter(python: Option<&str>, cache_dir: &Path) -> Result<Interpreter> {
    let request = match python {
        Some(text) => text.parse::<PythonRequest>()?,
        None => PythonRequest::Any,
    };
    let env = DiscoveryEnv::from_process().context("cannot read the working directory")?;
    crate::python_install::find_or_install(&request, &env, cache_dir)
}

/// The target of an environment's own interpreter.
pub fn interpreter_target(interpreter: &Interpreter) -> Result<Target> {
    Target::from_environment(interpreter.markers(), interpreter.tags())
        .ok_or_else(|| anyhow!("the interpreter reports no usable python_version"))
}
