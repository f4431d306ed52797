//! Sending files: one POST per file, retried when the failure is the
//! network's or the server's (a reset, a 5xx), never when the server said
//! no (a 4xx, which names the file and carries the server's own words).
//!
//! Skipping what is already there (`--check-url`): before a file is sent,
//! the index's page of its project is fetched (revalidated, never taken
//! stale from the cache) and a file of the same name with the same sha256
//! counts as published; the same name with another hash is an error (an
//! index never replaces a file). When an upload is answered "already
//! exists" (PyPI says 400, pypiserver and devpi 409), the page is asked
//! again: a matching hash means another job raced this one to the same
//! result, which is harmless, so it too counts as skipped. Without a check
//! index there is no way to know the content matches, so "already exists"
//! stays an error, with the hint to pass one.
//!
//! Credentials go in a Basic `Authorization` header, never in the URL that
//! errors show ([`posy_index::redact`]), and the [`Credentials`] type
//! prints as `****`. Redirects are not followed: a POST that is redirected
//! has reached an index page, not the upload endpoint, and following it
//! would turn it into a GET that "succeeds" without uploading anything.

use std::time::Duration;

use posy_index::redact::{redact, strip_credentials};
use posy_index::{Credentials, IndexClient};
use reqwest::StatusCode;
use url::Url;

use crate::dist::DistFile;
use crate::error::PublishError;
use crate::form::{Multipart, form_fields};

/// Where and how to publish.
#[derive(Clone)]
pub struct PublishOptions {
    /// The upload endpoint (`https://upload.pypi.org/legacy/`).
    pub url: Url,
    /// Sent as HTTP Basic; credentials in `url` are used when this is `None`.
    pub credentials: Option<Credentials>,
    /// `--check-url`: a client for the index to compare files with.
    pub check: Option<IndexClient>,
    /// How many times a failed send is tried again.
    pub retries: u32,
}

impl PublishOptions {
    pub fn new(url: Url) -> PublishOptions {
        PublishOptions {
            url,
            credentials: None,
            check: None,
            retries: 2,
        }
    }
}

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Uploaded,
    /// The index already has this file with the same content.
    AlreadyPresent,
}

/// Uploads files to one index (see the module documentation).
#[derive(Clone)]
pub struct Publisher {
    client: reqwest::Client,
    url: Url,
    credentials: Option<Credentials>,
    check: Option<IndexClient>,
    retries: u32,
}

