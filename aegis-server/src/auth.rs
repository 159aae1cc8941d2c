//! The caller's organisation, from `Authorization: Bearer <key>`, and its rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use aegis_store::OrgId;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::AppState;
use crate::error::ApiError;

/// The organisation a request acts for. Every handler that reads or writes takes one, and
/// passes it to the service, which opens that organisation's store only.
#[derive(Debug, Clone)]
pub struct Caller(pub OrgId);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("no Authorization header: send `Authorization: Bearer <API key>` (aegis-eval keys create)"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                // The scheme is case-insensitive (RFC 9110 §11.1).
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not `Bearer <API key>`")
            })?
            .to_owned();
        let known = match state.service.authenticate_quickly(&token) {
            Some(known) => known?,
            None => {
                let service = std::sync::Arc::clone(&state.service);
                tokio::task::spawn_blocking(move || service.authenticate(&token))
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))??
            }
        };
        let org = known.ok_or_else(|| {
            ApiError::unauthorized("the API key is not valid (unknown or revoked)")
        })?;
        if let Err(wait) = state.limits.take(&org) {
            state.metrics.rate_limited.inc();
            return Err(ApiError::rate_limited(wait));
        }
        Ok(Caller(org))
    }
}

/// A token bucket per organisation: `rate` requests a second, bursts of up to `rate`.
pub struct RateLimits {
    rate: f64,
    buckets: Mutex<HashMap<OrgId, (f64, Instant)>>,
}

impl RateLimits {
    /// `rate` requests per second per organisation.
    pub fn new(rate: u32) -> RateLimits {
        RateLimits {
            rate: f64::from(rate.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `org`; `Err(seconds)` to wait when there is none.
    pub fn take(&self, org: &OrgId) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, at) = buckets.entry(org.clone()).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.rate);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}
