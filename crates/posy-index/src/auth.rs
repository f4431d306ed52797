//! Credentials for private indexes, from the places people put them.
//!
//! Three sources, first match wins for a request URL:
//!
//! 1. **The URL itself.** `https://user:pass@host/...` on a request.
//! 2. **The index configuration.** Credentials written into an index URL
//!    (`--index-url https://user:pass@pkgs.example.com/simple`) apply to
//!    every URL on the same scheme, host and port: files are often served
//!    from a different path of the same host, and a link on a page never
//!    carries the page's userinfo. Next come environment variables
//!    `POSY_INDEX_<NAME>_USERNAME` and `POSY_INDEX_<NAME>_PASSWORD`, where
//!    `<NAME>` is the index's name (see [`crate::IndexUrl::named`]) or, for
//!    an unnamed index, its host; either is uppercased with every character
//!    other than a letter or digit replaced by `_` (`pkgs.example.com` →
//!    `POSY_INDEX_PKGS_EXAMPLE_COM_USERNAME`). They, too, apply to the
//!    index's scheme, host and port.
//! 3. **netrc.** The file named by `NETRC`, else `~/.netrc`, looked up by
//!    host, as curl and pip do.
//!
//! Credentials become an HTTP Basic `Authorization` header (which reqwest
//! drops when a redirect leaves the scheme, host and port) and are never
//! written to logs, errors or the cache: [`Credentials`] has no `Display`
//! and its `Debug` is redacted, and URLs are stripped of userinfo before
//! they are used as cache keys. There is deliberately no keyring support:
//! it needs a subprocess or a platform library per OS, and the three
//! sources above cover CI and containers.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use url::Url;

use crate::netrc::Netrc;

/// A user name and optional password (a token is often just a user name).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(****)")
    }
}

impl Credentials {
    /// The credentials written into a URL's userinfo, percent-decoded.
    pub fn from_url(url: &Url) -> Option<Self> {
        if url.username().is_empty() && url.password().is_none() {
            return None;
        }
        let decode = |s: &str| {
            String::from_utf8(crate::simple_html::percent_decode(s.as_bytes()))
                .unwrap_or_else(|_| s.to_owned())
        };
        Some(Self {
            username: decode(url.username()),
            password: url.password().map(decode),
        })
    }
}

/// Where to read netrc credentials from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetrcSource {
    /// `$NETRC`, else `~/.netrc`; a missing file is fine.
    #[default]
    Default,
    /// This file; a missing file is fine.
    Path(PathBuf),
    /// Do not read any netrc file.
    Disabled,
}

/// The scheme, host and port credentials are scoped to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Realm {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Realm {
    fn of(url: &Url) -> Option<Self> {
        Some(Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default(),
        })
    }
}

/// Every credential the client knows, looked up per request URL.
#[derive(Debug, Default)]
pub(crate) struct Auth {
    by_realm: HashMap<Realm, Credentials>,
    netrc: Option<Netrc>,
}

impl Auth {
    /// Collects credentials for the given indexes (with optional names),
    /// reading environment variables through `env` and netrc from `netrc`.
    pub fn new(
        indexes: &[(Option<&str>, &Url)],
        env: &dyn Fn(&str) -> Option<String>,
        netrc: &NetrcSource,
    ) -> Self {
        let mut by_realm = HashMap::new();
        for (name, url) in indexes {
            let Some(realm) = Realm::of(url) else {
                continue;
            };
            if let Some(credentials) = Credentials::from_url(url) {
                by_realm.entry(realm).or_insert(credentials);
                continue;
            }
            let key = env_key(name.or(url.host_str()).unwrap_or_default());
            let username = env(&format!("POSY_INDEX_{key}_USERNAME"));
            let password = env(&format!("POSY_INDEX_{key}_PASSWORD"));
            if username.is_some() || password.is_some() {
                by_realm.entry(realm).or_insert(Credentials {
                    username: username.unwrap_or_default(),
                    password,
                });
            }
        }
        Self {
            by_realm,
            netrc: read_netrc(netrc, env),
        }
    }

