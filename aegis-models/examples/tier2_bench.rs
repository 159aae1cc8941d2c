//! Tier-2 speed: the `hashed_ngrams` model (traces/s on one core) and MiniLM embedding
//! throughput at batch sizes 1, 8 and 32 (or `--batches`). Prints one JSON object per
//! measurement.
//!
//! ```text
//! cargo run --release -p aegis-models --example tier2_bench -- \
//!     --weights domains/healthcare/models/safety_risk --texts examples/traces/healthcare.jsonl
//! ```
//! `benches/minilm/run.sh` runs it beside sentence-transformers on the same texts.
//! `--field NAME` reads that field of each line instead of `output` (or `text`);
//! `--batches 1,8` picks the batch sizes. `--plain-bert` also measures candle-transformers' own
//! `BertModel` (texts padded to the longest of their length-sorted batch), the baseline Aegis'
//! packed encoder replaced.

use std::path::PathBuf;
use std::time::Instant;

use aegis_models::{Backbones, MiniLm, TextModel, minilm};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut weights = None;
    let mut texts_path = None;
    let mut min_seconds = 3.0f64;
    let mut plain_bert = false;
    let mut field = None;
    let mut batches = vec![1usize, 8, 32];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--weights" => weights = args.next().map(PathBuf::from),
            "--plain-bert" => plain_bert = true,
            "--texts" => texts_path = args.next().map(PathBuf::from),
            "--field" => field = args.next(),
            "--batches" => {
                batches = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--batches takes sizes such as 1,8,32: {e}"))?
            }
            "--min-seconds" => {
                min_seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0)
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let texts_path =
        texts_path.ok_or("--texts FILE (JSONL with `output` or `text`) is required")?;
    let texts: Vec<String> = std::fs::read_to_string(&texts_path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            match &field {
                Some(name) => v.get(name),
                None => v.get("output").or_else(|| v.get("text")),
            }
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    if let Some(dir) = weights {
        let model = TextModel::load_dir(&dir, &Backbones::default())?;
        let (mut n, start) = (0usize, Instant::now());
        while start.elapsed().as_secs_f64() < min_seconds {
            for t in &refs {
                std::hint::black_box(model.predict(t)?);
            }
            n += refs.len();
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{{\"bench\":\"hashed_ngrams\",\"texts\":{n},\"seconds\":{secs:.3},\"per_second\":{:.0},\"mean_us\":{:.2}}}",
            n as f64 / secs,
            secs * 1e6 / n as f64
        );
    }
    let Some(dir) = minilm::locate() else {
        eprintln!("SKIPPED minilm: run `cargo xtask fetch-model minilm`");
        return Ok(());
    };
    let m = MiniLm::load(&dir)?;
    measure("minilm", min_seconds, &batches, refs.len(), |batch| {
        std::hint::black_box(m.embed_all(&refs, batch)?);
        Ok(())
    })?;
    if plain_bert {
        let plain = PlainBert::load(&dir)?;
        measure(
            "candle-bertmodel",
            min_seconds,
            &batches,
            refs.len(),
            |batch| plain.embed_all(&refs, batch),
        )?;
    }
    Ok(())
}

type BenchResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs `embed(batch)` (which embeds all `texts` texts once) for at least `min_seconds` at
/// each of the batch sizes `batches` and prints texts/s.
fn measure(
    name: &str,
    min_seconds: f64,
    batches: &[usize],
    texts: usize,
    mut embed: impl FnMut(usize) -> BenchResult,
) -> BenchResult {
    for &batch in batches {
        embed(batch)?; // warm-up
        let (mut rounds, start) = (0usize, Instant::now());
        while start.elapsed().as_secs_f64() < min_seconds {
            embed(batch)?;
            rounds += 1;
        }
        let secs = start.elapsed().as_secs_f64();
        let n = rounds * texts;
        println!(
            "{{\"bench\":\"{name}\",\"batch\":{batch},\"texts\":{n},\"seconds\":{secs:.3},\"per_second\":{:.1}}}",
            n as f64 / secs
        );
    }
    Ok(())
}

/// candle-transformers' `BertModel` as a sentence encoder: padded batches, mean pooling over the
/// mask, L2 normalisation.
struct PlainBert {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl PlainBert {
    fn load(dir: &std::path::Path) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let config: Config = serde_json::from_slice(&std::fs::read(dir.join("config.json"))?)?;
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))?;
        tokenizer.with_truncation(Some(TruncationParams {
            max_length: minilm::MAX_TOKENS,
            ..TruncationParams::default()
        }))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        let weights = std::fs::read(dir.join("model.safetensors"))?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)?;
        Ok(PlainBert {
            model: BertModel::load(vb, &config)?,
            tokenizer,
        })
    }

    fn embed_all(&self, texts: &[&str], batch: usize) -> BenchResult {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        for chunk in order.chunks(batch) {
            let slice: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
            let enc = self.tokenizer.encode_batch(slice, true)?;
            let (n, len) = (enc.len(), enc[0].get_ids().len());
            let ids: Vec<u32> = enc.iter().flat_map(|e| e.get_ids().to_vec()).collect();
            let mask: Vec<u32> = enc
                .iter()
                .flat_map(|e| e.get_attention_mask().to_vec())
                .collect();
            let ids = Tensor::from_vec(ids, (n, len), &Device::Cpu)?;
            let mask = Tensor::from_vec(mask, (n, len), &Device::Cpu)?;
            let hidden = self.model.forward(&ids, &ids.zeros_like()?, Some(&mask))?;
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let mean = hidden
                .broadcast_mul(&mask)?
                .sum(1)?
                .broadcast_div(&mask.sum(1)?)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            std::hint::black_box(mean.broadcast_div(&norm)?.to_vec2::<f32>()?);
        }
        Ok(())
    }
}
