//! The training loop on candle (only in builds with the `candle` feature): the split, the
//! hashed and frozen-encoder forward passes, class-weighted loss, AdamW and early stopping.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use sha2::{Digest, Sha256};

use super::{
    BackboneChoice, EpochReport, Example, Target, TrainOptions, TrainRequest, Trained, data_hash,
};
use crate::card::{Backbone, ModelCard, SplitSizes, Task};
use crate::error::{ModelError, Result};
use crate::metrics::{self, Metrics};
use crate::minilm::hex;
use crate::model::{Backbones, TextModel};

/// SplitMix64: a small, fixed, seeded generator (splits and initial weights are reproducible
/// across versions of every crate).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
    /// Uniform in [-scale, scale).
    fn uniform(&mut self, scale: f32) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
    }
}

/// Splits indices into train / validation / test, stratified by label (or by the side of 0.5).
fn split(examples: &[Example], opts: &TrainOptions, rng: &mut Rng) -> [Vec<usize>; 3] {
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, e) in examples.iter().enumerate() {
        let key = match e.target {
            Target::Label(l) => l,
            Target::Score(s) => usize::from(s >= 0.5),
        };
        groups.entry(key).or_default().push(i);
    }
    let mut keys: Vec<usize> = groups.keys().copied().collect();
    keys.sort_unstable();
    let mut out: [Vec<usize>; 3] = Default::default();
    for k in keys {
        let mut g = groups.remove(&k).unwrap_or_default();
        rng.shuffle(&mut g);
        let n = g.len();
        let n_test = ((n as f64 * opts.test_share).round() as usize).min(n.saturating_sub(2));
        let n_val =
            ((n as f64 * opts.validation_share).round() as usize).min(n.saturating_sub(n_test + 1));
        out[2].extend_from_slice(&g[..n_test]);
        out[1].extend_from_slice(&g[n_test..n_test + n_val]);
        out[0].extend_from_slice(&g[n_test + n_val..]);
    }
    for part in &mut out {
        part.sort_unstable();
    }
    out
}

/// The trainable parameters.
struct Params {
    embedding: Option<(Var, Var)>,
    head_weight: Var,
    head_bias: Var,
}

impl Params {
    fn vars(&self) -> Vec<Var> {
        let mut v = vec![self.head_weight.clone(), self.head_bias.clone()];
        if let Some((e, b)) = &self.embedding {
            v.push(e.clone());
            v.push(b.clone());
        }
        v
    }

    fn snapshot(&self) -> candle_core::Result<HashMap<String, Tensor>> {
        let mut m = HashMap::new();
        m.insert("head.weight".into(), self.head_weight.as_tensor().copy()?);
        m.insert("head.bias".into(), self.head_bias.as_tensor().copy()?);
        if let Some((e, b)) = &self.embedding {
            m.insert("encoder.embedding".into(), e.as_tensor().copy()?);
            m.insert("encoder.bias".into(), b.as_tensor().copy()?);
        }
        Ok(m)
    }
}

/// The inputs of a batch, prepared once per example.
enum Features {
    /// Per example: its n-gram buckets.
    Hashed(Vec<Vec<u32>>),
    /// Per example: its frozen embedding.
    Dense(Vec<Vec<f32>>),
}

impl Features {
    /// The hidden representation of examples `idx` (before the head).
    fn forward(&self, params: &Params, idx: &[usize]) -> candle_core::Result<Tensor> {
        let dev = Device::Cpu;
        match self {
            Features::Hashed(feats) => {
                let (emb, bias) = params
                    .embedding
                    .as_ref()
                    .ok_or_else(|| candle_core::Error::Msg("no embedding".into()))?;
                let hidden = emb.dims()[1];
                let mut ids = Vec::new();
                let mut rows = Vec::new();
                let mut inv = Vec::with_capacity(idx.len());
                for (r, &i) in idx.iter().enumerate() {
                    ids.extend_from_slice(&feats[i]);
                    rows.extend(std::iter::repeat_n(r as u32, feats[i].len()));
                    inv.push(if feats[i].is_empty() {
                        0.0
                    } else {
                        1.0 / feats[i].len() as f32
                    });
                }
                let n = ids.len();
                let ids = Tensor::from_vec(ids, n, &dev)?;
                let rows = Tensor::from_vec(rows, n, &dev)?;
                let inv = Tensor::from_vec(inv, (idx.len(), 1), &dev)?;
                let gathered = emb.as_tensor().index_select(&ids, 0)?;
                let summed = Tensor::zeros((idx.len(), hidden), DType::F32, &dev)?
                    .index_add(&rows, &gathered, 0)?;
                summed
                    .broadcast_mul(&inv)?
                    .broadcast_add(bias.as_tensor())?
                    .relu()
            }
            Features::Dense(vecs) => {
                let dim = vecs.first().map_or(0, Vec::len);
                let flat: Vec<f32> = idx.iter().flat_map(|&i| vecs[i].iter().copied()).collect();
                Tensor::from_vec(flat, (idx.len(), dim), &dev)
            }
        }
    }
}

