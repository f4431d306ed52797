//! Where an environment keeps each kind of installed file.

use std::path::PathBuf;

/// The install paths of one environment, as the interpreter's `sysconfig`
/// reports them, plus the interpreter that scripts should run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallScheme {
    /// The environment's root (`sys.prefix`); nothing is installed or removed outside it.
    pub prefix: PathBuf,
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    /// Where `.data/data/` goes (usually the prefix).
    pub data: PathBuf,
    /// Where `.data/headers/` goes; a per-distribution directory is added below it.
    pub include: PathBuf,
    /// The interpreter written into script shebangs.
    pub python: PathBuf,
}

impl InstallScheme {
    /// The scheme of a virtual environment at `prefix` for Python
    /// `major.minor`: one `site_packages` for pure and platform code, data
    /// at the prefix, headers where pip puts them inside a virtual
    /// environment (`include/site/pythonX.Y`), and `python` in shebangs.
    pub fn virtual_env(
        prefix: PathBuf,
        site_packages: PathBuf,
        scripts: PathBuf,
        python: PathBuf,
        (major, minor): (u64, u64),
    ) -> InstallScheme {
        InstallScheme {
            include: prefix
                .join("include")
                .join("site")
                .join(format!("python{major}.{minor}")),
            purelib: site_packages.clone(),
            platlib: site_packages,
            scripts,
            data: prefix.clone(),
            python,
            prefix,
        }
    }
}
