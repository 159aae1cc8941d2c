//! Orders give exactly the findings the catalogue implies.

use aegis_core::{Domain, Sanitized, Trace};
use aegis_domain_widgets::Widgets;

fn findings(domain_data: serde_json::Value) -> Vec<String> {
    let trace: Trace = serde_json::from_value(serde_json::json!({
        "output": "Order placed.",
        "metadata": {"domain": "widgets"},
        "domain_data": domain_data,
    }))
    .expect("a trace");
    // The spec declares no PHI: its traces need no Tier 0.
    let outcome = Widgets.evaluate_rules(&Sanitized::without_phi(trace));
    assert!(outcome.data_error.is_none(), "{:?}", outcome.data_error);
    outcome.issues.into_iter().map(|i| i.validator).collect()
}

#[test]
fn orders_are_checked_against_the_catalogue() {
    let order = |sku: &str, quantity: i64| serde_json::json!({"order": {"sku": sku, "quantity": quantity, "unit_price_usd": 9.5}});
    assert!(findings(order("W-100", 50)).is_empty());
    assert_eq!(findings(order("W-200", 11)), ["quantity_limit"]);
    assert_eq!(findings(order("W-300", 1)), ["discontinued"]);
    assert_eq!(findings(order("W-999", 1)), ["unknown_sku"]);
    // No order: no rule applies.
    assert!(findings(serde_json::json!({})).is_empty());
    assert_eq!(Widgets.info().validators.len(), 3);
}
