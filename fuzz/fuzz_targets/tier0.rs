//! Tier 0: any text through every recogniser in every mode, and any JSON through the trace
//! sanitiser. Never a panic, never slow (Tier 0 runs on every trace).

#![no_main]

mod common;

use std::sync::OnceLock;

use aegis_core::{PhiMode, SanitizeReport};
use aegis_phi::PhiEngine;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static PhiEngine {
    static ENGINE: OnceLock<PhiEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let key = aegis_phi::PhiKey::from_config("fuzzing key, not a secret, 32+ chars")
            .expect("a passphrase key");
        PhiEngine::new(key).expect("the engine builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mode = match data.first().map(|b| b % 4) {
        Some(0) => PhiMode::Pseudonymize,
        Some(1) => PhiMode::Mask,
        Some(2) => PhiMode::Hash,
        _ => PhiMode::Redact,
    };
    let settings = aegis_phi::all_classes(mode);
    let mut report = SanitizeReport::default();
    common::timed(data.len(), "Tier 0 on text", || {
        engine().sanitize_text(&text, &settings, "subject", &mut report)
    });
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(data) {
        common::timed(data.len(), "Tier 0 on JSON", || {
            engine().sanitize_value(&mut value, None, &settings, "subject", &mut report);
        });
    }
});
