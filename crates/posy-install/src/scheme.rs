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
