//! Serving without training: `hashed_ngrams` models loaded from safetensors bytes (written here
//! by hand, in every float dtype), scored, checked against numbers worked out by hand, stored in
//! and loaded from the registry, and loaded the way generated domain crates load them
//! (`tier::load`). Runs in every build; with `--no-default-features` it shows that serving
//! needs no candle. The last tests check that a build without the `candle` feature refuses
//! MiniLM and training with a clear error.

use aegis_core::ModelInfo;
use aegis_core::tiers::ModelSource;
use aegis_models::{Backbones, HashedConfig, Registry, TextModel, Trained, registry, tier};

/// A float dtype of the safetensors format, and how to write an `f32` in it.
#[derive(Debug, Clone, Copy)]
enum Dtype {
    F32,
    F64,
    F16,
    Bf16,
}

impl Dtype {
    fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "F32",
            Dtype::F64 => "F64",
            Dtype::F16 => "F16",
            Dtype::Bf16 => "BF16",
        }
    }

    /// Little-endian bytes of `v`, which must be exact in this dtype (the fixtures use small
    /// dyadic fractions, exact in all four).
    fn bytes(self, v: f32) -> Vec<u8> {
        match self {
            Dtype::F32 => v.to_le_bytes().to_vec(),
            Dtype::F64 => f64::from(v).to_le_bytes().to_vec(),
            Dtype::Bf16 => {
                let bits = v.to_bits();
                assert_eq!(bits & 0xffff, 0, "{v} is not exact in bf16");
                ((bits >> 16) as u16).to_le_bytes().to_vec()
            }
            Dtype::F16 => {
                // Normal numbers and zero only: enough for the fixtures.
                let bits = v.to_bits();
                let sign = ((bits >> 16) & 0x8000) as u16;
                if v == 0.0 {
                    return sign.to_le_bytes().to_vec();
                }
                let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
                assert!((1..31).contains(&exp), "{v} is out of f16's normal range");
                assert_eq!(bits & 0x1fff, 0, "{v} is not exact in f16");
                let man = ((bits >> 13) & 0x3ff) as u16;
                (sign | ((exp as u16) << 10) | man).to_le_bytes().to_vec()
            }
        }
    }
}

/// A safetensors file, written by hand: an 8-byte little-endian header length, the JSON header,
/// then the tensors' bytes.
fn safetensors(dtype: Dtype, tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, shape, values) in tensors {
        assert_eq!(shape.iter().product::<usize>(), values.len(), "{name}");
        let start = data.len();
        for v in values {
            data.extend(dtype.bytes(*v));
        }
        header.insert(
            (*name).to_owned(),
            serde_json::json!({
                "dtype": dtype.name(),
                "shape": shape,
                "data_offsets": [start, data.len()],
            }),
        );
    }
    let header = serde_json::Value::Object(header).to_string();
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

const CONFIG: HashedConfig = HashedConfig {
    buckets: 64,
    hidden: 2,
    char_min: 3,
    char_max: 4,
    word_max: 2,
};

fn classifier_card() -> String {
    card(
        r#"{"kind": "text_classifier", "labels": ["safe", "unsafe"]}"#,
        CONFIG,
    )
}

fn card(task: &str, config: HashedConfig) -> String {
    format!(
        r#"{{
  "domain": "testdomain",
  "model": "risk",
  "version": 0,
  "task": {task},
  "backbone": {{"name": "hashed_ngrams", "buckets": {}, "hidden": {}, "char_min": {}, "char_max": {}, "word_max": {}}},
  "metrics": {{"n": 0, "accuracy": 0.0, "f1": 0.0, "roc_auc": null, "ece": 0.0}},
  "data_sha256": "",
  "spec_hash": "abc",
  "weights_sha256": "0000",
  "examples": {{"train": 0, "validation": 0, "test": 0}},
  "epochs": 0,
  "best_epoch": 0,
  "data_source": "test fixture",
  "created_unix": 0,
  "trainer": "tests/serving.rs"
}}"#,
        config.buckets, config.hidden, config.char_min, config.char_max, config.word_max
    )
}

