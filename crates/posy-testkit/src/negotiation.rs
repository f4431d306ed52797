//! Choosing HTML or JSON for a simple page from the request (PEP 691).
//!
//! The client lists media types with quality values in `Accept`; the server
//! offers the ones its format switch allows and picks the offer the client
//! values most. An offer's value comes from the most specific media range
//! that matches it (`type/subtype` over `type/*` over `*/*`); `q=0` means
//! "not acceptable". Among offers of equal quality, one the client named
//! beats one it reached only through a wildcard; among offers the client
//! named equally, JSON wins, then the versioned HTML type, then `text/html`;
//! an offer reached only through `*/*` is `text/html` first, because
//! clients that send a bare wildcard predate PEP 691. The `latest` aliases of the
//! PyPI types match the v1 types. A request without `Accept` gets HTML when
//! HTML is offered, since clients that send no `Accept` predate PEP 691. PEP
//! 691 also allows a `format` query parameter in place of the header; it is
//! honoured. When nothing offered is acceptable the answer is `None` (406).

use crate::simple_json;

/// Which page formats an index serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PEP 503 HTML only (as `text/html` or the versioned HTML type).
    Html,
    /// PEP 691 JSON only.
    Json,
    /// Both, chosen by content negotiation.
    Both,
}

/// The representation of a page that negotiation chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PageKind {
    Html,
    Json,
}

const HTML_V1: &str = "application/vnd.pypi.simple.v1+html";
const TEXT_HTML: &str = "text/html";

/// Picks a representation and its `Content-Type`, or `None` for 406.
pub(crate) fn negotiate(
    format: Format,
    accept: Option<&str>,
    query_format: Option<&str>,
) -> Option<(PageKind, &'static str)> {
    let mut offers: Vec<(PageKind, &'static str)> = Vec::new();
    if format != Format::Html {
        offers.push((PageKind::Json, simple_json::CONTENT_TYPE));
    }
    if format != Format::Json {
        offers.push((PageKind::Html, HTML_V1));
        offers.push((PageKind::Html, TEXT_HTML));
    }
    let accept = match (query_format, accept) {
        (Some(query), _) => query,
        (None, Some(accept)) if !accept.trim().is_empty() => accept,
        (None, _) => {
            let html = offers.iter().find(|(_, media)| *media == TEXT_HTML);
            return html.or(offers.first()).copied();
        }
    };
    let ranges = parse_accept(accept);
    let count = offers.len();
    offers
        .into_iter()
        .enumerate()
        .filter_map(|(position, offer)| {
            let (q, specificity) = quality(&ranges, offer.1)?;
            // Offers are listed in the server's order for named types; a
            // bare wildcard reverses it.
            let preference = if specificity == 0 {
                position
            } else {
                count - position
            };
            (q > 0.0).then_some((offer, (q, specificity, preference)))
        })
        .max_by(|(_, a), (_, b)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(offer, _)| offer)
}

/// One media range of an `Accept` header: type, subtype and quality.
#[derive(Debug, PartialEq)]
struct MediaRange {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<MediaRange> {
    let mut ranges = Vec::new();
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let Some((kind, subtype)) = media.split_once('/') else {
            continue;
        };
        let mut q = Some(1.0);
        for param in parts {
            if let Some((key, value)) = param.split_once('=')
                && key.trim().eq_ignore_ascii_case("q")
            {
                q = value
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q));
            }
        }
        // A malformed quality makes the whole range meaningless; skip it.
        if let Some(q) = q {
            ranges.push(MediaRange {
                kind: kind.trim().to_string(),
                subtype: alias(subtype.trim()).to_string(),
                q,
            });
        }
    }
    ranges
}

/// The PyPI `latest` types are aliases of the current version, v1.
fn alias(subtype: &str) -> &str {
    match subtype {
        "vnd.pypi.simple.latest+json" => "vnd.pypi.simple.v1+json",
        "vnd.pypi.simple.latest+html" => "vnd.pypi.simple.v1+html",
        other => other,
    }
}