fn logits(features: &Features, params: &Params, idx: &[usize]) -> candle_core::Result<Tensor> {
    features
        .forward(params, idx)?
        .matmul(&params.head_weight.as_tensor().t()?)?
        .broadcast_add(params.head_bias.as_tensor())
}

/// Weighted loss of examples `idx`: class-weighted cross-entropy, or binary cross-entropy
/// against the risk score.
fn loss(
    features: &Features,
    params: &Params,
    examples: &[Example],
    idx: &[usize],
    class_weights: &[f32],
) -> candle_core::Result<Tensor> {
    let dev = Device::Cpu;
    let z = logits(features, params, idx)?;
    match examples[idx[0]].target {
        Target::Label(_) => {
            let labels: Vec<u32> = idx
                .iter()
                .map(|&i| match examples[i].target {
                    Target::Label(l) => l as u32,
                    Target::Score(_) => 0,
                })
                .collect();
            let w: Vec<f32> = labels.iter().map(|&l| class_weights[l as usize]).collect();
            let total: f32 = w.iter().sum();
            let labels = Tensor::from_vec(labels, (idx.len(), 1), &dev)?;
            let w = Tensor::from_vec(w, idx.len(), &dev)?;
            let logp = candle_nn::ops::log_softmax(&z, 1)?;
            let picked = logp.gather(&labels, 1)?.squeeze(1)?;
            (picked.mul(&w)?.sum_all()? / f64::from(-total))?.reshape(())
        }
        Target::Score(_) => {
            let t: Vec<f32> = idx
                .iter()
                .map(|&i| match examples[i].target {
                    Target::Score(s) => s,
                    Target::Label(l) => l as f32,
                })
                .collect();
            let t = Tensor::from_vec(t, (idx.len(), 1), &dev)?;
            candle_nn::loss::binary_cross_entropy_with_logit(&z, &t)
        }
    }
}