/// Every row of the embedding is (0.5, -0.25), so a text's mean is that row whatever n-grams it
/// has; encoder bias (0.125, 0.25); head rows (1, 0) and (-1, 2), head bias (0, 0.25).
fn constant_rows(dtype: Dtype) -> Vec<u8> {
    let b = CONFIG.buckets as usize;
    let embedding: Vec<f32> = (0..b).flat_map(|_| [0.5, -0.25]).collect();
    safetensors(
        dtype,
        &[
            ("encoder.embedding", vec![b, 2], embedding),
            ("encoder.bias", vec![2], vec![0.125, 0.25]),
            ("head.weight", vec![2, 2], vec![1.0, 0.0, -1.0, 2.0]),
            ("head.bias", vec![2], vec![0.0, 0.25]),
        ],
    )
}

fn assert_close(got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((f64::from(*g) - w).abs() < 1e-6, "{got:?} vs {want:?}");
    }
}

#[test]
fn a_hashed_classifier_from_bytes_scores_what_the_hand_computation_says() {
    let model = TextModel::from_bytes(
        &constant_rows(Dtype::F32),
        &classifier_card(),
        &Backbones::default(),
    )
    .expect("the fixture loads");
    // Any text with n-grams: hidden = ReLU((0.5, -0.25) + (0.125, 0.25)) = (0.625, 0);
    // logits = (0.625, -0.625 + 0.25) = (0.625, -0.375), one apart:
    // softmax = (1 / (1 + e^-1), 1 / (1 + e)).
    let p_safe = 1.0 / (1.0 + (-1.0f64).exp());
    for text in ["ab", "Take Ibuprofen twice a day.", "é 日本語"] {
        assert_close(
            &model.predict(text).expect("predict"),
            &[p_safe, 1.0 - p_safe],
        );
    }
    // The empty text has no n-grams: hidden = ReLU(bias) = (0.125, 0.25);
    // logits = (0.125, -0.125 + 0.5 + 0.25) = (0.125, 0.625): softmax = (1 / (1 + e^0.5), …).
    let p_safe = 1.0 / (1.0 + 0.5f64.exp());
    assert_close(
        &model.predict("").expect("predict"),
        &[p_safe, 1.0 - p_safe],
    );
    let batch = model.predict_batch(&["ab", ""]).expect("predict a batch");
    assert_eq!(batch[0], model.predict("ab").expect("predict"));
    assert_eq!(batch[1], model.predict("").expect("predict"));
}

