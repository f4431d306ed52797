//! How the test index answers one request.
//!
//! The order matters and mirrors a real index behind a flaky network:
//! first a fault rule may take over (an error status, a reset, a delay, a
//! lie about hashes, a cut-off body); then credentials are checked; then
//! the path is routed:
//!
//! - `/simple/` and `/simple/{name}/`: HTML or JSON by content negotiation
//!   (406 when neither is acceptable), with `Vary: Accept`. A name that is
//!   not normalized is redirected (301) to its normalized page, as PyPI does.
//! - `/files/{filename}`: the artifact, and `/files/{filename}.metadata`:
//!   its PEP 658 core metadata (404 when metadata files are off).
//! - `/links/`: a find-links page of every file.
//!
//! A 200 answer then gets its validators (`ETag`, `Last-Modified`) and may
//! become 304 for a matching condition; a file answer may then become 206
//! or 416 for a `Range` header.

use crate::catalog::Catalog;
use crate::conditional::{self, Validators};
use crate::fault::{self, Fault, FaultRule};
use crate::http1::{Request, Response};
use crate::index::Settings;
use crate::listing::Listing;
use crate::negotiation::{self, PageKind};
use crate::range::{self, RangeAnswer};
use crate::request_log::LoggedRequest;
use crate::{simple_html, simple_json};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use posy_vocab::PackageName;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Everything a running index knows: fixed switches, and the parts a test
/// may change while it runs.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) catalog: Mutex<Catalog>,
    pub(crate) faults: Mutex<Vec<FaultRule>>,
    pub(crate) log: Mutex<Vec<LoggedRequest>>,
    /// When the catalog last changed (seconds since the epoch), for `Last-Modified`.
    pub(crate) modified: Mutex<u64>,
}

