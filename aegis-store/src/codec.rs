//! How a result is written in any store: its JSON compressed, the audit log's summary of the
//! modules that produced it, a severity as a number that sorts.

/// The models and judge calls of a result, for the audit log.
pub(crate) fn modules_of(
    result: &aegis_core::EvaluationResult,
) -> (serde_json::Value, serde_json::Value) {
    let mut models = Vec::new();
    let mut judges = Vec::new();
    for t in &result.tiers {
        for m in &t.modules {
            match t.tier {
                aegis_core::Tier::Models => models.push(serde_json::json!({
                    "model": m.module,
                    "weights": m.weights,
                    "scores": m.scores,
                })),
                aegis_core::Tier::Judge => judges.push(match &m.call {
                    Some(c) => serde_json::json!({
                        "judge": m.module,
                        "provider": c.provider,
                        "model": c.model,
                        "prompt_hash": c.prompt_hash,
                        "cache_key": c.cache_key,
                        "cached": c.cached,
                    }),
                    None => serde_json::json!({ "judge": m.module }),
                }),
                _ => {}
            }
        }
    }
    (
        serde_json::Value::Array(models),
        serde_json::Value::Array(judges),
    )
}

/// A result as stored: its JSON, LZ4-compressed (a result is mostly the same validator ids
/// and outcomes over and over: about a sixth of the bytes to write).
pub(crate) fn pack(result_json: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(result_json.as_bytes())
}

pub(crate) fn unpack(blob: &[u8]) -> Result<String, String> {
    let bytes = lz4_flex::decompress_size_prepended(blob).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A severity as a number that sorts (its place in `Severity::ALL`).
pub(crate) fn severity_rank(s: aegis_core::Severity) -> i64 {
    aegis_core::Severity::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(0) as i64
}

/// The severity a stored rank names ([`severity_rank`]'s inverse); `None` for no severity (-1)
/// or a rank out of range.
pub(crate) fn severity_of_rank(rank: i64) -> Option<aegis_core::Severity> {
    usize::try_from(rank)
        .ok()
        .and_then(|i| aegis_core::Severity::ALL.get(i).copied())
}

/// The verdict a stored verdict's text names.
pub(crate) fn verdict_of(s: &str) -> Option<aegis_core::Verdict> {
    use aegis_core::Verdict;
    [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::NeedsReview,
        Verdict::Error,
    ]
    .into_iter()
    .find(|v| v.as_str() == s)
}

/// A count as a database returns it (a negative one is 0).
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
