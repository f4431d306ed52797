//! The RFC 822 style header format of `METADATA`, `PKG-INFO` and `WHEEL`.
//!
//! Python writes these files with the `email` package, so we read them the
//! way its `compat32` parser does, minus what never occurs in practice:
//! `Name: value` lines, names matched case-insensitively, a line starting
//! with a space or tab continues the previous value (kept with its line
//! break, since `Description` and `License` carry text), and everything after
//! the first empty line is the body. Fields may repeat; order is kept.
//!
//! Reading is lenient where Python is (a `\r\n` line ending, trailing
//! whitespace) and strict where silently guessing would lose data: a line
//! that is neither a header, a continuation nor the blank separator is an
//! error naming its line number.

use crate::ParseError;

/// The parsed headers and body of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, String)>,
    body: Option<String>,
}

impl Headers {
    /// Parses the text of a headers file.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut lines = text.split_inclusive('\n').enumerate();
        let mut body = None;
        let mut offset = 0;
        for (number, raw) in lines.by_ref() {
            let start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                let rest = &text[offset..];
                if !rest.trim().is_empty() {
                    body = Some(rest.to_string());
                }
                break;
            }
            if line.starts_with([' ', '\t']) {
                let Some((_, value)) = fields.last_mut() else {
                    return Err(ParseError::new(
                        "headers",
                        text,
                        start..start + line.len(),
                        format!(
                            "line {} continues a header, but no header came before it",
                            number + 1
                        ),
                    ));
                };
                value.push('\n');
                value.push_str(line.trim_end());
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(ParseError::new(
                    "headers",
                    text,
                    start..start + line.len(),
                    format!("line {} is not a `Name: value` header", number + 1),
                ));
            };
            if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c.is_control()) {
                return Err(ParseError::new(
                    "headers",
                    text,
                    start..start + name.len().max(1),
                    format!("line {} has an invalid header name `{name}`", number + 1),
                ));
            }
            fields.push((name.to_string(), value.trim().to_string()));
        }
        Ok(Self { fields, body })
    }

    /// The first value of a field, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a (multiple-use) field, in file order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every field in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The text after the blank line, if there is any.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_continuations_and_body() {
        let h = Headers::parse(
            "Metadata-Version: 2.1\r\nName: demo\nLicense: line one\n        line two\nClassifier: A\nclassifier: B\n\nThe body.\n\nMore.\n",
        )
        .unwrap();
        assert_eq!(h.get("name"), Some("demo"));
        assert_eq!(h.get("LICENSE"), Some("line one\n        line two"));
        assert_eq!(h.get_all("Classifier").collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(h.body(), Some("The body.\n\nMore.\n"));
        assert_eq!(h.get("Missing"), None);
    }

    #[test]
    fn no_body_and_no_trailing_newline() {
        let h = Headers::parse("Wheel-Version: 1.0\nRoot-Is-Purelib: true").unwrap();
        assert_eq!(h.get("root-is-purelib"), Some("true"));
        assert_eq!(h.body(), None);
    }

    #[test]
    fn rejects_lines_that_are_not_headers() {
        let e = Headers::parse("Name: a\nthis is not a header\n").unwrap_err();
        assert!(e.message().contains("line 2"), "{e}");
        let e = Headers::parse("  leading continuation\n").unwrap_err();
        assert!(e.message().contains("line 1"), "{e}");
        assert!(Headers::parse("Bad Name: x\n").is_err());
    }
}
