//! The API's routes: each handler parses its request, calls the service on a blocking thread
//! with the caller's organisation, and renders JSON.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use aegis_app::service::{Guarded, IngestReceipt};
use aegis_app::store::Selection;
use aegis_core::{Severity, Verdict};
use aegis_store::{StoredRow, StoredTrace};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Body, Query};
use crate::live::{self, LiveFilter};
use crate::{AppState, ServerConfig};

/// Every route, with the body limit and request timeout of `config`, and the OpenAPI
/// document the routes' annotations describe (served at `/v1/openapi.json`).
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let (api, doc) = api();
    let doc = Arc::new(doc.to_pretty_json().unwrap_or_default());
    api.route(
        "/v1/openapi.json",
        get(move || {
            let doc = Arc::clone(&doc);
            async move { ([(header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
        }),
    )
    .route("/", get(crate::dashboard::index))
    .route("/assets/{name}", get(crate::dashboard::asset))
    // The body limit is checked again after decompression (`decoded`).
    .fallback(|| async { ApiError::not_found("no such route (see /v1/openapi.json)") })
    .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
    .layer(DefaultBodyLimit::max(config.body_limit))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.request_timeout,
    ))
    .with_state(state)
}

/// The routes and the OpenAPI document generated from their handlers.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(ingest, list_traces))
        .routes(routes!(crate::otlp::otlp_traces))
        .routes(routes!(search_traces))
        .routes(routes!(bulk_delete))
        .routes(routes!(get_trace, delete_trace))
        .routes(routes!(similar_traces))
        .routes(routes!(audit_trail))
        .routes(routes!(replay_trace))
        .routes(routes!(evaluate))
        .routes(routes!(overview))
        .routes(routes!(list_domains))
        .routes(routes!(rl_episodes))
        .routes(routes!(summary))
        .routes(routes!(timeseries))
        .routes(routes!(issues))
        .routes(routes!(cost))
        .routes(routes!(models))
        .routes(routes!(alerts))
        .routes(routes!(crate::alerts::list_alerts))
        .routes(routes!(crate::alerts::get_alert))
        .routes(routes!(crate::alerts::alert_rules))
        .routes(routes!(review_tasks))
        .routes(routes!(dead_letters))
        .routes(routes!(add_label))
        .routes(routes!(live_feed))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .split_for_parts()
}

/// Runs `f` on a blocking thread (the store and the tiers are synchronous).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("a worker thread failed: {e}")))?
}

/// The request body, decompressed when `Content-Encoding: gzip`, never larger than `limit`.
pub(crate) fn decoded(headers: &HeaderMap, body: Bytes, limit: usize) -> Result<Bytes, ApiError> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(body),
        Some("gzip") | Some("x-gzip") => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&body[..])
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| {
                    ApiError::bad_request("Content-Encoding", "the body is not valid gzip")
                })?;
            if out.len() > limit {
                return Err(ApiError::too_large(limit));
            }
            Ok(Bytes::from(out))
        }
        Some(_) => Err(ApiError::bad_request(
            "Content-Encoding",
            "only gzip and identity are accepted",
        )),
    }
}

/// Query parameters of the ingest and evaluate routes.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DomainParam {
    /// Evaluate every trace with this domain (else each trace's `metadata.domain`).
    pub domain: Option<String>,
}

/// `POST /v1/traces`: one trace, a JSON array or JSONL (gzip too). `202` with each trace's
/// key once queued durably; lines that are not traces are listed by number, and the rest are
/// accepted. `400` when no line was accepted.
#[utoipa::path(post, path = "/v1/traces", tag = "ingest",
    params(DomainParam),
    request_body(content = String, description = "One trace (JSON), a JSON array of traces, or JSONL; `Content-Encoding: gzip` accepted.", content_type = "application/x-ndjson"),
    responses(
        (status = 202, description = "Queued durably: each trace's key, and the lines that were not traces", content_type = "application/json"),
        (status = 400, description = "No line was a trace"),
        (status = 401, description = "No valid API key"),
        (status = 413, description = "The body (or its decompressed size) is over the limit"),
        (status = 429, description = "The organisation's rate limit; see Retry-After"),
    ),
    security(("bearer" = [])))]
async fn ingest(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<DomainParam>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<(StatusCode, Json<IngestReceipt>), ApiError> {
    if state.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::unavailable("the server is shutting down"));
    }
    let body = decoded(&headers, body, state.body_limit)?;
    let service = Arc::clone(&state.service);
    let receipt =
        blocking(move || Ok(service.ingest(&org, &body, params.domain.as_deref())?)).await?;
    state.metrics.count_ingested(&receipt.accepted);
    state.metrics.rejected.inc_by(receipt.rejected.len() as u64);
    if receipt.accepted.is_empty() && receipt.rejected.is_empty() {
        return Err(ApiError::bad_request("body", "the body holds no trace"));
    }
    let status = if receipt.accepted.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(receipt)))
}