/// Trains a model on `examples`; `progress` hears about every epoch.
pub(super) fn train(
    request: &TrainRequest<'_>,
    backbone: BackboneChoice<'_>,
    examples: &[Example],
    options: &TrainOptions,
    mut progress: impl FnMut(EpochReport),
) -> Result<Trained> {
    let outputs = request.task.outputs();
    check_data(&request.task, examples)?;
    let mut rng = Rng(options.seed);
    let [train_idx, val_idx, test_idx] = split(examples, options, &mut rng);
    if train_idx.is_empty() || val_idx.is_empty() || test_idx.is_empty() {
        return Err(ModelError::Data(format!(
            "{} examples are too few to split into training, validation and test sets",
            examples.len()
        )));
    }
    let ctx = |what: &str| {
        ModelError::candle(format!(
            "training {}/{}: {what}",
            request.domain, request.model
        ))
    };
    let (features, backbone_card, inputs, embedding) = match backbone {
        BackboneChoice::HashedNgrams(config) => {
            config.validate().map_err(ModelError::Data)?;
            let feats = examples
                .iter()
                .map(|e| {
                    let mut v = Vec::new();
                    config.for_each_feature(&e.text, |b| v.push(b));
                    v
                })
                .collect();
            let (b, h) = (config.buckets as usize, config.hidden as usize);
            let init: Vec<f32> = (0..b * h).map(|_| rng.uniform(0.5)).collect();
            let emb = Var::from_tensor(
                &Tensor::from_vec(init, (b, h), &Device::Cpu).map_err(ctx("init"))?,
            )
            .map_err(ctx("init"))?;
            let bias =
                Var::from_tensor(&Tensor::full(0.1f32, h, &Device::Cpu).map_err(ctx("init"))?)
                    .map_err(ctx("init"))?;
            (
                Features::Hashed(feats),
                Backbone::HashedNgrams(config),
                h,
                Some((emb, bias)),
            )
        }
        BackboneChoice::Minilm(m) => {
            let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
            let vecs = m.embed_all(&texts, 32)?;
            (
                Features::Dense(vecs),
                Backbone::Minilm {
                    dim: m.dim(),
                    weights_sha256: m.weights_sha256().to_owned(),
                },
                m.dim(),
                None,
            )
        }
    };
    let scale = (1.0 / inputs as f32).sqrt();
    let head_init: Vec<f32> = (0..outputs * inputs).map(|_| rng.uniform(scale)).collect();
    let params = Params {
        embedding,
        head_weight: Var::from_tensor(
            &Tensor::from_vec(head_init, (outputs, inputs), &Device::Cpu).map_err(ctx("init"))?,
        )
        .map_err(ctx("init"))?,
        head_bias: Var::zeros(outputs, DType::F32, &Device::Cpu).map_err(ctx("init"))?,
    };
    // Class weights: n / (k · n_c), so every label weighs the same in the loss.
    let class_weights: Vec<f32> = match &request.task {
        Task::TextClassifier { labels } => {
            let mut counts = vec![0usize; labels.len()];
            for &i in &train_idx {
                if let Target::Label(l) = examples[i].target {
                    counts[l] += 1;
                }
            }
            counts
                .iter()
                .map(|&c| train_idx.len() as f32 / (labels.len() as f32 * c.max(1) as f32))
                .collect()
        }
        Task::RiskRegressor => vec![1.0],
    };
    let mut opt = AdamW::new(
        params.vars(),
        ParamsAdamW {
            lr: options.learning_rate,
            weight_decay: 1e-4,
            ..ParamsAdamW::default()
        },
    )
    .map_err(ctx("optimiser"))?;
    let mut best = (
        f64::INFINITY,
        0usize,
        params.snapshot().map_err(ctx("snapshot"))?,
    );
    let mut order = train_idx.clone();
    let mut epochs = 0;
    for epoch in 1..=options.max_epochs.max(1) {
        epochs = epoch;
        rng.shuffle(&mut order);
        let mut total = 0.0;
        let mut batches = 0usize;
        for batch in order.chunks(options.batch_size.max(1)) {
            let l = loss(&features, &params, examples, batch, &class_weights)
                .map_err(ctx("forward"))?;
            opt.backward_step(&l).map_err(ctx("backward"))?;
            total += f64::from(l.to_scalar::<f32>().map_err(ctx("loss"))?);
            batches += 1;
        }
        let val = loss(&features, &params, examples, &val_idx, &class_weights)
            .and_then(|l| l.to_scalar::<f32>())
            .map_err(ctx("validation"))?;
        progress(EpochReport {
            epoch,
            train_loss: total / batches.max(1) as f64,
            validation_loss: f64::from(val),
        });
        if f64::from(val) < best.0 - 1e-5 {
            best = (
                f64::from(val),
                epoch,
                params.snapshot().map_err(ctx("snapshot"))?,
            );
        } else if epoch - best.1 >= options.patience {
            break;
        }
    }
    let (_, best_epoch, tensors) = best;
    let weights = safetensors_bytes(&tensors).map_err(ctx("saving"))?;
    let mut card = ModelCard {
        domain: request.domain.to_owned(),
        model: request.model.to_owned(),
        version: 0,
        task: request.task.clone(),
        backbone: backbone_card,
        metrics: Metrics {
            n: 0,
            accuracy: 0.0,
            f1: 0.0,
            roc_auc: None,
            ece: 0.0,
            mae: None,
            rmse: None,
        },
        data_sha256: data_hash(examples),
        spec_hash: request.spec_hash.to_owned(),
        weights_sha256: hex(&Sha256::digest(&weights)),
        examples: SplitSizes {
            train: train_idx.len(),
            validation: val_idx.len(),
            test: test_idx.len(),
        },
        epochs,
        best_epoch,
        data_source: request.data_source.clone(),
        created_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        trainer: concat!("aegis-models ", env!("CARGO_PKG_VERSION")).to_owned(),
    };
    // Metrics come from the model as it will be served (the inference path, not candle's).
    let backbones = Backbones::default();
    let served = match backbone {
        BackboneChoice::Minilm(_) => None,
        BackboneChoice::HashedNgrams(_) => {
            Some(TextModel::from_weights(card.clone(), &weights, &backbones)?)
        }
    };
    let test_scores: Vec<Vec<f32>> = match &served {
        Some(model) => test_idx
            .iter()
            .map(|&i| model.predict(&examples[i].text))
            .collect::<Result<_>>()?,
        None => {
            let z = logits(&features, &params_from(&tensors)?, &test_idx)
                .and_then(|t| t.to_vec2::<f32>())
                .map_err(ctx("test"))?;
            z.iter()
                .map(|row| match &request.task {
                    Task::TextClassifier { .. } => crate::model::softmax(row),
                    Task::RiskRegressor => row.iter().map(|v| crate::model::sigmoid(*v)).collect(),
                })
                .collect()
        }
    };
    card.metrics = match &request.task {
        Task::TextClassifier { labels } => {
            let truth: Vec<usize> = test_idx
                .iter()
                .map(|&i| match examples[i].target {
                    Target::Label(l) => l,
                    Target::Score(_) => 0,
                })
                .collect();
            metrics::classification(&test_scores, &truth, labels.len())
        }
        Task::RiskRegressor => {
            let targets: Vec<f32> = test_idx
                .iter()
                .map(|&i| match examples[i].target {
                    Target::Score(s) => s,
                    Target::Label(l) => l as f32,
                })
                .collect();
            let scores: Vec<f32> = test_scores
                .iter()
                .map(|v| v.first().copied().unwrap_or(0.0))
                .collect();
            metrics::regression(&scores, &targets)
        }
    };
    Ok(Trained { card, weights })
}

