//! Tier 0: any text through every recogniser in every mode, and any JSON through the trace
//! sanitiser. Never a panic, never slow (Tier 0 runs on every trace).

#![no_main]

mod common;

use std::sync::OnceLock;

use aegis_core::{PhiMode, SanitizeReport};
use aegis_phi::PhiEngine;
use libfuzzer_sys::fuzz_target;

/// Text that takes every recogniser's lazily built tables (names, places, organisations,
/// addresses, citations, dates, numbers) through their first use, before anything is timed.
const WARM_UP: &str = "Mrs. Quenby Hallowell of Bright Atlantic Corp., 742 Evergreen Terrace, \
    Walkertown, IL 62704, born 03/14/1951, SSN 219-09-9999, MRN 00482913, call (555) 867-5309 \
    or q.hallowell@example.net from 192.168.10.44; see Twombly, 531 U.S. 544 (2007); \
    card 4111 1111 1111 1111, VIN 1HGCM82633A004352, https://example.org/x.";

fn engine() -> &'static PhiEngine {
    static ENGINE: OnceLock<PhiEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let key = aegis_phi::PhiKey::from_config("fuzzing key, not a secret, 32+ chars")
            .expect("a passphrase key");
        let engine = PhiEngine::new(key).expect("the engine builds");
        for mode in [PhiMode::Pseudonymize, PhiMode::Mask, PhiMode::Hash, PhiMode::Redact] {
            let mut report = SanitizeReport::default();
            let settings = aegis_phi::all_classes(mode);
            engine.sanitize_text(WARM_UP, &settings, "subject", &mut report);
            let mut value = serde_json::json!({"output": WARM_UP, "n": 2190999999_u64});
            engine.sanitize_value(&mut value, None, &settings, "subject", &mut report);
        }
        engine
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
    let engine = engine();
    common::timed(data.len(), "Tier 0 on text", || {
        engine.sanitize_text(&text, &settings, "subject", &mut report)
    });
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(data) {
        common::timed(data.len(), "Tier 0 on JSON", || {
            engine.sanitize_value(&mut value, None, &settings, "subject", &mut report);
        });
    }
});