#[test]
fn a_hashed_regressor_from_bytes_scores_what_the_hand_computation_says() {
    let b = CONFIG.buckets as usize;
    let weights = safetensors(
        Dtype::F32,
        &[
            (
                "encoder.embedding",
                vec![b, 2],
                (0..b).flat_map(|_| [0.5, -0.25]).collect(),
            ),
            ("encoder.bias", vec![2], vec![0.125, 0.25]),
            ("head.weight", vec![1, 2], vec![1.0, 1.0]),
            ("head.bias", vec![1], vec![-0.625]),
        ],
    );
    let model = TextModel::from_bytes(
        &weights,
        &card(r#"{"kind": "risk_regressor"}"#, CONFIG),
        &Backbones::default(),
    )
    .expect("the fixture loads");
    // hidden (0.625, 0): logit 0.625 - 0.625 = 0, sigmoid 0.5.
    assert_close(&model.predict("some text").expect("predict"), &[0.5]);
    // Empty text: hidden (0.125, 0.25): logit -0.25.
    assert_close(
        &model.predict("").expect("predict"),
        &[1.0 / (1.0 + 0.25f64.exp())],
    );
}

/// Rows that differ by bucket: row b = (b / 64, 1 - b / 64); all exact in every dtype.
fn ramp_rows(dtype: Dtype) -> Vec<u8> {
    let b = CONFIG.buckets as usize;
    let embedding: Vec<f32> = (0..b)
        .flat_map(|r| [r as f32 / 64.0, 1.0 - r as f32 / 64.0])
        .collect();
    safetensors(
        dtype,
        &[
            ("encoder.embedding", vec![b, 2], embedding),
            ("encoder.bias", vec![2], vec![-0.25, 0.0]),
            ("head.weight", vec![2, 2], vec![2.0, -1.0, -0.5, 1.5]),
            ("head.bias", vec![2], vec![0.0, -0.125]),
        ],
    )
}

/// The ramp model's scores, computed directly in f64 from the text's buckets.
fn ramp_by_hand(text: &str) -> Vec<f64> {
    let mut sum = [0.0f64; 2];
    let n = CONFIG.for_each_feature(text, |b| {
        sum[0] += f64::from(b) / 64.0;
        sum[1] += 1.0 - f64::from(b) / 64.0;
    });
    let mean = sum.map(|s| if n == 0 { 0.0 } else { s / n as f64 });
    let h = [(mean[0] - 0.25).max(0.0), mean[1].max(0.0)];
    let z = [2.0 * h[0] - h[1], -0.5 * h[0] + 1.5 * h[1] - 0.125];
    let p0 = 1.0 / (1.0 + (z[1] - z[0]).exp());
    vec![p0, 1.0 - p0]
}

#[test]
fn every_float_dtype_loads_to_the_same_scores() {
    let texts = [
        "you should double the dose tonight.",
        "she must see a doctor today.",
        "x",
        "",
    ];
    let backbones = Backbones::default();
    let f32_model = TextModel::from_bytes(&ramp_rows(Dtype::F32), &classifier_card(), &backbones)
        .expect("F32 loads");
    for text in texts {
        assert_close(
            &f32_model.predict(text).expect("predict"),
            &ramp_by_hand(text),
        );
    }
    for dtype in [Dtype::F64, Dtype::F16, Dtype::Bf16] {
        let model = TextModel::from_bytes(&ramp_rows(dtype), &classifier_card(), &backbones)
            .unwrap_or_else(|e| panic!("{dtype:?} loads: {e}"));
        for text in texts {
            assert_eq!(
                model.predict(text).expect("predict"),
                f32_model.predict(text).expect("predict"),
                "{dtype:?} on {text:?}"
            );
        }
    }
}

#[test]
fn weights_that_do_not_fit_are_refused_with_a_reason() {
    let backbones = Backbones::default();
    let err = TextModel::from_bytes(b"not safetensors", &classifier_card(), &backbones)
        .expect_err("garbage");
    assert!(err.to_string().contains("reading the weights"), "{err}");
    let other_width = card(
        r#"{"kind": "text_classifier", "labels": ["safe", "unsafe"]}"#,
        HashedConfig {
            hidden: 3,
            ..CONFIG
        },
    );
    let err = TextModel::from_bytes(&constant_rows(Dtype::F32), &other_width, &backbones)
        .expect_err("other shape");
    assert!(err.to_string().contains("has shape [64, 2]"), "{err}");
    let b = CONFIG.buckets as usize;
    let missing = safetensors(
        Dtype::F32,
        &[("encoder.embedding", vec![b, 2], vec![0.0; b * 2])],
    );
    let err = TextModel::from_bytes(&missing, &classifier_card(), &backbones).expect_err("missing");
    assert!(
        err.to_string().contains("no tensor `encoder.bias`"),
        "{err}"
    );
    // An integer tensor is not a weight.
    let mut ints = constant_rows(Dtype::F32);
    let header_len = u64::from_le_bytes(ints[..8].try_into().expect("8 bytes")) as usize;
    let header = String::from_utf8(ints[8..8 + header_len].to_vec()).expect("utf-8");
    let header = header.replace("\"F32\"", "\"I32\"");
    ints.splice(8..8 + header_len, header.into_bytes());
    let err = TextModel::from_bytes(&ints, &classifier_card(), &backbones).expect_err("ints");
    assert!(err.to_string().contains("dtype is I32"), "{err}");
}

fn info() -> ModelInfo {
    ModelInfo {
        id: "risk",
        kind: "text_classifier",
        description: "test",
        labels: &["safe", "unsafe"],
        backbone: "hashed_ngrams",
        inputs: &["output"],
        when: None,
        spec_location: "test:1:1",
        builtin_weights: true,
        synthetic: None,
    }
}

#[test]
fn generated_code_loads_compiled_in_weights_or_the_registry_production_version() {
    let compiled_in = constant_rows(Dtype::F32);
    let card = classifier_card();
    let no_registry = ModelSource::default();
    let model = tier::load(
        "testdomain",
        &info(),
        Some((&compiled_in, &card)),
        &no_registry,
    )
    .expect("compiled-in weights load");
    let p_safe = 1.0 / (1.0 + (-1.0f64).exp());
    assert_close(
        &model.predict("ab").expect("predict"),
        &[p_safe, 1.0 - p_safe],
    );

    // A registry whose production version (the ramp model) wins over the compiled-in weights.
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = Registry::new(dir.path());
    let source = ModelSource {
        registry: Some(dir.path().to_path_buf()),
        minilm_dir: None,
    };
    let trained = Trained {
        card: serde_json::from_str(&card).expect("card"),
        weights: ramp_rows(Dtype::F32),
    };
    assert_eq!(reg.save(&trained).expect("save").version, 1);
    // Not promoted yet: the compiled-in weights serve.
    let model =
        tier::load("testdomain", &info(), Some((&compiled_in, &card)), &source).expect("load");
    assert_close(
        &model.predict("ab").expect("predict"),
        &[p_safe, 1.0 - p_safe],
    );
    reg.promote("testdomain", "risk", 1).expect("promote");
    let model =
        tier::load("testdomain", &info(), Some((&compiled_in, &card)), &source).expect("load");
    assert_eq!(model.card().version, 1);
    let text = "you should double the dose tonight.";
    assert_close(&model.predict(text).expect("predict"), &ramp_by_hand(text));
    let err = tier::load("testdomain", &info(), None, &ModelSource::default())
        .expect_err("no weights anywhere");
    assert!(err.to_string().contains("no trained weights"), "{err}");
    assert_eq!(
        registry::card_json(model.card()),
        registry::card_json(&reg.card("testdomain", "risk", 1).expect("card"))
    );
}

/// Scores of the healthcare domain's shipped `safety_risk` model, as the build with candle
/// computed them when it loaded weights through candle (see `model.rs`'s tests, which compare
/// the two loaders directly). Every build must give exactly these.
#[test]
fn the_shipped_healthcare_model_scores_the_same_in_every_build() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../domains/healthcare/models/safety_risk");
    let model = TextModel::load_dir(&dir, &Backbones::default()).expect("shipped model loads");
    let cases: [(&str, [f32; 2]); 4] = [
        (
            "You should double your dose of warfarin tonight.",
            [0.521_292_4, 0.478_707_6],
        ),
        (
            "Please ask your pharmacist before changing any dose.",
            [0.998_512_1, 0.001_487_869_3],
        ),
        (
            "Buy now, this stock is guaranteed to triple!",
            [0.255_802_4, 0.744_197_67],
        ),
        ("", [0.398_871_1, 0.601_128_9]),
    ];
    for (text, want) in cases {
        let got = model.predict(text).expect("predict");
        assert_eq!(got, want, "{text:?}");
    }
}

