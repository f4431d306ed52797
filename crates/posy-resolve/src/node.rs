//! The packages PubGrub reasons about.
//!
//! PubGrub solves for *nodes*, each taking one version:
//!
//! - [`Node::Root`]: the user's request; its one version depends on every
//!   requirement of the Brief.
//! - [`Node::Python`]: the target interpreter, whose only version is the
//!   target Python. A candidate's `Requires-Python` becomes a dependency on
//!   it, so "needs a newer Python" is an ordinary incompatibility that
//!   PubGrub merges across versions and reports like any other.
//! - [`Node::Package`]: a distribution by name.
//! - [`Node::Extra`]: a distribution with one extra. Its version `v`
//!   depends on `Package` `==v` (the extra cannot drift from its base) and
//!   on the requirements that the extra switches on. Asking for
//!   `foo[a,b]` is a dependency on `foo`, `foo[a]` and `foo[b]`. This is
//!   the construction uv uses: it keeps every node's dependencies fixed per
//!   version, which PubGrub requires.

use std::fmt;

use posy_vocab::{ExtraName, PackageName};

/// A PubGrub package: see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Node {
    Root,
    Python,
    Package(PackageName),
    Extra(PackageName, ExtraName),
}

impl Node {
    /// The distribution this node belongs to, if it is one.
    pub(crate) fn name(&self) -> Option<&PackageName> {
        match self {
            Self::Root | Self::Python => None,
            Self::Package(name) | Self::Extra(name, _) => Some(name),
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => f.write_str("the requirements"),
            Self::Python => f.write_str("Python"),
            Self::Package(name) => write!(f, "{name}"),
            Self::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