    /// The credentials to send with a request to `url`, if any.
    pub fn for_url(&self, url: &Url) -> Option<Credentials> {
        if let Some(credentials) = Credentials::from_url(url) {
            return Some(credentials);
        }
        let realm = Realm::of(url)?;
        if let Some(credentials) = self.by_realm.get(&realm) {
            return Some(credentials.clone());
        }
        let entry = self.netrc.as_ref()?.get(&realm.host)?;
        Some(Credentials {
            username: entry.login.clone(),
            password: Some(entry.password.clone()),
        })
    }
}

/// The netrc credentials for `url`'s host, read from `source` (`$NETRC`,
/// else `~/.netrc`, for [`NetrcSource::Default`]), for requests made
/// outside an index client (uploads).
pub fn netrc_credentials(url: &Url, source: &NetrcSource) -> Option<Credentials> {
    let netrc = read_netrc(source, &|key| std::env::var(key).ok())?;
    let entry = netrc.get(&url.host_str()?.to_ascii_lowercase())?;
    Some(Credentials {
        username: entry.login.clone(),
        password: Some(entry.password.clone()),
    })
}

/// `pkgs.example.com` → `PKGS_EXAMPLE_COM`.
fn env_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn read_netrc(source: &NetrcSource, env: &dyn Fn(&str) -> Option<String>) -> Option<Netrc> {
    let path = match source {
        NetrcSource::Disabled => return None,
        NetrcSource::Path(path) => path.clone(),
        NetrcSource::Default => match env("NETRC") {
            Some(path) => PathBuf::from(path),
            None => PathBuf::from(env("HOME")?).join(".netrc"),
        },
    };
    let text = std::fs::read_to_string(&path).ok()?;
    match Netrc::parse(&text) {
        Ok(netrc) => Some(netrc),
        Err(message) => {
            tracing::warn!("ignoring {}: {message}", path.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn index_url_credentials_cover_the_host() {
        let index = url("https://al%40ce:p%3Ass@pkgs.example.com/simple/");
        let auth = Auth::new(&[(None, &index)], &|_| None, &NetrcSource::Disabled);
        let creds = auth
            .for_url(&url("https://pkgs.example.com/files/a.whl"))
            .unwrap();
        assert_eq!(creds.username, "al@ce");
        assert_eq!(creds.password.as_deref(), Some("p:ss"));
        assert!(
            auth.for_url(&url("https://pkgs.example.com:8443/files/a.whl"))
                .is_none()
        );
        assert!(
            auth.for_url(&url("http://pkgs.example.com/files/a.whl"))
                .is_none()
        );
        assert!(
            auth.for_url(&url("https://files.example.com/a.whl"))
                .is_none()
        );
    }

    #[test]
    fn env_vars_by_name_or_host() {
        let named = url("https://named.example/simple/");
        let unnamed = url("https://pkgs.example.com/simple/");
        let env = |key: &str| match key {
            "POSY_INDEX_CORP_USERNAME" => Some("u1".to_owned()),
            "POSY_INDEX_CORP_PASSWORD" => Some("p1".to_owned()),
            "POSY_INDEX_PKGS_EXAMPLE_COM_PASSWORD" => Some("token".to_owned()),
            _ => None,
        };
        let auth = Auth::new(
            &[(Some("corp"), &named), (None, &unnamed)],
            &env,
            &NetrcSource::Disabled,
        );
        assert_eq!(auth.for_url(&named).unwrap().username, "u1");
        let token = auth.for_url(&unnamed).unwrap();
        assert_eq!(
            (token.username.as_str(), token.password.as_deref()),
            ("", Some("token"))
        );
    }

    #[test]
    fn netrc_is_the_last_resort() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("netrc");
        std::fs::write(&path, "machine pkgs.example.com login n password np\n").unwrap();
        let index = url("https://pkgs.example.com/simple/");
        let env = |key: &str| (key == "NETRC").then(|| path.display().to_string());
        let auth = Auth::new(&[(None, &index)], &env, &NetrcSource::Default);
        assert_eq!(auth.for_url(&index).unwrap().username, "n");
        let explicit = url("https://me:x@pkgs.example.com/simple/");
        assert_eq!(auth.for_url(&explicit).unwrap().username, "me");
        assert_eq!(
            format!("{:?}", auth.for_url(&index).unwrap()),
            "Credentials(****)"
        );
    }
}