/// `POST /v1/evaluate`: one trace, evaluated in the request; the result and the decision
/// (`allow`, `block`, `redact` with the sanitised text, `review`).
#[utoipa::path(post, path = "/v1/evaluate", tag = "evaluate",
    params(DomainParam),
    request_body(content = String, description = "One trace (JSON).", content_type = "application/json"),
    responses(
        (status = 200, description = "The result and the decision: allow, block, redact (with the sanitised text) or review", content_type = "application/json"),
        (status = 400, description = "The body is not one trace"),
        (status = 401, description = "No valid API key"),
    ),
    security(("bearer" = [])))]
async fn evaluate(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<DomainParam>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<Guarded>, ApiError> {
    let body = decoded(&headers, body, state.body_limit)?;
    let service = Arc::clone(&state.service);
    let answer =
        blocking(move || Ok(service.evaluate_now(&org, &body, params.domain.as_deref())?)).await?;
    match answer {
        Ok(guarded) => Ok(Json(guarded)),
        Err(rejected) => Err(ApiError::bad_request("body", rejected.error)),
    }
}

/// Filters of the explorer's routes.
#[derive(Debug, Deserialize, Default, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this domain.
    pub domain: Option<String>,
    /// Only this verdict (`pass`, `fail`, `needs_review`, `error`).
    pub verdict: Option<String>,
    /// Only results with an issue at or above this severity.
    pub severity: Option<String>,
    /// Only this application (`metadata.application`).
    pub application: Option<String>,
    /// Only traces of this model (the trace's `model`).
    pub model: Option<String>,
    /// Only results with an issue raised by this validator.
    pub validator: Option<String>,
    /// Only traces carrying this tag (`metadata.tags`).
    pub tag: Option<String>,
    /// The page after this cursor (a list's `next_cursor`).
    pub cursor: Option<String>,
    /// Evaluated at or after (`2026-11-01`, `2026-11-01T12:00:00Z`, or `24h`).
    pub since: Option<String>,
    /// Evaluated before.
    pub until: Option<String>,
    /// At most this many (default 100, at most 1,000).
    pub limit: Option<usize>,
}

fn verdict_named(s: &str) -> Option<Verdict> {
    Some(match s {
        "pass" => Verdict::Pass,
        "fail" => Verdict::Fail,
        "needs_review" => Verdict::NeedsReview,
        "error" => Verdict::Error,
        _ => return None,
    })
}

impl ListParams {
    fn selection(&self) -> Result<Selection, ApiError> {
        let verdict = self
            .verdict
            .as_deref()
            .map(|v| {
                verdict_named(v).ok_or_else(|| {
                    ApiError::bad_request("verdict", "pass, fail, needs_review or error")
                })
            })
            .transpose()?;
        let min_severity: Option<Severity> = self
            .severity
            .as_deref()
            .map(|s| {
                aegis_app::review::severity_named(s).ok_or_else(|| {
                    ApiError::bad_request("severity", "info, low, medium, high or critical")
                })
            })
            .transpose()?;
        let limit = self.limit.unwrap_or(100);
        if limit == 0 || limit > 1000 {
            return Err(ApiError::bad_request("limit", "from 1 to 1000"));
        }
        let after = self.cursor.as_deref().map(decode_cursor).transpose()?;
        let selection = Selection {
            domain: self.domain.clone(),
            verdict,
            min_severity,
            application: self.application.clone(),
            model: self.model.clone(),
            validator: self.validator.clone(),
            tag: self.tag.clone(),
            after,
            since: self.since.clone(),
            until: self.until.clone(),
            limit: Some(limit),
        };
        selection.filter().map_err(|e| {
            let field = if e.to_string().contains("until") {
                "until"
            } else {
                "since"
            };
            ApiError::bad_request(field, e.to_string())
        })?;
        Ok(selection)
    }
}

/// A cursor as the API hands it out: the time, a dot, and the key in hex (opaque to callers).
fn encode_cursor(c: &aegis_store::Cursor) -> String {
    let hex: String = c.key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{}.{hex}", c.evaluated_at_ms)
}

fn decode_cursor(s: &str) -> Result<aegis_store::Cursor, ApiError> {
    let bad = || ApiError::bad_request("cursor", "not a cursor this API handed out");
    let (ms, hex) = s.split_once('.').ok_or_else(bad)?;
    if hex.len() % 2 != 0 || hex.len() > 4096 {
        return Err(bad());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| bad())?;
    Ok(aegis_store::Cursor {
        evaluated_at_ms: ms.parse().map_err(|_| bad())?,
        key: String::from_utf8(bytes).map_err(|_| bad())?,
    })
}

