//! The dashboard: a page at `/` over the service's own API, its files (`aegis-server/dashboard/`)
//! embedded in the binary, so it works offline and needs nothing to build. It signs in with an
//! organisation's API key, kept in the browser tab and sent as the `Authorization` header, so
//! every view is that organisation's and no cookie exists for a cross-site request to ride on.
//! Every answer carries a Content-Security-Policy that allows scripts and styles from this
//! server's files only: no inline script, no other origin.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// The dashboard's files.
#[derive(RustEmbed)]
#[folder = "dashboard/"]
struct Files;

/// What every dashboard answer says about what the page may load and do.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

fn file(path: &str) -> Response {
    let Some(f) = Files::get(path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let kind = match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    let mut r = (StatusCode::OK, f.data.into_owned()).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// `GET /`: the dashboard's page.
pub(crate) async fn index() -> Response {
    file("index.html")
}

/// `GET /assets/{file}`: its script and style.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    // Only the dashboard's own top-level files: no path walks anywhere else.
    if name.contains('/') || name.contains("..") || name == "index.html" {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    file(&name)
}
