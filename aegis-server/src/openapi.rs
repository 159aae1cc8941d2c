//! The OpenAPI document's frame: title, bearer authentication and tags. The paths come from
//! the handlers' `#[utoipa::path]` annotations, collected as the router is built
//! ([`crate::routes::api`]), so a route cannot be served without being described.

use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The document's frame.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Aegis", description = "Evaluation as a service: ingest traces, evaluate in the request, explore, analyse, review."),
    modifiers(&Bearer),
    tags(
        (name = "ingest", description = "Traces queued durably for the workers"),
        (name = "evaluate", description = "Evaluation in the request, with a decision"),
        (name = "explorer", description = "Stored results: list, get, search, similar, delete"),
        (name = "analytics", description = "Statistics computed in the store"),
        (name = "review", description = "Tier 4: expert review"),
        (name = "live", description = "Results as they are stored"),
        (name = "alerts", description = "Alerts fired and resolved, their notifications and delivery attempts"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// `Authorization: Bearer <API key>`.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key from `aegis-eval orgs create` or `aegis-eval keys create`",
                    ))
                    .build(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    /// The document is generated from the routes themselves: every route of the API is in
    /// it, with its methods, and each operation that reads or writes an organisation's data
    /// requires the bearer key.
    #[test]
    fn every_route_is_described() {
        let (_, doc) = crate::routes::api();
        let json = serde_json::to_value(&doc).unwrap();
        let paths = json["paths"].as_object().unwrap();
        let expected = [
            ("/v1/traces", vec!["post", "get"]),
            ("/v1/traces/{id}", vec!["get", "delete"]),
            ("/v1/traces/{id}/similar", vec!["get"]),
            ("/v1/traces/{id}/audit", vec!["get"]),
            ("/v1/traces/{id}/replay", vec!["post"]),
            ("/v1/traces/search", vec!["post"]),
            ("/v1/traces/bulk-delete", vec!["post"]),
            ("/otlp/v1/traces", vec!["post"]),
            ("/v1/evaluate", vec!["post"]),
            ("/v1/analytics/overview", vec!["get"]),
            ("/v1/domains", vec!["get"]),
            ("/v1/analytics/rl", vec!["get"]),
            ("/v1/analytics/summary", vec!["get"]),
            ("/v1/analytics/timeseries", vec!["get"]),
            ("/v1/analytics/issues", vec!["get"]),
            ("/v1/analytics/cost", vec!["get"]),
            ("/v1/analytics/models", vec!["get"]),
            ("/v1/analytics/alerts", vec!["get"]),
            ("/v1/alerts", vec!["get"]),
            ("/v1/alerts/{id}", vec!["get"]),
            ("/v1/alerts/rules", vec!["get"]),
            ("/v1/review/tasks", vec!["get"]),
            ("/v1/dead-letters", vec!["get"]),
            ("/v1/review/labels", vec!["post"]),
            ("/v1/live", vec!["get"]),
            ("/healthz", vec!["get"]),
            ("/readyz", vec!["get"]),
            ("/metrics", vec!["get"]),
        ];
        assert_eq!(paths.len(), expected.len(), "{:?}", paths.keys());
        for (path, methods) in expected {
            for m in methods {
                let op = &paths[path][m];
                assert!(op.is_object(), "{m} {path} is not described");
                let secured = op["security"].is_array();
                let private = path.starts_with("/v1/") || path.starts_with("/otlp/");
                assert_eq!(secured, private, "{m} {path}: bearer key");
            }
        }
        assert_eq!(
            json["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
}