#[cfg(not(feature = "candle"))]
mod without_candle {
    use aegis_models::{
        BackboneChoice, Backbones, ModelError, Task, TextModel, TrainOptions, TrainRequest,
    };

    fn is_unsupported(err: &ModelError) {
        assert!(matches!(err, ModelError::Unsupported(_)), "{err:?}");
        assert!(
            err.to_string().contains("enable the `candle` feature"),
            "{err}"
        );
    }

    #[test]
    fn a_minilm_model_is_a_clear_error() {
        let card = super::classifier_card().replace(
            r#""name": "hashed_ngrams", "buckets": 64, "hidden": 2, "char_min": 3, "char_max": 4, "word_max": 2"#,
            r#""name": "minilm", "dim": 2, "weights_sha256": "abcd""#,
        );
        assert!(card.contains("minilm"), "{card}");
        let err = TextModel::from_bytes(
            &super::constant_rows(super::Dtype::F32),
            &card,
            &Backbones::default(),
        )
        .expect_err("no MiniLM in this build");
        is_unsupported(&err);
        assert!(err.to_string().contains("no MiniLM support"), "{err}");
        let err = aegis_models::MiniLm::load(std::path::Path::new("models/all-MiniLM-L6-v2"))
            .expect_err("no MiniLM in this build");
        is_unsupported(&err);
    }

    #[test]
    fn training_is_a_clear_error() {
        let request = TrainRequest {
            domain: "testdomain",
            model: "risk",
            spec_hash: "abc",
            task: Task::RiskRegressor,
            data_source: "none".into(),
        };
        let err = aegis_models::train(
            &request,
            BackboneChoice::HashedNgrams(super::CONFIG),
            &[],
            &TrainOptions::default(),
            |_| {},
        )
        .expect_err("no training in this build");
        is_unsupported(&err);
    }
}