impl Publisher {
    pub fn new(options: PublishOptions) -> Result<Publisher, PublishError> {
        let url = options.url;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(PublishError::InvalidUrl {
                url: redact(&url),
                reason: "expected an http:// or https:// URL".into(),
            });
        }
        let credentials = options.credentials.or_else(|| Credentials::from_url(&url));
        // As posy-index does: ring, installed once; a second install fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(concat!("posy/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(300))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PublishError::Client(e.to_string()))?;
        Ok(Publisher {
            client,
            url: strip_credentials(&url),
            credentials,
            check: options.check,
            retries: options.retries,
        })
    }

    /// The upload URL, without credentials.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Uploads `dist`, or finds it already published (see the module
    /// documentation).
    pub async fn upload(&self, dist: &DistFile) -> Result<Outcome, PublishError> {
        if self.already_published(dist).await? {
            return Ok(Outcome::AlreadyPresent);
        }
        let content = tokio::fs::read(&dist.path)
            .await
            .map_err(|e| PublishError::io("read", &dist.path, e))?;
        let mut form = Multipart::new(&dist.sha256, &content);
        for (name, value) in form_fields(dist) {
            form.text(name, &value);
        }
        form.file("content", &dist.filename, &content);
        drop(content);
        let (content_type, body) = form.finish();

        let mut attempt = 0;
        let response = loop {
            let mut request = self
                .client
                .post(self.url.clone())
                .header(reqwest::header::CONTENT_TYPE, &content_type)
                .body(body.clone());
            if let Some(credentials) = &self.credentials {
                request = request.basic_auth(&credentials.username, credentials.password.as_ref());
            }
            let retryable = match request.send().await {
                Ok(response) if response.status().is_server_error() => {
                    if attempt >= self.retries {
                        break response;
                    }
                    format!("{}", response.status())
                }
                Ok(response) => break response,
                Err(e) if attempt < self.retries => error_chain(&e),
                Err(e) => {
                    return Err(PublishError::Transport {
                        file: dist.filename.clone(),
                        url: redact(&self.url),
                        reason: error_chain(&e),
                    });
                }
            };
            attempt += 1;
            tracing::warn!(file = %dist.filename, "upload failed ({retryable}); retrying");
            tokio::time::sleep(Duration::from_millis(500) * 2u32.pow(attempt)).await;
        };
        self.outcome(dist, response).await
    }

    async fn outcome(
        &self,
        dist: &DistFile,
        response: reqwest::Response,
    ) -> Result<Outcome, PublishError> {
        let status = response.status();
        if status.is_success() {
            return Ok(Outcome::Uploaded);
        }
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("elsewhere")
                .to_string();
            return Err(PublishError::Redirected {
                file: dist.filename.clone(),
                url: redact(&self.url),
                to,
            });
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.unwrap_or_default();
        let message = server_message(&body, content_type.as_deref());
        let exists = matches!(status, StatusCode::BAD_REQUEST | StatusCode::CONFLICT)
            && message.to_ascii_lowercase().contains("exist");
        let hint = if exists {
            if self.check.is_some() && self.already_published(dist).await? {
                return Ok(Outcome::AlreadyPresent);
            }
            if self.check.is_none() {
                "\nhint: pass `--check-url INDEX_URL` to skip files the index already has with the same content"
            } else {
                ""
            }
        } else if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            if self.credentials.is_some() {
                "\nhint: the credentials were refused; check the user name and password (or token) and that they may upload to this project"
            } else {
                "\nhint: this index requires credentials: set POSY_PUBLISH_TOKEN, or --username and --password (POSY_PUBLISH_USERNAME/POSY_PUBLISH_PASSWORD), or a netrc entry for its host"
            }
        } else {
            ""
        };
        Err(PublishError::Refused {
            file: dist.filename.clone(),
            url: redact(&self.url),
            status,
            message,
            hint: hint.to_string(),
        })
    }

    /// Whether the check index lists `dist` with the same sha256; an error
    /// if it lists the same name with another.
    async fn already_published(&self, dist: &DistFile) -> Result<bool, PublishError> {
        let Some(check) = &self.check else {
            return Ok(false);
        };
        let index = check_index_name(check);
        let files = check
            .project(&dist.name)
            .await
            .map_err(|source| PublishError::Check {
                file: dist.filename.clone(),
                index: index.clone(),
                source,
            })?;
        let Some(file) = files.files.iter().find(|f| f.filename == dist.filename) else {
            return Ok(false);
        };
        let theirs = file
            .hashes
            .iter()
            .find(|h| h.algorithm() == posy_vocab::HashAlgorithm::Sha256)
            .map(|h| h.hex().to_ascii_lowercase());
        match theirs {
            Some(theirs) if theirs == dist.sha256 => Ok(true),
            Some(theirs) => Err(PublishError::DifferentContent {
                file: dist.filename.clone(),
                index,
                ours: dist.sha256.clone(),
                theirs,
            }),
            None => {
                tracing::warn!(file = %dist.filename, "{index} lists the file without a sha256; uploading to let the server decide");
                Ok(false)
            }
        }
    }
}

fn check_index_name(check: &IndexClient) -> String {
    check
        .index_urls()
        .first()
        .map_or_else(|| "the check index".to_string(), |u| redact(u))
}

/// The server's explanation, from a JSON, HTML or text body.
pub(crate) fn server_message(body: &str, content_type: Option<&str>) -> String {
    let body = body.trim();
    if content_type.is_some_and(|t| t.contains("json"))
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(body)
    {
        for key in ["message", "detail", "error", "code"] {
            if let Some(text) = value.get(key).and_then(|v| v.as_str()) {
                return text.to_string();
            }
        }
    }
    let looks_html = content_type.is_some_and(|t| t.contains("html")) || body.starts_with('<');
    let text = if looks_html {
        let inner = match (body.find("<pre>"), body.find("</pre>")) {
            (Some(start), Some(end)) if start < end => &body[start + 5..end],
            _ => body,
        };
        unescape(&strip_tags(inner))
    } else {
        body.to_string()
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "no message".into();
    }
    if text.chars().count() > 500 {
        return format!("{}…", text.chars().take(500).collect::<String>());
    }
    text
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_are_read_from_each_body_shape() {
        let bottle = "<!DOCTYPE HTML>\n<html><head><title>Error: 409 Conflict</title></head><body>\
            <h1>Error: 409 Conflict</h1><p>Sorry, the requested URL <tt>&#039;http://x/&#039;</tt> caused an error:</p>\
            <pre>Package &#039;a-1.0.tar.gz&#039; already exists!\n  You may start server with `--overwrite` option.</pre></body></html>";
        assert_eq!(
            server_message(bottle, Some("text/html; charset=UTF-8")),
            "Package 'a-1.0.tar.gz' already exists! You may start server with `--overwrite` option."
        );
        assert_eq!(
            server_message(r#"{"message": "no such index"}"#, Some("application/json")),
            "no such index"
        );
        assert_eq!(server_message("  plain\n words ", None), "plain words");
        assert_eq!(server_message("", None), "no message");
        assert!(server_message(&"x".repeat(900), None).ends_with('…'));
    }
}
