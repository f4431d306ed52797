//! A reader for `~/.netrc`, the file curl, pip and uv take credentials from.
//!
//! The format is a stream of whitespace-separated tokens: `machine <host>`
//! starts an entry, `default` starts the catch-all entry, and `login`,
//! `password` and `account` give its fields; `macdef <name>` is followed by
//! a macro body that runs to the next blank line and is skipped. Tokens may
//! be double-quoted with backslash escapes, and `#` starts a comment to the
//! end of the line (both as Python's `netrc` module reads them). The first
//! `machine` entry for a host wins; `default` is used only when no machine
//! matches, and wherever it appears.
//!
//! The file holds secrets: nothing here prints its contents, and a parse
//! error names the file and the line, never a token.

/// Credentials for one host from a netrc file.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct NetrcEntry {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for NetrcEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NetrcEntry(****)")
    }
}

/// A parsed netrc file.
#[derive(Debug, Default, Clone)]
pub(crate) struct Netrc {
    machines: Vec<(String, NetrcEntry)>,
    default: Option<NetrcEntry>,
}

impl Netrc {
    /// Parses netrc text; the error is a message naming the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let tokens = tokenize(text)?;
        let mut netrc = Netrc::default();
        let mut i = 0;
        // The entry being filled: its host (`None` for `default`).
        let mut current: Option<(Option<String>, NetrcEntry)> = None;
        let finish = |netrc: &mut Netrc, entry: Option<(Option<String>, NetrcEntry)>| match entry {
            Some((Some(host), entry)) => netrc.machines.push((host, entry)),
            Some((None, entry)) => {
                netrc.default.get_or_insert(entry);
            }
            None => {}
        };
        while i < tokens.len() {
            let (line, token) = (&tokens[i].0, tokens[i].1.as_str());
            let mut value = || {
                i += 1;
                tokens
                    .get(i)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("line {line}: `{token}` needs a value"))
            };
            match token {
                "machine" => {
                    let host = value()?;
                    finish(&mut netrc, current.take());
                    current = Some((Some(host), empty_entry()));
                }
                "default" => {
                    finish(&mut netrc, current.take());
                    current = Some((None, empty_entry()));
                }
                "login" | "password" | "account" => {
                    let field = value()?;
                    let Some((_, entry)) = current.as_mut() else {
                        return Err(format!("line {line}: `{token}` before any `machine`"));
                    };
                    match token {
                        "login" => entry.login = field,
                        "password" => entry.password = field,
                        _ => {}
                    }
                }
                "macdef" => {
                    // The macro name, then the body, which `tokenize` already
                    // collapsed into a single token.
                    value()?;
                    i += 1;
                }
                _ => return Err(format!("line {line}: unexpected token")),
            }
            i += 1;
        }
        finish(&mut netrc, current);
        Ok(netrc)
    }

    /// The entry for `host`, or the default entry.
    pub fn get(&self, host: &str) -> Option<&NetrcEntry> {
        self.machines
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map(|(_, e)| e)
            .or(self.default.as_ref())
    }
}

fn empty_entry() -> NetrcEntry {
    NetrcEntry {
        login: String::new(),
        password: String::new(),
    }
}

/// Splits into (line number, token); a `macdef` body becomes one token.
fn tokenize(text: &str) -> Result<Vec<(usize, String)>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut in_macdef_name = false;
    while let Some(&c) = chars.peek() {
        if c == '\n' {
            line += 1;
            chars.next();
            if in_macdef_name {
                // The body runs until an empty line.
                in_macdef_name = false;
                let mut body = String::new();
                let mut previous_newline = true;
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        if previous_newline {
                            break;
                        }
                        previous_newline = true;
                    } else {
                        previous_newline = false;
                    }
                    body.push(c);
                }
                tokens.push((line, body));
            }
            continue;
        }
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '#' {
            while chars.peek().is_some_and(|&c| c != '\n') {
                chars.next();
            }
            continue;
        }
        let mut token = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => token.extend(chars.next()),
                    Some('\n') => return Err(format!("line {line}: unterminated quote")),
                    Some(c) => token.push(c),
                    None => return Err(format!("line {line}: unterminated quote")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    token.extend(chars.next());
                } else {
                    token.push(c);
                    chars.next();
                }
            }
        }
        let is_macdef_name = tokens
            .last()
            .is_some_and(|(_, t): &(usize, String)| t == "macdef");
        tokens.push((line, token));
        if is_macdef_name {
            in_macdef_name = true;
        }
    }
    if in_macdef_name {
        tokens.push((line, String::new()));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_and_default() {
        let text = "# my hosts\nmachine pkgs.example.com login alice password \"s3 cret\"\n\
                    default login anon password guest\n\
                    machine other.example login bob\n  password hunter2 account x\n";
        let netrc = Netrc::parse(text).unwrap();
        let alice = netrc.get("PKGS.example.com").unwrap();
        assert_eq!(
            (alice.login.as_str(), alice.password.as_str()),
            ("alice", "s3 cret")
        );
        assert_eq!(netrc.get("other.example").unwrap().password, "hunter2");
        assert_eq!(netrc.get("nowhere.example").unwrap().login, "anon");
    }

    #[test]
    fn macdef_is_skipped() {
        let text = "machine a.example login u password p\nmacdef init\ncd /pub\nbinary\n\nmachine b.example login v password q\n";
        let netrc = Netrc::parse(text).unwrap();
        assert_eq!(netrc.get("b.example").unwrap().login, "v");
        assert!(netrc.get("c.example").is_none());
    }

    #[test]
    fn errors_name_lines_not_secrets() {
        let err = Netrc::parse("machine a\nlogin").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        let err = Netrc::parse("password topsecret").unwrap_err();
        assert!(!err.contains("topsecret"));
        assert!(Netrc::parse("machine a password \"open").is_err());
        assert!(
            format!(
                "{:?}",
                NetrcEntry {
                    login: "l".into(),
                    password: "p".into()
                }
            ) == "NetrcEntry(****)"
        );
    }
}
