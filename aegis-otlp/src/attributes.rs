//! OTLP attribute values as JSON, and a span's attributes as a map its reader takes keys out
//! of: what no convention reads is what is left, and is kept.

use std::collections::BTreeMap;

use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use serde_json::{Map, Value};

/// An OTLP value as JSON: strings, booleans, numbers, arrays and key-value lists as objects;
/// bytes as lowercase hex.
pub(crate) fn json(value: &AnyValue) -> Value {
    match &value.value {
        Some(any_value::Value::StringValue(s)) => Value::String(s.clone()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(*b),
        Some(any_value::Value::IntValue(i)) => Value::from(*i),
        Some(any_value::Value::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number)
        }
        Some(any_value::Value::ArrayValue(a)) => Value::Array(a.values.iter().map(json).collect()),
        Some(any_value::Value::KvlistValue(kv)) => Value::Object(
            kv.values
                .iter()
                .map(|k| (k.key.clone(), k.value.as_ref().map_or(Value::Null, json)))
                .collect::<Map<_, _>>(),
        ),
        Some(any_value::Value::BytesValue(b)) => Value::String(hex(b)),
        None => Value::Null,
    }
}

/// Lowercase hex, as OTLP/JSON writes trace and span ids.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A span's (or resource's) attributes by name; readers `take` what they use.
#[derive(Debug, Default)]
pub(crate) struct Attrs(pub(crate) BTreeMap<String, Value>);

impl Attrs {
    pub(crate) fn of(kvs: &[KeyValue]) -> Attrs {
        Attrs(
            kvs.iter()
                .map(|k| (k.key.clone(), k.value.as_ref().map_or(Value::Null, json)))
                .collect(),
        )
    }

    /// Takes a value out.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// Takes a value out as text: a string as it is, a number or boolean written out.
    pub(crate) fn take_str(&mut self, key: &str) -> Option<String> {
        match self.0.remove(key)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// Takes a whole number out (from a number or a string of digits).
    pub(crate) fn take_u64(&mut self, key: &str) -> Option<u64> {
        match self.0.get(key)? {
            Value::Number(n) => {
                let v = n.as_u64().or_else(|| n.as_f64().map(|f| f as u64));
                self.0.remove(key);
                v
            }
            Value::String(s) => {
                let v = s.trim().parse().ok();
                if v.is_some() {
                    self.0.remove(key);
                }
                v
            }
            _ => None,
        }
    }

    /// Reads a string attribute without taking it.
    pub(crate) fn peek_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// Takes every attribute under `prefix` whose next segment is an index
    /// (`prefix.N.rest`), as index → (rest → value), in index order.
    pub(crate) fn take_indexed(
        &mut self,
        prefix: &str,
    ) -> BTreeMap<usize, BTreeMap<String, Value>> {
        let dotted = format!("{prefix}.");
        let keys: Vec<String> = self
            .0
            .range(dotted.clone()..)
            .take_while(|(k, _)| k.starts_with(&dotted))
            .map(|(k, _)| k.clone())
            .collect();
        let mut out: BTreeMap<usize, BTreeMap<String, Value>> = BTreeMap::new();
        for key in keys {
            let rest = &key[dotted.len()..];
            let (n, tail) = rest.split_once('.').unwrap_or((rest, ""));
            let Ok(n) = n.parse::<usize>() else { continue };
            if let Some(v) = self.0.remove(&key) {
                out.entry(n).or_default().insert(tail.to_owned(), v);
            }
        }
        out
    }
}

/// A string that holds JSON, parsed; any other value as it is.
pub(crate) fn parsed(value: Value) -> Value {
    match value {
        Value::String(s) => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                serde_json::from_str(&s).unwrap_or(Value::String(s))
            } else {
                Value::String(s)
            }
        }
        other => other,
    }
}

/// A value as text: a string as it is, anything else as compact JSON; nothing for null.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
