//! `GET /v1/alerts` and `GET /v1/alerts/{id}`: the caller's organisation's alerts — fired,
//! resolved — and each one's notifications and delivery attempts; and the thread that looks at
//! windowed rules and delivers notifications.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::blocking;

/// Query of the alert history.
#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertListParams {
    /// `firing` or `resolved` (default: both).
    pub state: Option<String>,
    /// At most this many, newest first (default 100, at most 1,000).
    pub limit: Option<usize>,
}

/// `GET /v1/alerts`: the organisation's alerts, newest first.
#[utoipa::path(get, path = "/v1/alerts", tag = "alerts", params(AlertListParams),
    responses((status = 200, description = "Alerts, newest first: rule, domain, group, severity, state, when fired and resolved, matches", content_type = "application/json"),
        (status = 400, description = "`state` is neither firing nor resolved")),
    security(("bearer" = [])))]
pub(crate) async fn list_alerts(
    State(state): State<AppState>,
    Caller(org): Caller,
    Query(params): Query<AlertListParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let wanted = match params.state.as_deref() {
        None | Some("") => None,
        Some(s @ ("firing" | "resolved")) => Some(s.to_owned()),
        Some(_) => return Err(ApiError::bad_request("state", "firing or resolved")),
    };
    let limit = params.limit.unwrap_or(100).clamp(1, 1000);
    let service = Arc::clone(&state.service);
    let alerts = blocking(move || Ok(service.alert_list(&org, wanted.as_deref(), limit)?)).await?;
    Ok(Json(serde_json::json!({ "alerts": alerts })))
}

/// `GET /v1/alerts/rules`: the alert rules this server evaluates (each domain's spec's, then
/// the configuration's) and the channels they go to (names, kinds and severities: no URL, no
/// secret).
#[utoipa::path(get, path = "/v1/alerts/rules", tag = "alerts",
    responses((status = 200, description = "Rules by domain, and the channels", content_type = "application/json")),
    security(("bearer" = [])))]
pub(crate) async fn alert_rules(
    State(state): State<AppState>,
    Caller(_org): Caller,
) -> Json<serde_json::Value> {
    let Some(alerts) = state.service.alerts() else {
        return Json(serde_json::json!({ "rules": {}, "channels": [] }));
    };
    let channels: Vec<serde_json::Value> = alerts
        .config()
        .channels
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "kind": c.kind,
                "severities": c.severities,
            })
        })
        .collect();
    Json(serde_json::json!({ "rules": alerts.rules(), "channels": channels }))
}

/// `GET /v1/alerts/{id}`: one alert, its notifications (one per channel and event) and every
/// delivery attempt with the receiver's answer.
#[utoipa::path(get, path = "/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "The alert's id")),
    responses((status = 200, description = "The alert, its notifications and their attempts", content_type = "application/json"),
        (status = 404, description = "No such alert for this organisation")),
    security(("bearer" = [])))]
pub(crate) async fn get_alert(
    State(state): State<AppState>,
    Caller(org): Caller,
    Path(id): Path<i64>,
) -> Result<Json<aegis_app::alerts::AlertDetail>, ApiError> {
    let service = Arc::clone(&state.service);
    blocking(move || Ok(service.alert_detail(&org, id)?))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no alert with that id"))
}

/// Starts the thread that runs the alerts' passes (windowed rules, resolutions, deliveries)
/// every second until the server stops; none when the service does not alert.
pub(crate) fn start(state: &AppState) -> Option<std::thread::JoinHandle<()>> {
    state.service.alerts()?;
    let service = Arc::clone(&state.service);
    let stopping = Arc::clone(&state.stopping);
    std::thread::Builder::new()
        .name("aegis-alerts".into())
        .spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                if let Err(e) = service.alerts_pass(false) {
                    tracing::error!(error = %e, "alerts: a pass failed; the next one tries again");
                }
                for _ in 0..10 {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
        .ok()
}
