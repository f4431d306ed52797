//! `git+…` URLs as pip and uv read them.
//!
//! `git+SCHEME://HOST/PATH[@REV][#subdirectory=DIR]`, with SCHEME one of
//! `https`, `http`, `ssh`, `file` (and `git`). The revision is what follows
//! the last `@` of the path, never one in the user-info part
//! (`git+ssh://git@host/repo.git@v1` is repository `ssh://git@host/repo.git`
//! at `v1`). The fragment may carry `subdirectory=` (and `egg=`, which is
//! ignored).

use std::fmt;

/// A git requirement's target: which repository, at which revision, and
/// where in it the project is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GitUrl {
    /// The repository URL as git takes it (no `git+`, no revision, no fragment).
    pub repository: String,
    /// The branch, tag or commit asked for; `None` means the default branch.
    pub revision: Option<String>,
    /// The project's directory inside the repository.
    pub subdirectory: Option<String>,
}

/// Why a `git+…` URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{url}` is not a git URL posy can use: {reason}")]
pub struct GitUrlError {
    pub url: String,
    pub reason: String,
}

impl GitUrl {
    /// Whether `text` is written as a git URL (`git+…`).
    pub fn is_git(text: &str) -> bool {
        text.starts_with("git+")
    }

    /// Parses `git+SCHEME://…`.
    pub fn parse(text: &str) -> Result<GitUrl, GitUrlError> {
        let error = |reason: &str| GitUrlError {
            url: text.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = text
            .strip_prefix("git+")
            .ok_or_else(|| error("it does not start with `git+`"))?;
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (rest, None),
        };
        let (scheme, after) = rest
            .split_once("://")
            .ok_or_else(|| error("it has no `scheme://`"))?;
        if !matches!(scheme, "https" | "http" | "ssh" | "file" | "git") {
            return Err(error(&format!(
                "the scheme `{scheme}` is not one of https, http, ssh, file, git"
            )));
        }
        // The path starts at the first `/` after the authority; a revision
        // `@` can only be in the path.
        let path_start = after.find('/').unwrap_or(after.len());
        let (authority, path) = after.split_at(path_start);
        let (path, revision) = match path.rfind('@') {
            Some(at) => (&path[..at], Some(&path[at + 1..])),
            None => (path, None),
        };
        if revision.is_some_and(str::is_empty) {
            return Err(error("the revision after `@` is empty"));
        }
        if authority.is_empty() && scheme != "file" {
            return Err(error("it names no host"));
        }
        let mut subdirectory = None;
        for pair in fragment.into_iter().flat_map(|f| f.split('&')) {
            if let Some(dir) = pair.strip_prefix("subdirectory=") {
                let dir = dir.trim_matches('/');
                if dir.split('/').any(|part| part == ".." || part.is_empty()) {
                    return Err(error("the subdirectory must be a plain relative path"));
                }
                subdirectory = Some(dir.to_owned());
            }
        }
        let repository = format!("{scheme}://{authority}{path}");
        url::Url::parse(&repository).map_err(|e| error(&e.to_string()))?;
        Ok(GitUrl {
            repository,
            revision: revision.map(str::to_owned),
            subdirectory,
        })
    }

    /// The same target pinned to `commit`, as a requirement writes it.
    pub fn at(&self, commit: &str) -> GitUrl {
        GitUrl {
            revision: Some(commit.to_owned()),
            ..self.clone()
        }
    }
}

impl fmt::Display for GitUrl {
    /// `git+REPOSITORY[@REV][#subdirectory=DIR]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "git+{}", self.repository)?;
        if let Some(revision) = &self.revision {
            write!(f, "@{revision}")?;
        }
        if let Some(dir) = &self.subdirectory {
            write!(f, "#subdirectory={dir}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_come_from_the_path_not_the_user_info() {
        let url = GitUrl::parse("git+ssh://git@example.com/org/repo.git@v1.2").unwrap();
        assert_eq!(url.repository, "ssh://git@example.com/org/repo.git");
        assert_eq!(url.revision.as_deref(), Some("v1.2"));
        let url = GitUrl::parse("git+ssh://git@example.com/org/repo.git").unwrap();
        assert_eq!(url.revision, None);
        let url =
            GitUrl::parse("git+https://example.com/r.git@main#egg=x&subdirectory=pkgs/a/").unwrap();
        assert_eq!(url.repository, "https://example.com/r.git");
        assert_eq!(url.revision.as_deref(), Some("main"));
        assert_eq!(url.subdirectory.as_deref(), Some("pkgs/a"));
        assert_eq!(
            url.to_string(),
            "git+https://example.com/r.git@main#subdirectory=pkgs/a"
        );
        let url = GitUrl::parse("git+file:///tmp/repo@abc123").unwrap();
        assert_eq!(url.repository, "file:///tmp/repo");
        assert_eq!(url.at("f00").to_string(), "git+file:///tmp/repo@f00");
    }

    #[test]
    fn bad_urls_say_why() {
        for (text, says) in [
            ("https://x/r.git", "git+"),
            ("git+ftp://x/r.git", "scheme `ftp`"),
            ("git+https://x/r.git@", "revision after `@` is empty"),
            (
                "git+https://x/r.git#subdirectory=../up",
                "plain relative path",
            ),
            ("git+https:///r.git", "no host"),
        ] {
            let error = GitUrl::parse(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