/// The quality the client gives `media` (that of the most specific matching
/// range) and that range's specificity; `None` when no range matches.
fn quality(ranges: &[MediaRange], media: &str) -> Option<(f32, u8)> {
    let (kind, subtype) = media.split_once('/')?;
    let mut best: Option<(f32, u8)> = None;
    for range in ranges {
        let specificity = match (range.kind.as_str(), range.subtype.as_str()) {
            (k, s) if k == kind && s == subtype => 2,
            (k, "*") if k == kind => 1,
            ("*", "*") => 0,
            _ => continue,
        };
        if best.is_none_or(|(_, s)| specificity > s) {
            best = Some((range.q, specificity));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: (PageKind, &str) = (PageKind::Json, simple_json::CONTENT_TYPE);
    const HTML: (PageKind, &str) = (PageKind::Html, HTML_V1);
    const TEXT: (PageKind, &str) = (PageKind::Html, TEXT_HTML);

    #[test]
    fn pip_and_uv_accept_headers_get_json_when_offered() {
        let pip = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
        assert_eq!(negotiate(Format::Both, Some(pip), None), Some(JSON));
        assert_eq!(negotiate(Format::Html, Some(pip), None), Some(HTML));
        assert_eq!(negotiate(Format::Json, Some(pip), None), Some(JSON));
    }

    #[test]
    fn quality_values_decide() {
        let prefers_html = "application/vnd.pypi.simple.v1+json;q=0.5, text/html";
        assert_eq!(
            negotiate(Format::Both, Some(prefers_html), None),
            Some(TEXT)
        );
        assert_eq!(
            negotiate(Format::Both, Some("application/json"), None),
            None
        );
        assert_eq!(negotiate(Format::Json, Some("text/html"), None), None);
        assert_eq!(
            negotiate(Format::Both, Some("text/*, */*;q=0.1"), None),
            Some(TEXT)
        );
    }

    #[test]
    fn specific_ranges_override_wildcards() {
        let header = "*/*, application/vnd.pypi.simple.v1+json;q=0";
        assert_eq!(negotiate(Format::Both, Some(header), None), Some(TEXT));
        assert_eq!(negotiate(Format::Json, Some(header), None), None);
    }

    #[test]
    fn latest_aliases_and_query_parameter_work() {
        let latest = "application/vnd.pypi.simple.latest+json";
        assert_eq!(negotiate(Format::Both, Some(latest), None), Some(JSON));
        assert_eq!(
            negotiate(Format::Both, Some("text/html"), Some(latest)),
            Some(JSON)
        );
    }

    #[test]
    fn a_bare_wildcard_gets_html_and_named_ties_get_json() {
        assert_eq!(negotiate(Format::Both, Some("*/*"), None), Some(TEXT));
        assert_eq!(negotiate(Format::Json, Some("*/*"), None), Some(JSON));
        let both = "application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json";
        assert_eq!(negotiate(Format::Both, Some(both), None), Some(JSON));
        let named_html = "text/html, */*";
        assert_eq!(negotiate(Format::Both, Some(named_html), None), Some(TEXT));
        let named_json = "application/vnd.pypi.simple.v1+json, */*";
        assert_eq!(negotiate(Format::Both, Some(named_json), None), Some(JSON));
    }

    #[test]
    fn missing_accept_gets_html_if_offered() {
        assert_eq!(negotiate(Format::Both, None, None), Some(TEXT));
        assert_eq!(negotiate(Format::Json, None, None), Some(JSON));
        assert_eq!(negotiate(Format::Both, Some(""), None), Some(TEXT));
    }

    #[test]
    fn malformed_quality_is_ignored() {
        assert_eq!(negotiate(Format::Both, Some("text/html;q=abc"), None), None);
        assert_eq!(negotiate(Format::Both, Some("garbage"), None), None);
    }
}