impl Shared {
    /// Records that the catalog changed: `Last-Modified` moves forward by at
    /// least a second, so a client's `If-Modified-Since` no longer matches.
    pub(crate) fn touch(&self) {
        let mut modified = lock(&self.modified);
        *modified = (*modified + 1).max(now());
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Locks a mutex, carrying on after a panic elsewhere: the data it guards is
/// never left half-updated.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What to do on the connection.
pub(crate) enum Reply {
    /// Write this response.
    Send(Response),
    /// Write this response's head and half its body, then close.
    SendTruncated(Response),
    /// Close the connection with a reset, writing nothing.
    Reset,
}

/// Answers one request.
pub(crate) async fn respond(shared: &Shared, request: &Request) -> Reply {
    let path = request.path();
    let fault = fault::take(&mut lock(&shared.faults), &path);
    let mut wrong_hashes = false;
    match &fault {
        Some(Fault::Status(status)) => {
            return Reply::Send(Response::text(*status, "fault injected by posy-testkit"));
        }
        Some(Fault::RetryAfter { status, seconds }) => {
            let response = Response::text(*status, "fault injected by posy-testkit");
            return Reply::Send(response.with_header("Retry-After", seconds.to_string()));
        }
        Some(Fault::Reset) => return Reply::Reset,
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(Fault::WrongHash) => wrong_hashes = true,
        Some(Fault::Truncate) | None => {}
    }
    let response = answer(shared, request, &path, wrong_hashes);
    if fault == Some(Fault::Truncate) {
        Reply::SendTruncated(response)
    } else {
        Reply::Send(response)
    }
}

/// The answer of a healthy index.
fn answer(shared: &Shared, request: &Request, path: &str, wrong_hashes: bool) -> Response {
    let settings = &shared.settings;
    if let Some((user, password)) = &settings.basic_auth
        && !has_credentials(request, user, password)
    {
        return Response::text(401, "credentials required")
            .with_header("WWW-Authenticate", "Basic realm=\"posy-testkit\"");
    }
    if request.method != "GET" && request.method != "HEAD" {
        return Response::text(405, "only GET and HEAD are served")
            .with_header("Allow", "GET, HEAD");
    }
    let (response, is_file) = route(shared, request, path, wrong_hashes);
    if response.status != 200 {
        return response;
    }
    let validators = Validators {
        etag: settings.etag,
        last_modified: settings.last_modified.then(|| *lock(&shared.modified)),
    };
    let response = conditional::apply(request, response, validators);
    if is_file && response.status == 200 && settings.range_requests {
        apply_range(request, response.with_header("Accept-Ranges", "bytes"))
    } else {
        response
    }
}

/// Whether the request carries `Authorization: Basic` with these credentials.
fn has_credentials(request: &Request, user: &str, password: &str) -> bool {
    let Some((scheme, token)) = request
        .header("authorization")
        .and_then(|v| v.split_once(' '))
    else {
        return false;
    };
    let Ok(decoded) = STANDARD.decode(token.trim()) else {
        return false;
    };
    scheme.eq_ignore_ascii_case("basic") && decoded == format!("{user}:{password}").as_bytes()
}

/// Routes a request; the flag says whether the answer is a file (which
/// ranges apply to).
fn route(shared: &Shared, request: &Request, path: &str, wrong_hashes: bool) -> (Response, bool) {
    let not_found = || Response::text(404, &format!("{path} is not on this index"));
    let catalog = lock(&shared.catalog);
    if path == "/simple" {
        return (redirect("/simple/"), false);
    }
    if path == "/simple/" {
        return (
            page(
                shared,
                request,
                Page::Root(&catalog.project_names()),
                wrong_hashes,
            ),
            false,
        );
    }
    if let Some(rest) = path.strip_prefix("/simple/") {
        let (segment, slash) = match rest.strip_suffix('/') {
            Some(segment) => (segment, true),
            None => (rest, false),
        };
        if segment.contains('/') {
            return (not_found(), false);
        }
        let Ok(name) = PackageName::new(segment) else {
            return (not_found(), false);
        };
        if !slash || name.as_str() != segment {
            return (redirect(&simple_html::project_path(&name)), false);
        }
        let Some(files) = catalog.project(&name) else {
            return (not_found(), false);
        };
        return (
            page(shared, request, Page::Project(&name, &files), wrong_hashes),
            false,
        );
    }
    if path == "/links/" {
        return (
            page(shared, request, Page::Links(&catalog.all()), wrong_hashes),
            false,
        );
    }
    if let Some(filename) = path.strip_prefix("/files/") {
        let body = if let Some(artifact) = catalog.file(filename) {
            Some(artifact.shared_bytes())
        } else if let Some(base) = filename.strip_suffix(".metadata")
            && shared.settings.metadata_files
        {
            catalog
                .file(base)
                .and_then(|artifact| artifact.shared_metadata())
        } else {
            None
        };
        let Some(mut body) = body else {
            return (not_found(), false);
        };
        if wrong_hashes && let Some(last) = body.len().checked_sub(1) {
            let mut changed = body.to_vec();
            changed[last] ^= 0xff;
            body = Arc::from(changed);
        }
        return (Response::new(200, "application/octet-stream", body), true);
    }
    (not_found(), false)
}

fn redirect(location: &str) -> Response {
    Response::text(301, &format!("see {location}")).with_header("Location", location)
}

/// Which simple page to render.
enum Page<'a> {
    Root(&'a [&'a PackageName]),
    Project(&'a PackageName, &'a [&'a crate::Artifact]),
    Links(&'a [&'a crate::Artifact]),
}

fn page(shared: &Shared, request: &Request, page: Page<'_>, wrong_hashes: bool) -> Response {
    let settings = &shared.settings;
    let query_format = request.query_param("format");
    let Some((kind, content_type)) = negotiation::negotiate(
        settings.format,
        request.header("accept"),
        query_format.as_deref(),
    ) else {
        return Response::text(406, "none of the accepted media types is served here")
            .with_header("Vary", "Accept");
    };
    let listing = Listing {
        href_prefix: "/files/",
        metadata_files: settings.metadata_files,
        upload_times: settings.upload_times,
        wrong_hashes,
    };
    let body = match (page, kind) {
        (Page::Root(names), PageKind::Html) => simple_html::root_page(names),
        (Page::Root(names), PageKind::Json) => simple_json::root_page(names),
        (Page::Project(name, files), PageKind::Html) => {
            simple_html::links_page(&format!("Links for {name}"), files, &listing)
        }
        (Page::Project(name, files), PageKind::Json) => {
            simple_json::project_page(name, files, &listing)
        }
        // A find-links page is HTML whatever the client prefers.
        (Page::Links(files), _) => simple_html::links_page("Links", files, &listing),
    };
    let mut response =
        Response::new(200, content_type, body.into_bytes()).with_header("Vary", "Accept");
    if let Some(cache_control) = &settings.cache_control {
        response = response.with_header("Cache-Control", cache_control.clone());
    }
    response
}

/// Answers a `Range` header on a file: 206 with `Content-Range`, or 416.
fn apply_range(request: &Request, mut response: Response) -> Response {
    let len = response.body.len();
    match range::answer(request.header("range"), len) {
        RangeAnswer::Full => response,
        RangeAnswer::Partial(bytes) => {
            let content_range = format!("bytes {}-{}/{len}", bytes.start, bytes.end - 1);
            response.status = 206;
            response.range = bytes;
            response.with_header("Content-Range", content_range)
        }
        RangeAnswer::Unsatisfiable => Response::text(416, "range not satisfiable")
            .with_header("Content-Range", format!("bytes */{len}"))
            .with_header("Accept-Ranges", "bytes"),
    }
}
