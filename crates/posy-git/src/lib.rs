//! Git sources: `git+…` requirements resolved to a commit, with the
//! repository and each commit's checkout kept in the store.
//!
//! [`GitUrl`] reads a requirement's URL (`git+https://host/repo.git@v1.0#subdirectory=pkg`);
//! [`GitSource::resolve`] turns its revision (a branch, a tag, a short or
//! full commit, or nothing for the default branch) into a full commit id
//! ([`GitSource::resolve_keeping`]: or into the commit an earlier lock
//! pinned, while the branch still holds it);
//! [`GitSource::checkout`] gives that commit's working tree, where the
//! project is built like any local directory. See `source.rs` for the
//! layout in the store and why the `git` command is used.
//!
//! ```no_run
//! # fn demo(store: posy_store::Store) -> Result<(), Box<dyn std::error::Error>> {
//! use posy_git::{GitSource, GitUrl};
//!
//! let url = GitUrl::parse("git+https://example.com/org/lib.git@main")?;
//! let git = GitSource::new(store);
//! let commit = git.resolve(&url)?;
//! let checkout = git.checkout(&url, &commit)?;
//! println!("{} at {}", checkout.project.display(), checkout.commit);
//! # Ok(())
//! # }
//! ```

mod source;
mod url;

pub use source::{Checkout, GitError, GitSource};
pub use url::{GitUrl, GitUrlError};