/// A stored result as the API shows it.
#[derive(Debug, Serialize)]
pub struct TraceView {
    /// Its key.
    pub key: String,
    /// When it was evaluated (ms since the epoch).
    pub evaluated_at_ms: i64,
    /// The result.
    pub result: aegis_core::EvaluationResult,
    /// The sanitised trace.
    pub trace: Option<StoredTrace>,
}

impl From<StoredRow> for TraceView {
    fn from(r: StoredRow) -> TraceView {
        TraceView {
            key: r.key,
            evaluated_at_ms: r.evaluated_at_ms,
            result: r.result,
            trace: r.trace,
        }
    }
}

/// A page of results.
#[derive(Debug, Serialize)]
pub struct Page {
    /// The results, newest first.
    pub items: Vec<TraceView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /v1/traces`: stored results that match the filters, newest first.
#[utoipa::path(get, path = "/v1/traces", tag = "explorer",
    params(ListParams),
    responses(
        (status = 200, description = "Stored results, newest first, and `next_cursor` when there are more", content_type = "application/json"),
        (status = 400, description = "A filter is not valid (the `field` says which)"),
    ),
    security(("bearer" = [])))]
async fn list_traces(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page>, ApiError> {
    let mut selection = params.selection()?;
    let limit = selection.limit.unwrap_or(100);
    // One more than a page: whether there is a next page.
    selection.limit = Some(limit + 1);
    let service = Arc::clone(&state.service);
    let mut rows =
        blocking(
            move || Ok(service.with_results(&org, |s| aegis_app::store::list(s, &selection))?),
        )
        .await?;
    let next_cursor = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        rows.last()
            .map(|r| encode_cursor(&aegis_store::Cursor::of(r)))
            .unwrap_or_default()
    });
    Ok(Json(Page {
        items: rows.into_iter().map(TraceView::from).collect(),
        next_cursor,
    }))
}

/// `GET /v1/traces/{id}`: one stored result, by trace id or key.
#[utoipa::path(get, path = "/v1/traces/{id}", tag = "explorer",
    params(("id" = String, Path, description = "Trace id or record key")),
    responses((status = 200, description = "The stored result and its sanitised trace", content_type = "application/json"), (status = 404, description = "Not stored for this organisation")),
    security(("bearer" = [])))]
async fn get_trace(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<String>,
) -> Result<Json<TraceView>, ApiError> {
    let service = Arc::clone(&state.service);
    let row = blocking(move || Ok(find_row(&service, &org, &id)?)).await?;
    row.map(|r| Json(TraceView::from(r)))
        .ok_or_else(|| ApiError::not_found("no stored result with that trace id or key"))
}

/// `GET /v1/traces/{id}/audit`: every result written for a trace, oldest first, with what
/// made it (spec hash and versions, model versions, judge calls' prompt hashes, the result's
/// SHA-256): hashes and versions, never text.
#[utoipa::path(get, path = "/v1/traces/{id}/audit", tag = "explorer",
    params(("id" = String, Path, description = "Trace id or record key")),
    responses((status = 200, description = "The audit trail, oldest first", content_type = "application/json"), (status = 404, description = "Not stored for this organisation")),
    security(("bearer" = [])))]
async fn audit_trail(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let service = Arc::clone(&state.service);
    let trail = blocking(move || {
        let Some(row) = find_row(&service, &org, &id)? else {
            return Ok(None);
        };
        Ok(Some(service.audit_trail(&org, &row.key)?))
    })
    .await?
    .ok_or_else(|| ApiError::not_found("no stored result with that trace id or key"))?;
    Ok(Json(serde_json::json!({ "entries": trail })))
}

/// Body of a replay.
#[derive(Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ReplayRequest {
    /// Store the new result in place of the old one (the audit trail keeps both). Default:
    /// only look.
    #[serde(default)]
    pub save: bool,
}

/// `POST /v1/traces/{id}/replay`: the stored trace evaluated again with today's domain and
/// tiers: the stored result, the new one, and what changed.
#[utoipa::path(post, path = "/v1/traces/{id}/replay", tag = "explorer",
    params(("id" = String, Path, description = "Trace id or record key")),
    request_body(content = ReplayRequest, description = "Optional; `{}` looks without storing"),
    responses((status = 200, description = "The stored result, the new one, and what changed", content_type = "application/json"), (status = 404, description = "Not stored for this organisation")),
    security(("bearer" = [])))]
async fn replay_trace(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<String>,
    Body(body): Body,
) -> Result<Json<aegis_app::replay::Replay>, ApiError> {
    let request: ReplayRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ReplayRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request("body", aegis_core::redact_quoted(&e.to_string())))?
    };
    let service = Arc::clone(&state.service);
    blocking(move || {
        let Some(row) = find_row(&service, &org, &id)? else {
            return Ok(None);
        };
        Ok(Some(service.replay(&org, &row.key, request.save)?))
    })
    .await?
    .map(Json)
    .ok_or_else(|| ApiError::not_found("no stored result with that trace id or key"))
}

/// The stored result a caller names: by key, by the trace id it sent (also as Tier 0 rewrote
/// an id that looked like an identifier), or by the id as stored.
fn find_row(
    service: &aegis_app::service::Service,
    org: &aegis_store::OrgId,
    id: &str,
) -> Result<Option<StoredRow>, aegis_app::AppError> {
    for candidate in service.lookup_ids(org, id)? {
        if let Some(row) = service.with_results(org, |s| Ok(s.get(&candidate)?))? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Query of the similar route.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// At most this many (default 10, at most 100).
    pub limit: Option<usize>,
}

/// `GET /v1/traces/{id}/similar`: the stored results whose text is most like this one's.
#[utoipa::path(get, path = "/v1/traces/{id}/similar", tag = "explorer",
    params(("id" = String, Path, description = "Trace id or record key"), SimilarParams),
    responses((status = 200, description = "Results whose text is most like this one's", content_type = "application/json"), (status = 404, description = "Not stored for this organisation")),
    security(("bearer" = [])))]
async fn similar_traces(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<String>,
    Query(params): Query<SimilarParams>,
) -> Result<Json<Page>, ApiError> {
    let limit = params.limit.unwrap_or(10);
    if limit == 0 || limit > 100 {
        return Err(ApiError::bad_request("limit", "from 1 to 100"));
    }
    let service = Arc::clone(&state.service);
    let rows = blocking(move || {
        let Some(row) = find_row(&service, &org, &id)? else {
            return Ok(None);
        };
        service
            .with_results(&org, |s| {
                aegis_app::store::similar(s, &row.key, limit).map(Some)
            })
            .map_err(ApiError::from)
    })
    .await?
    .ok_or_else(|| ApiError::not_found("no stored result with that trace id or key"))?;
    Ok(Json(Page {
        items: rows.into_iter().map(TraceView::from).collect(),
        next_cursor: None,
    }))
}

/// `DELETE /v1/traces/{id}`: deletes one trace: its stored result, and its version waiting in
/// the queue (a trace accepted but not evaluated yet is not stored afterwards).
#[utoipa::path(delete, path = "/v1/traces/{id}", tag = "explorer",
    params(("id" = String, Path, description = "Trace id or record key")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "Neither stored nor queued for this organisation")),
    security(("bearer" = [])))]
async fn delete_trace(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let service = Arc::clone(&state.service);
    // The stored result and the version waiting in the queue, if any.
    let n = blocking(move || Ok(service.delete(&org, &[id])?)).await?;
    if n == 0 {
        return Err(ApiError::not_found(
            "no stored or queued trace with that trace id or key",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The body of a bulk delete.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkDelete {
    /// Keys or trace ids to delete.
    #[serde(default)]
    pub ids: Vec<String>,
}

/// How many were deleted.
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// The count.
    pub deleted: usize,
}

/// `POST /v1/traces/bulk-delete`: deletes the traces named by `ids` (stored results and queued
/// versions), counting each trace once.
#[utoipa::path(post, path = "/v1/traces/bulk-delete", tag = "explorer",
    request_body = BulkDelete,
    responses((status = 200, description = "How many were deleted", content_type = "application/json")),
    security(("bearer" = [])))]
async fn bulk_delete(
    State(state): State<AppState>,
    Caller(org): Caller,
    Body(body): Body,
) -> Result<Json<Deleted>, ApiError> {
    let req: BulkDelete = parse_json(&body)?;
    if req.ids.len() > 10_000 {
        return Err(ApiError::bad_request("ids", "at most 10,000 ids a request"));
    }
    let service = Arc::clone(&state.service);
    let deleted = blocking(move || Ok(service.delete(&org, &req.ids)?)).await?;
    Ok(Json(Deleted { deleted }))
}

/// A JSON body, or a `400` naming the field serde found wrong.
fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = aegis_core::redact_quoted(&e.inner().to_string());
        let field: &'static str = if path == "." {
            "body"
        } else {
            leak_field(&path)
        };
        ApiError::bad_request(field, format!("{path}: {message}"))
    })
}

/// Field names of a bad body come from our own types' paths, a handful of short strings.
fn leak_field(path: &str) -> &'static str {
    match path.split(['.', '[']).next().unwrap_or("") {
        "ids" => "ids",
        "query" => "query",
        "key" => "key",
        "verdict" => "verdict",
        "severity" => "severity",
        "notes" => "notes",
        "reviewer" => "reviewer",
        _ => "body",
    }
}

/// The body of a search.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SearchRequest {
    /// The full-text query (FTS5: words, "a phrase", AND, OR, NOT, prefix*).
    pub query: String,
    /// At most this many (default 100).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Only this domain.
    #[serde(default)]
    pub domain: Option<String>,
}

/// `POST /v1/traces/search`: full-text search over the sanitised text, best match first.
#[utoipa::path(post, path = "/v1/traces/search", tag = "explorer",
    request_body = SearchRequest,
    responses((status = 200, description = "Results whose sanitised text matches, best first", content_type = "application/json"), (status = 400, description = "The query is not valid FTS5")),
    security(("bearer" = [])))]
async fn search_traces(
    State(state): State<AppState>,
    Caller(org): Caller,
    Body(body): Body,
) -> Result<Json<Page>, ApiError> {
    let req: SearchRequest = parse_json(&body)?;
    let selection = ListParams {
        domain: req.domain.clone(),
        limit: req.limit,
        ..ListParams::default()
    }
    .selection()?;
    let service = Arc::clone(&state.service);
    let rows = blocking(move || {
        service
            .with_results(&org, |s| {
                aegis_app::store::search(s, &req.query, &selection)
            })
            .map_err(|e| ApiError::bad_request("query", e.to_string()))
    })
    .await?;
    Ok(Json(Page {
        items: rows.into_iter().map(TraceView::from).collect(),
        next_cursor: None,
    }))
}

/// The analytics a route shows, all computed in the store over the selection.
#[derive(Debug, Clone, Copy)]
enum Analytics {
    Overview,
    Summary,
    Timeseries,
    Issues,
    Cost,
    Models,
}

async fn analytics(
    state: AppState,
    org: aegis_store::OrgId,
    params: ListParams,
    what: Analytics,
) -> Result<Response, ApiError> {
    let mut selection = params.selection()?;
    selection.limit = None;
    let service = Arc::clone(&state.service);
    let report = blocking(move || {
        Ok(service.with_results(&org, |s| aegis_app::report::report(s, &selection))?)
    })
    .await?;
    let body = match what {
        // Every view below from one computation: what the dashboard's overview shows.
        Analytics::Overview => serde_json::json!({
            "overall": report.overall,
            "decided_by": report.decided_by,
            "latency_ms_p50": report.latency_ms_p50,
            "latency_ms_p95": report.latency_ms_p95,
            "by_domain": report.by_domain,
            "by_application": report.by_application,
            "by_model": report.by_model,
            "labelled": report.labelled,
            "bucket": report.bucket,
            "points": report.time_series.iter().map(|(t, c)| serde_json::json!({"start": t, "counts": c})).collect::<Vec<_>>(),
            "issues": report.top_issues,
            "cost_by_tier": report.cost_by_tier,
            "total_usd": report.overall.cost_usd,
            "agreement": report.agreement,
            "calibration": report.calibration,
        }),
        Analytics::Summary => serde_json::json!({
            "overall": report.overall,
            "decided_by": report.decided_by,
            "latency_ms_p50": report.latency_ms_p50,
            "latency_ms_p95": report.latency_ms_p95,
            "by_domain": report.by_domain,
            "by_application": report.by_application,
            "labelled": report.labelled,
        }),
        Analytics::Timeseries => serde_json::json!({
            "bucket": report.bucket,
            "points": report.time_series.iter().map(|(t, c)| serde_json::json!({"start": t, "counts": c})).collect::<Vec<_>>(),
        }),
        Analytics::Issues => serde_json::json!({ "issues": report.top_issues }),
        Analytics::Cost => serde_json::json!({
            "cost_by_tier": report.cost_by_tier,
            "total_usd": report.overall.cost_usd,
        }),
        Analytics::Models => serde_json::json!({
            "by_model": report.by_model,
            "agreement": report.agreement,
            "calibration": report.calibration,
            "labelled": report.labelled,
        }),
    };
    Ok(Json(body).into_response())
}

/// `GET /v1/analytics/summary`: counts by verdict, deciding tier, domain and application;
/// latency percentiles.
#[utoipa::path(get, path = "/v1/analytics/summary", tag = "analytics", params(ListParams),
    responses((status = 200, description = "Counts by verdict, deciding tier, domain and application; latency percentiles", content_type = "application/json")),
    security(("bearer" = [])))]
async fn summary(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Summary).await
}

/// `GET /v1/analytics/timeseries`: counts per day (or hour) by verdict.
#[utoipa::path(get, path = "/v1/analytics/timeseries", tag = "analytics", params(ListParams),
    responses((status = 200, description = "Counts per day or hour", content_type = "application/json")),
    security(("bearer" = [])))]
async fn timeseries(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Timeseries).await
}

/// `GET /v1/analytics/issues`: the validators that raised issues, most first.
#[utoipa::path(get, path = "/v1/analytics/issues", tag = "analytics", params(ListParams),
    responses((status = 200, description = "Validators by issues raised", content_type = "application/json")),
    security(("bearer" = [])))]
async fn issues(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Issues).await
}

/// `GET /v1/analytics/cost`: money spent per tier.
#[utoipa::path(get, path = "/v1/analytics/cost", tag = "analytics", params(ListParams),
    responses((status = 200, description = "Money spent per tier", content_type = "application/json")),
    security(("bearer" = [])))]
async fn cost(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Cost).await
}

/// Query of the RL view.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RlParams {
    /// The domain whose episodes to show.
    pub domain: String,
    /// The latest this many episodes (default 1,000, at most 10,000).
    pub limit: Option<usize>,
}

/// `GET /v1/analytics/rl`: a domain's stored RL episodes, oldest first — each one's return and
/// constraint cost — with the returns' interquartile mean and its 95 % bootstrap interval, the
/// trend, and the spec's cost budget.
#[utoipa::path(get, path = "/v1/analytics/rl", tag = "analytics", params(RlParams),
    responses((status = 200, description = "Episodes with return and cost; IQM and interval; cost budget", content_type = "application/json"),
        (status = 400, description = "An unknown domain, or a limit out of range")),
    security(("bearer" = [])))]
async fn rl_episodes(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<RlParams>,
) -> Result<Json<aegis_app::rl_view::RlView>, ApiError> {
    let limit = params.limit.unwrap_or(1000);
    if limit == 0 || limit > 10_000 {
        return Err(ApiError::bad_request("limit", "from 1 to 10000"));
    }
    if aegis_app::find_domain(state.service.domains(), &params.domain).is_err() {
        return Err(ApiError::bad_request(
            "domain",
            "not a domain this server evaluates",
        ));
    }
    let service = Arc::clone(&state.service);
    let view = blocking(move || Ok(service.rl_view(&org, &params.domain, limit)?)).await?;
    Ok(Json(view))
}

/// `GET /v1/domains`: the domains this server evaluates, with their versions and spec hashes.
#[utoipa::path(get, path = "/v1/domains", tag = "explorer",
    responses((status = 200, description = "The domains served: name, version, spec hash, description", content_type = "application/json")),
    security(("bearer" = [])))]
async fn list_domains(
    State(state): State<AppState>,
    Caller(_org): Caller,
) -> Json<serde_json::Value> {
    let list: Vec<serde_json::Value> = state
        .service
        .domains()
        .iter()
        .map(|d| {
            let i = d.info();
            serde_json::json!({"name": i.name, "version": i.version, "spec_hash": i.spec_hash, "description": i.description, "rl": i.rl.is_some() || !i.simulators.is_empty()})
        })
        .collect();
    Json(serde_json::json!({ "domains": list }))
}

/// `GET /v1/analytics/overview`: summary, time series, issues, cost and models in one answer,
/// computed once (what a dashboard's overview shows).
#[utoipa::path(get, path = "/v1/analytics/overview", tag = "analytics", params(ListParams),
    responses((status = 200, description = "The summary, time series, issues, cost and models of /v1/analytics/*, in one object", content_type = "application/json")),
    security(("bearer" = [])))]
async fn overview(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Overview).await
}

/// `GET /v1/analytics/models`: counts per traced model, and agreement of the machine tiers
/// with expert labels (Cohen's kappa), with Tier-2 calibration.
#[utoipa::path(get, path = "/v1/analytics/models", tag = "analytics", params(ListParams),
    responses((status = 200, description = "Counts per traced model; agreement with expert labels; Tier-2 calibration", content_type = "application/json")),
    security(("bearer" = [])))]
async fn models(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    analytics(state, org, params, Analytics::Models).await
}

/// Query of the alerts view.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsParams {
    /// Findings at or above this severity (default `high`).
    pub severity: Option<String>,
    /// Only this domain.
    pub domain: Option<String>,
    /// Evaluated at or after (default: the last 24 hours).
    pub since: Option<String>,
    /// Evaluated before.
    pub until: Option<String>,
}

#[utoipa::path(get, path = "/v1/analytics/alerts", tag = "analytics", params(AlertsParams),
    responses((status = 200, description = "Findings at or above a severity, by domain and validator, newest first", content_type = "application/json")),
    security(("bearer" = [])))]
/// `GET /v1/analytics/alerts`: what needs attention — findings at or above a severity
/// (default high) over a window (default 24 h), grouped by domain and validator, with how many
/// results, the worst severity and first and last seen. (Alert rules, channels and delivery
/// history are the alerts subsystem's.)
async fn alerts(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<AlertsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let min = match params.severity.as_deref() {
        None => Severity::High,
        Some(s) => aegis_app::review::severity_named(s).ok_or_else(|| {
            ApiError::bad_request("severity", "info, low, medium, high or critical")
        })?,
    };
    let mut selection = ListParams {
        domain: params.domain,
        since: Some(params.since.unwrap_or_else(|| "24h".to_owned())),
        until: params.until,
        ..ListParams::default()
    }
    .selection()?;
    selection.limit = None;
    let service = Arc::clone(&state.service);
    let groups = blocking(move || {
        Ok(service.with_store(&org, |s| Ok(s.findings(&selection.filter()?, min)?))?)
    })
    .await?;
    Ok(Json(
        serde_json::json!({ "min_severity": min, "groups": groups }),
    ))
}

/// `GET /v1/dead-letters`: the organisation's traces a scaled-out service gave up on (each
/// delivered as often as allowed without a result), newest first, with why; `501` without a
/// shared queue.
#[utoipa::path(get, path = "/v1/dead-letters", tag = "operations", params(TasksParams),
    responses(
        (status = 200, description = "Dead letters, newest first: key, error, deliveries", content_type = "application/json"),
        (status = 501, description = "The service has no shared queue"),
    ),
    security(("bearer" = [])))]
async fn dead_letters(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<TasksParams>,
) -> Result<Json<Vec<aegis_store::redis_queue::DeadLetter>>, ApiError> {
    let limit = params.limit.unwrap_or(50).clamp(1, 1000);
    let service = Arc::clone(&state.service);
    if !service.is_shared() {
        return Err(ApiError::from(aegis_app::AppError::Unsupported(
            "dead letters are kept by a shared queue (serve --queue redis://…); the embedded \
             queue keeps every trace until it has a result"
                .to_owned(),
        )));
    }
    Ok(Json(
        blocking(move || Ok(service.dead_letters(&org, limit)?)).await?,
    ))
}

/// Query of the review queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksParams {
    /// At most this many (default 50).
    pub limit: Option<usize>,
}

/// `GET /v1/review/tasks`: open review tasks in priority order.
#[utoipa::path(get, path = "/v1/review/tasks", tag = "review", params(TasksParams),
    responses((status = 200, description = "Open review tasks, most urgent first", content_type = "application/json")),
    security(("bearer" = [])))]
async fn review_tasks(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<TasksParams>,
) -> Result<Json<Vec<aegis_app::review::ExportedTask>>, ApiError> {
    let limit = params.limit.unwrap_or(50).clamp(1, 1000);
    let service = Arc::clone(&state.service);
    let tasks =
        blocking(move || Ok(service.with_results(&org, |s| aegis_app::review::export(s, limit))?))
            .await?;
    Ok(Json(tasks))
}

/// An expert's label, as posted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LabelRequest {
    /// The result's key or trace id.
    pub key: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// For a fail: info, low, medium, high or critical.
    #[serde(default)]
    pub severity: Option<String>,
    /// Notes (sanitised by Tier 0 before they are stored).
    #[serde(default)]
    pub notes: String,
    /// Who.
    pub reviewer: String,
    /// Whether the machine's verdict was right as it was.
    #[serde(default)]
    pub accepted: bool,
}

/// `POST /v1/review/labels`: records an expert's label (closing the review task).
#[utoipa::path(post, path = "/v1/review/labels", tag = "review", request_body = LabelRequest,
    responses((status = 201, description = "The label as stored (notes sanitised)", content_type = "application/json"), (status = 404, description = "No such result")),
    security(("bearer" = [])))]
async fn add_label(
    State(state): State<AppState>,
    Caller(org): Caller,
    Body(body): Body,
) -> Result<(StatusCode, Json<aegis_store::ReviewLabel>), ApiError> {
    let req: LabelRequest = parse_json(&body)?;
    let verdict = match req.verdict.as_str() {
        "pass" => Verdict::Pass,
        "fail" => Verdict::Fail,
        _ => return Err(ApiError::bad_request("verdict", "pass or fail")),
    };
    let severity = req
        .severity
        .as_deref()
        .map(|s| {
            aegis_app::review::severity_named(s).ok_or_else(|| {
                ApiError::bad_request("severity", "info, low, medium, high or critical")
            })
        })
        .transpose()?;
    let service = Arc::clone(&state.service);
    let label = blocking(move || {
        let engine = service.engine(&org)?;
        let labeller = aegis_app::review::Labeller::new(engine, service.domains());
        let row = find_row(&service, &org, &req.key)?
            .ok_or_else(|| ApiError::not_found("no stored result with that key"))?;
        service
            .with_store_for_writing(&org, |s| {
                labeller.record(
                    s,
                    &row,
                    aegis_app::review::Judgement {
                        verdict,
                        severity,
                        notes: req.notes,
                        reviewer: req.reviewer,
                        accepted: req.accepted,
                    },
                )
            })
            .map_err(ApiError::from)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(label)))
}

/// `GET /v1/live`: server-sent events of the organisation's results as they are stored.
#[utoipa::path(get, path = "/v1/live", tag = "live", params(ListParams),
    responses((status = 200, description = "Server-sent events: `result` per stored result, `lagged` when some were missed", content_type = "text/event-stream")),
    security(("bearer" = [])))]
async fn live_feed(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<ListParams>,
) -> Result<Response, ApiError> {
    let selection = params.selection()?;
    let filter = LiveFilter {
        domain: selection.domain,
        verdict: selection.verdict,
        min_severity: selection.min_severity,
    };
    Ok(live::stream(&state.live, org, filter, state.shutdown.subscribe()).into_response())
}

/// `GET /healthz`: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "The process is up")))]
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the service's registry answers and the server is not stopping.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, description = "Ready"), (status = 503, description = "Stopping or the registry does not answer")))]
async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    if state.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::unavailable("the server is shutting down"));
    }
    let service = Arc::clone(&state.service);
    blocking(move || Ok(service.orgs().map(|_| ())?)).await?;
    Ok("ready")
}

/// Whether the caller may read the metrics ([`metrics`]).
pub(crate) fn metrics_allowed(
    token: Option<&str>,
    peer: Option<std::net::SocketAddr>,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    use subtle::ConstantTimeEq;
    match token {
        Some(token) => {
            let presented = headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
                Ok(())
            } else {
                Err(ApiError::unauthorized(
                    "the metrics need the metrics token: Authorization: Bearer <token given to serve --metrics-token>",
                ))
            }
        }
        None if peer.is_some_and(|p| p.ip().is_loopback()) => Ok(()),
        None => Err(ApiError::forbidden(
            "the metrics count every organisation's traffic: read them from the server's own machine, or start it with --metrics-token and send that token",
        )),
    }
}

/// `GET /metrics`: OpenMetrics text (queue gauges are read now). They count every
/// organisation's traffic, so they are the operator's: with `--metrics-token`, for the bearer of
/// that token; without, for a client on this machine only.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus metrics, OpenMetrics text", content_type = "application/openmetrics-text"),
    (status = 401, description = "The metrics token is missing or wrong"),
    (status = 403, description = "No metrics token is set, and the client is not on this machine"),
))]
async fn metrics(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    metrics_allowed(
        state.metrics_token.as_deref(),
        peer.map(|p| p.0.0),
        &headers,
    )?;
    let service = Arc::clone(&state.service);
    if service.is_shared() {
        // While Redis cannot be read the queue gauges keep their last values: the process is
        // up, and its other metrics are worth scraping (an error here would read as it down).
        match blocking(move || Ok(service.shared_queue_depth()?)).await {
            Ok(depth) => state.metrics.set_shared_queue(&depth),
            Err(e) => tracing::warn!(error = ?e, "metrics: the shared queue cannot be read"),
        }
        return Ok((
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            state.metrics.encode(),
        )
            .into_response());
    }
    let (depth, oldest) = blocking(move || {
        let mut depth = 0u64;
        let mut oldest: Option<i64> = None;
        for org in service.orgs()? {
            // An organisation whose store cannot be read is left out (the worker logs it).
            let Ok(d) = service.queue_depth(&org.id) else {
                continue;
            };
            depth += d.pending + d.claimed;
            oldest = match (oldest, d.oldest_enqueued_at_ms) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok((depth, oldest))
    })
    .await?;
    state
        .metrics
        .queue_depth
        .set(i64::try_from(depth).unwrap_or(i64::MAX));
    state
        .metrics
        .queue_oldest_age
        .set(crate::metrics::age_seconds(oldest));
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response())
}

/// Serves HTTPS with rustls on `listener` until `shutdown`, then lets connections finish.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: Router,
    cert: &std::path::Path,
    key: &std::path::Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), crate::ServerError> {
    use crate::ServerError;
    let tls = |m: String| ServerError::Tls(m);
    let certs = {
        let pem = std::fs::read(cert).map_err(|e| tls(format!("{}: {e}", cert.display())))?;
        rustls_pemfile::certs(&mut &pem[..])
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| tls(format!("{}: {e}", cert.display())))?
    };
    let private = {
        let pem = std::fs::read(key).map_err(|e| tls(format!("{}: {e}", key.display())))?;
        rustls_pemfile::private_key(&mut &pem[..])
            .map_err(|e| tls(format!("{}: {e}", key.display())))?
            .ok_or_else(|| tls(format!("{}: no private key", key.display())))?
    };
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| tls(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, private)
    .map_err(|e| tls(e.to_string()))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => { tracing::warn!(error = %e, "accept failed"); continue; }
            },
            () = &mut shutdown => break,
        };
        let acceptor = acceptor.clone();
        // The peer, for handlers that ask where a request came from (as axum's own server
        // gives it).
        let app = app
            .clone()
            .layer(axum::Extension(axum::extract::ConnectInfo(peer)));
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper_util::service::TowerToHyperService::new(app);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let conn = builder
                .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service);
            let _ = watcher.watch(conn.into_owned()).await;
        });
    }
    graceful.shutdown().await;
    Ok(())
}
