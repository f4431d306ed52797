//! Simple repository pages in HTML (PEP 503, with PEP 592, 629, 658 and 714).
//!
//! A project page is a list of anchors, one per file: the `href` ends in
//! `#sha256=<hex>`, and the attributes carry `data-requires-python`
//! (HTML-escaped, since specifiers contain `<` and `>`), `data-yanked` (the
//! reason, possibly empty), and, when metadata files are served, both
//! `data-dist-info-metadata` (PEP 658, what older clients read) and
//! `data-core-metadata` (PEP 714) as `sha256=<hex>`. The page declares
//! repository version 1.1 (PEP 629/700). A find-links page is the same
//! anchor list.

use crate::Artifact;
use crate::listing::{Listing, url_encode};
use posy_vocab::PackageName;
use std::fmt::Write;

/// The `/simple/` page: one link per project.
pub(crate) fn root_page(names: &[&PackageName]) -> String {
    let mut body = String::new();
    for name in names {
        let name = escape(name.as_str());
        let _ = writeln!(body, "    <a href=\"/simple/{name}/\">{name}</a><br/>");
    }
    document("Simple index", &body)
}

/// A page of links to files: a project page, or a find-links page.
pub(crate) fn links_page(title: &str, files: &[&Artifact], listing: &Listing) -> String {
    let mut body = format!("    <h1>{}</h1>\n", escape(title));
    for artifact in files {
        let _ = writeln!(body, "    {}<br/>", anchor(artifact, listing));
    }
    document(title, &body)
}

fn anchor(artifact: &Artifact, listing: &Listing) -> String {
    let href = format!(
        "{}#sha256={}",
        listing.url(artifact),
        listing.sha256(artifact)
    );
    let mut out = format!("<a href=\"{}\"", escape(&href));
    if let Some(requires_python) = artifact.requires_python() {
        let _ = write!(out, " data-requires-python=\"{}\"", escape(requires_python));
    }
    if let Some(hash) = listing.metadata_sha256(artifact) {
        let _ = write!(
            out,
            " data-dist-info-metadata=\"sha256={hash}\" data-core-metadata=\"sha256={hash}\""
        );
    }
    if let Some(reason) = artifact.yanked() {
        let _ = write!(out, " data-yanked=\"{}\"", escape(reason));
    }
    let _ = write!(out, ">{}</a>", escape(artifact.filename()));
    out
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    \
         <title>{}</title>\n  </head>\n  <body>\n{body}  </body>\n</html>\n",
        escape(title)
    )
}

/// Escapes text for an HTML attribute value or element content.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// The `/simple/{name}/` URL path of a project.
pub(crate) fn project_path(name: &PackageName) -> String {
    format!("/simple/{}/", url_encode(name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Listing<'static> {
        Listing {
            href_prefix: "/files/",
            metadata_files: true,
            upload_times: true,
            wrong_hashes: false,
        }
    }

    #[test]
    fn anchors_carry_every_attribute() {
        let artifact = Artifact::raw("a", "1.0", "a-1.0-py3-none-any.whl", "x")
            .unwrap()
            .with_metadata("m")
            .with_requires_python(">=3.8, <4")
            .with_yanked("bad \"release\"");
        let page = links_page("Links for a", &[&artifact], &listing());
        let expected = format!(
            "<a href=\"/files/a-1.0-py3-none-any.whl#sha256={}\" data-requires-python=\"&gt;=3.8, &lt;4\" \
             data-dist-info-metadata=\"sha256={m}\" data-core-metadata=\"sha256={m}\" \
             data-yanked=\"bad &quot;release&quot;\">a-1.0-py3-none-any.whl</a><br/>",
            artifact.sha256(),
            m = artifact.metadata_sha256().unwrap()
        );
        assert!(page.contains(&expected), "{page}");
        assert!(page.contains("<meta name=\"pypi:repository-version\" content=\"1.1\">"));
    }

    #[test]
    fn metadata_attributes_follow_the_switch() {
        let artifact = Artifact::raw("a", "1.0", "a-1.0-py3-none-any.whl", "x")
            .unwrap()
            .with_metadata("m");
        let off = Listing {
            metadata_files: false,
            ..listing()
        };
        let page = links_page("Links for a", &[&artifact], &off);
        assert!(!page.contains("data-core-metadata"), "{page}");
        assert!(!page.contains("data-yanked"), "{page}");
    }

    #[test]
    fn root_page_links_each_project() {
        let a = PackageName::new("a").unwrap();
        let page = root_page(&[&a]);
        assert!(page.contains("<a href=\"/simple/a/\">a</a>"), "{page}");
    }
}