fn params_from(tensors: &HashMap<String, Tensor>) -> Result<Params> {
    let get = |n: &str| {
        tensors
            .get(n)
            .ok_or_else(|| ModelError::Mismatch(format!("no tensor `{n}`")))
            .and_then(|t| Var::from_tensor(t).map_err(ModelError::candle("copy")))
    };
    Ok(Params {
        embedding: None,
        head_weight: get("head.weight")?,
        head_bias: get("head.bias")?,
    })
}

fn check_data(task: &Task, examples: &[Example]) -> Result<()> {
    match task {
        Task::TextClassifier { labels } => {
            let mut seen = vec![0usize; labels.len()];
            for e in examples {
                match e.target {
                    Target::Label(l) if l < labels.len() => seen[l] += 1,
                    Target::Label(l) => {
                        return Err(ModelError::Data(format!("label index {l} out of range")));
                    }
                    Target::Score(_) => {
                        return Err(ModelError::Data(
                            "a text classifier needs labels, not scores".into(),
                        ));
                    }
                }
            }
            let missing: Vec<&str> = labels
                .iter()
                .zip(&seen)
                .filter(|(_, c)| **c < 3)
                .map(|(l, _)| l.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(ModelError::Data(format!(
                    "every label needs at least 3 examples; too few for: {}",
                    missing.join(", ")
                )));
            }
        }
        Task::RiskRegressor => {
            for e in examples {
                match e.target {
                    Target::Score(s) if (0.0..=1.0).contains(&s) => {}
                    _ => {
                        return Err(ModelError::Data(
                            "a risk regressor needs scores in [0, 1]".into(),
                        ));
                    }
                }
            }
            if examples.len() < 10 {
                return Err(ModelError::Data(
                    "a risk regressor needs at least 10 examples".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Serialises tensors as safetensors bytes (sorted by name: the same weights give the same
/// bytes).
fn safetensors_bytes(tensors: &HashMap<String, Tensor>) -> candle_core::Result<Vec<u8>> {
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let views: Vec<(&str, &Tensor)> = names.iter().map(|n| (n.as_str(), &tensors[*n])).collect();
    let bytes = safetensors::tensor::serialize(views, None)
        .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
    Ok(bytes)
}
