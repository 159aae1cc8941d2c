//! A BERT encoder over *packed* batches, for inference on the CPU.
//!
//! candle-transformers' `BertModel` pads a batch to its longest text and computes attention as
//! one small matrix product per text and head, each a separate `gemm` call. This encoder gives
//! the same numbers (to float rounding) with less work:
//!
//! * the texts of a batch are laid end to end, so no padding token is ever computed; every dense
//!   layer is one matrix product over all the batch's tokens;
//! * query, key and value are one fused `(3·hidden) × hidden` product;
//! * attention is computed row by row in plain Rust, each token attending only to its own text,
//!   with the rows spread over the thread pool — no per-head `gemm` calls, no mask, no padding.
//!
//! Weight names follow Hugging Face's `BertModel` (`embeddings.*`, `encoder.layer.N.*`, with or
//! without a `bert.` prefix).

use candle_core::{D, DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct};
use rayon::prelude::*;

/// A dense layer, `x·W + b`, with `W` stored `(in, out)` row-major: gemm reads it about 5–10 %
/// faster than the `(out, in)` layout of the checkpoint seen through a transpose.
struct Dense {
    weight_in_out: Tensor,
    bias: Tensor,
}

impl Dense {
    /// From a checkpoint's `(out, in)` weight and its bias.
    fn new(weight_out_in: &Tensor, bias: Tensor) -> candle_core::Result<Self> {
        Ok(Dense {
            weight_in_out: weight_out_in.t()?.contiguous()?,
            bias,
        })
    }

    /// Reads `weight` and `bias` under `vb`.
    fn load(vb: &VarBuilder, in_dim: usize, out_dim: usize) -> candle_core::Result<Self> {
        Dense::new(
            &vb.get((out_dim, in_dim), "weight")?,
            vb.get(out_dim, "bias")?,
        )
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_in_out)?.broadcast_add(&self.bias)
    }
}

/// One transformer layer with its query/key/value projections fused.
struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    up: Dense,
    down: Dense,
    output_norm: LayerNorm,
}

/// A BERT encoder that runs packed (unpadded) batches.
pub(crate) struct PackedBert {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_row: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
    activation: HiddenAct,
    max_positions: usize,
}

impl PackedBert {
    /// Reads the weights of a Hugging Face `BertModel` from `vb`.
    pub(crate) fn load(vb: VarBuilder, config: &Config) -> candle_core::Result<Self> {
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let hidden = config.hidden_size;
        if config.num_attention_heads == 0 || !hidden.is_multiple_of(config.num_attention_heads) {
            candle_core::bail!(
                "hidden_size {hidden} is not a multiple of num_attention_heads {}",
                config.num_attention_heads
            );
        }
        let eps = config.layer_norm_eps;
        let emb = vb.pp("embeddings");
        let word_embeddings = emb.get((config.vocab_size, hidden), "word_embeddings.weight")?;
        let position_embeddings = emb.get(
            (config.max_position_embeddings, hidden),
            "position_embeddings.weight",
        )?;
        let token_type_row = emb
            .get(
                (config.type_vocab_size, hidden),
                "token_type_embeddings.weight",
            )?
            .narrow(0, 0, 1)?;
        let embedding_norm = candle_nn::layer_norm(hidden, eps, emb.pp("LayerNorm"))?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for index in 0..config.num_hidden_layers {
            let l = vb.pp(format!("encoder.layer.{index}"));
            let attn = l.pp("attention");
            let me = attn.pp("self");
            let part = |name: &str| -> candle_core::Result<(Tensor, Tensor)> {
                let p = me.pp(name);
                Ok((p.get((hidden, hidden), "weight")?, p.get(hidden, "bias")?))
            };
            let (qw, qb) = part("query")?;
            let (kw, kb) = part("key")?;
            let (vw, vbias) = part("value")?;
            let qkv = Dense::new(
                &Tensor::cat(&[&qw, &kw, &vw], 0)?,
                Tensor::cat(&[&qb, &kb, &vbias], 0)?,
            )?;
            layers.push(Layer {
                qkv,
                attention_out: Dense::load(&attn.pp("output.dense"), hidden, hidden)?,
                attention_norm: candle_nn::layer_norm(hidden, eps, attn.pp("output.LayerNorm"))?,
                up: Dense::load(
                    &l.pp("intermediate.dense"),
                    hidden,
                    config.intermediate_size,
                )?,
                down: Dense::load(&l.pp("output.dense"), config.intermediate_size, hidden)?,
                output_norm: candle_nn::layer_norm(hidden, eps, l.pp("output.LayerNorm"))?,
            });
        }
        Ok(PackedBert {
            word_embeddings,
            position_embeddings,
            token_type_row,
            embedding_norm,
            layers,
            heads: config.num_attention_heads,
            hidden,
            activation: config.hidden_act,
            max_positions: config.max_position_embeddings,
        })
    }

    /// Encodes the texts whose token ids are `ids`, laid end to end with the lengths `lens`.
    /// Returns the last hidden state, one row per token, as a `(tokens, hidden)` tensor.
    pub(crate) fn forward(
        &self,
        ids: &[u32],
        lens: &[usize],
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let total: usize = lens.iter().sum();
        if total != ids.len() {
            candle_core::bail!("{} token ids for texts of {total} tokens", ids.len());
        }
        if let Some(&long) = lens.iter().find(|&&l| l > self.max_positions) {
            candle_core::bail!("a text of {long} tokens exceeds {}", self.max_positions);
        }
        let positions: Vec<u32> = lens.iter().flat_map(|&l| 0..l as u32).collect();
        let ids = Tensor::from_slice(ids, total, device)?;
        let positions = Tensor::from_vec(positions, total, device)?;
        let x = (self.word_embeddings.index_select(&ids, 0)?
            + self.position_embeddings.index_select(&positions, 0)?)?
        .broadcast_add(&self.token_type_row)?;
        let mut x = self.embedding_norm.forward(&x)?;
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?.flatten_all()?.to_vec1::<f32>()?;
            let context = attention(&qkv, lens, self.heads, self.hidden);
            let context = Tensor::from_vec(context, (total, self.hidden), device)?;
            let attended = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(&context)? + &x)?)?;
            let up = layer.up.forward(&attended)?;
            let up = match self.activation {
                HiddenAct::Gelu => {
                    let mut values = up.flatten_all()?.to_vec1::<f32>()?;
                    values.par_chunks_mut(4096).for_each(gelu_erf_in_place);
                    Tensor::from_vec(values, up.shape(), device)?
                }
                HiddenAct::GeluApproximate => up.gelu()?,
                HiddenAct::Relu => up.relu()?,
            };
            x = layer
                .output_norm
                .forward(&(layer.down.forward(&up)? + attended)?)?;
        }
        Ok(x)
    }

    /// Mean-pools each text's token rows of `hidden` (from [`PackedBert::forward`]) and
    /// L2-normalises the result, as sentence-transformers does.
    pub(crate) fn mean_pool_normalised(
        hidden: &Tensor,
        lens: &[usize],
    ) -> candle_core::Result<Vec<Vec<f32>>> {
        let dim = hidden.dim(D::Minus1)?;
        let rows = hidden
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let mut out = Vec::with_capacity(lens.len());
        let mut at = 0;
        for &len in lens {
            let mut mean = vec![0f32; dim];
            for row in rows[at * dim..(at + len) * dim].chunks_exact(dim) {
                for (m, v) in mean.iter_mut().zip(row) {
                    *m += v;
                }
            }
            let count = len.max(1) as f32;
            mean.iter_mut().for_each(|m| *m /= count);
            let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            mean.iter_mut().for_each(|m| *m /= norm);
            out.push(mean);
            at += len;
        }
        Ok(out)
    }
}

/// Kernels for [`pulp::Arch::dispatch`]. Each `with_simd` is inlined into pulp's
/// `#[target_feature]` entry point, and with it the `#[inline(always)]` kernel it calls, so the
/// kernel is compiled for the CPU's widest SIMD (AVX2 and FMA on x86-64). (A closure would not
/// be inlined there, and its `mul_add`s would become calls to the software `fmaf`.)
enum Kernel<'a> {
    /// [`attend_block`].
    Attend {
        qkv: &'a [f32],
        block: &'a QueryBlock,
        out: &'a mut [f32],
        scratch: &'a mut AttentionScratch,
        heads: usize,
        hidden: usize,
    },
    /// [`gelu_erf_kernel`].
    Gelu(&'a mut [f32]),
    /// [`exp_in_place`].
    #[cfg(test)]
    Exp(&'a mut [f32]),
}

impl pulp::WithSimd for Kernel<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        match self {
            Kernel::Attend {
                qkv,
                block,
                out,
                scratch,
                heads,
                hidden,
            } => attend_block(qkv, block, out, scratch, heads, hidden),
            Kernel::Gelu(values) => gelu_erf_kernel(values),
            #[cfg(test)]
            Kernel::Exp(values) => exp_in_place(values),
        }
    }
}

/// Query rows per unit of parallel attention work.
const ATTENTION_BLOCK: usize = 32;

/// A run of query rows of one text: the unit of parallel attention work.
struct QueryBlock {
    /// The text's first token.
    text_start: usize,
    /// The text's length in tokens.
    text_len: usize,
    /// The block's first query token.
    first: usize,
    /// The number of query tokens.
    rows: usize,
}

/// Keys per tile of [`AttentionScratch::key_tiles`].
const KEY_TILE: usize = 32;

/// Per-thread buffers for [`attend_block`].
#[derive(Default)]
struct AttentionScratch {
    /// One head's keys, scaled by 1/√head_dim, in tiles of [`KEY_TILE`] keys: tile `t` holds,
    /// for each of the head's dimensions `d`, the `d`-th value of keys `32t..32t+32`
    /// (zero past the text's end). A query is scored against a whole tile with 32 running sums
    /// in registers and no bounds checks.
    key_tiles: Vec<[f32; KEY_TILE]>,
    values: Vec<f32>,
    scores: Vec<f32>,
}

/// Scaled dot-product attention over packed texts. `qkv` holds, per token, the query, key and
/// value rows (`3·hidden` values); the result holds, per token, the heads' contexts side by side
/// (`hidden` values). Each token attends to the tokens of its own text only. Work is split into
/// blocks of query rows spread over the thread pool, and each block runs in the widest SIMD the
/// CPU has (`pulp` picks it at run time).
fn attention(qkv: &[f32], lens: &[usize], heads: usize, hidden: usize) -> Vec<f32> {
    let mut blocks = Vec::new();
    let mut text_start = 0;
    for &text_len in lens {
        for offset in (0..text_len).step_by(ATTENTION_BLOCK) {
            blocks.push(QueryBlock {
                text_start,
                text_len,
                first: text_start + offset,
                rows: ATTENTION_BLOCK.min(text_len - offset),
            });
        }
        text_start += text_len;
    }
    let mut context = vec![0f32; text_start * hidden];
    let mut outputs = Vec::with_capacity(blocks.len());
    let mut rest = context.as_mut_slice();
    for block in &blocks {
        let (out, tail) = rest.split_at_mut(block.rows * hidden);
        outputs.push(out);
        rest = tail;
    }
    let arch = pulp::Arch::new();
    outputs
        .into_par_iter()
        .zip(blocks.par_iter())
        .for_each_init(AttentionScratch::default, |scratch, (out, block)| {
            arch.dispatch(Kernel::Attend {
                qkv,
                block,
                out,
                scratch,
                heads,
                hidden,
            })
        });
    context
}

/// Attention for one block of query rows, every head; see [`attention`]. Keys are gathered
/// into tiles and values contiguous per head so that every inner loop runs over adjacent
/// values with its sums in registers.
#[inline(always)]
fn attend_block(
    qkv: &[f32],
    block: &QueryBlock,
    out: &mut [f32],
    scratch: &mut AttentionScratch,
    heads: usize,
    hidden: usize,
) {
    let head_dim = hidden / heads;
    let stride = 3 * hidden;
    let scale = 1.0 / (head_dim as f32).sqrt();
    let len = block.text_len;
    let AttentionScratch {
        key_tiles,
        values,
        scores,
    } = scratch;
    let tiles = len.div_ceil(KEY_TILE);
    key_tiles.clear();
    key_tiles.resize(tiles * head_dim, [0.0; KEY_TILE]);
    values.resize(len * head_dim, 0.0);
    scores.resize(tiles * KEY_TILE, 0.0);
    for h in 0..heads {
        for j in 0..len {
            let row = (block.text_start + j) * stride + h * head_dim;
            let key = &qkv[row + hidden..row + hidden + head_dim];
            let tile = &mut key_tiles[j / KEY_TILE * head_dim..(j / KEY_TILE + 1) * head_dim];
            for (lanes, k) in tile.iter_mut().zip(key) {
                lanes[j % KEY_TILE] = k * scale;
            }
            values[j * head_dim..(j + 1) * head_dim]
                .copy_from_slice(&qkv[row + 2 * hidden..row + 2 * hidden + head_dim]);
        }
        for r in 0..block.rows {
            let row = (block.first + r) * stride + h * head_dim;
            let query = &qkv[row..row + head_dim];
            for (tile, out) in key_tiles
                .chunks_exact(head_dim)
                .zip(scores.as_chunks_mut::<KEY_TILE>().0)
            {
                let mut acc = [0f32; KEY_TILE];
                for (&q, keys) in query.iter().zip(tile) {
                    for (a, &k) in acc.iter_mut().zip(keys) {
                        *a = q.mul_add(k, *a);
                    }
                }
                *out = acc;
            }
            let scores = &mut scores[..len];
            let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
            scores.iter_mut().for_each(|s| *s -= max);
            exp_in_place(scores);
            let inverse_sum = 1.0 / scores.iter().sum::<f32>();
            scores.iter_mut().for_each(|s| *s *= inverse_sum);
            let context = &mut out[r * hidden + h * head_dim..r * hidden + (h + 1) * head_dim];
            match head_dim {
                32 => weighted_sum::<32>(scores, values, context),
                64 => weighted_sum::<64>(scores, values, context),
                _ => {
                    for (offset, lanes) in context.chunks_mut(8).enumerate() {
                        for (&p, value) in scores.iter().zip(values.chunks_exact(head_dim)) {
                            for (c, &v) in lanes.iter_mut().zip(&value[offset * 8..]) {
                                *c = p.mul_add(v, *c);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `context = Σ_j weights[j] · value_j` for `W`-wide value rows, with the `W` sums held in
/// registers across all the rows.
#[inline(always)]
fn weighted_sum<const W: usize>(weights: &[f32], values: &[f32], context: &mut [f32]) {
    let mut acc = [0f32; W];
    for (&p, value) in weights.iter().zip(values.as_chunks::<W>().0) {
        for (a, &v) in acc.iter_mut().zip(value) {
            *a = p.mul_add(v, *a);
        }
    }
    context.copy_from_slice(&acc);
}

/// `e^x` for every value, in place: Cephes' single-precision polynomial (relative error about
/// 1e-7), written without branches so that the compiler vectorises it — libm's `expf` is scalar
/// and was a tenth of the encoder's time. Inputs below -87 give 0-ish values (`e^-87`), as
/// softmax needs nothing smaller.
#[inline(always)]
fn exp_in_place(values: &mut [f32]) {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding 1.5·2^23 rounds to an integer in the low mantissa bits: no call to `roundf`.
    const ROUNDER: f32 = 12_582_912.0;
    for v in values.iter_mut() {
        let x = v.clamp(-87.0, 88.0);
        let shifted = x.mul_add(LOG2_E, ROUNDER);
        let n = shifted - ROUNDER;
        let r = n.mul_add(-LN2_LO, n.mul_add(-LN2_HI, x));
        let mut p = 1.987_569_1e-4_f32;
        p = p.mul_add(r, 1.398_199_9e-3);
        p = p.mul_add(r, 8.333_452e-3);
        p = p.mul_add(r, 4.166_579_6e-2);
        p = p.mul_add(r, 1.666_666_5e-1);
        p = p.mul_add(r, 0.5);
        let e = (p * r).mul_add(r, r) + 1.0;
        let exponent = shifted
            .to_bits()
            .wrapping_sub(ROUNDER.to_bits())
            .wrapping_add(127)
            << 23;
        *v = e * f32::from_bits(exponent);
    }
}

/// GELU with the exact (erf) form, `x/2 · (1 + erf(x/√2))`, in place, in the widest SIMD the
/// CPU has. erf is Abramowitz and Stegun's 7.1.26 (absolute error below 1.5e-7) over the
/// vectorised `exp` above.
fn gelu_erf_in_place(values: &mut [f32]) {
    pulp::Arch::new().dispatch(Kernel::Gelu(values));
}

#[inline(always)]
fn gelu_erf_kernel(values: &mut [f32]) {
    const P: f32 = 0.327_591_1;
    const A: [f32; 5] = [
        0.254_829_6,
        -0.284_496_74,
        1.421_413_7,
        -1.453_152,
        1.061_405_4,
    ];
    let mut exps = [0f32; 64];
    for chunk in values.chunks_mut(64) {
        let exps = &mut exps[..chunk.len()];
        for (e, &x) in exps.iter_mut().zip(chunk.iter()) {
            let z = x * std::f32::consts::FRAC_1_SQRT_2;
            *e = -(z * z);
        }
        exp_in_place(exps);
        for (x, &e) in chunk.iter_mut().zip(exps.iter()) {
            let z = (*x * std::f32::consts::FRAC_1_SQRT_2).abs();
            let t = 1.0 / (1.0 + P * z);
            let poly = t * A[4]
                .mul_add(t, A[3])
                .mul_add(t, A[2])
                .mul_add(t, A[1])
                .mul_add(t, A[0]);
            let erf_abs = (-poly).mul_add(e, 1.0);
            let erf = erf_abs.copysign(*x);
            *x = 0.5 * *x * (1.0 + erf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectorised_exp_matches_the_standard_library() {
        let mut worst = 0f32;
        let xs: Vec<f32> = (0..20_000).map(|i| -80.0 + i as f32 * 0.004_37).collect();
        let mut ys = xs.clone();
        pulp::Arch::new().dispatch(Kernel::Exp(&mut ys));
        for (x, y) in xs.iter().zip(&ys) {
            let want = x.exp();
            worst = worst.max((y - want).abs() / want);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        let xs: Vec<f32> = (0..4_001).map(|i| -10.0 + i as f32 * 0.005).collect();
        let mut ys = xs.clone();
        gelu_erf_in_place(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let want = 0.5 * f64::from(*x) * (1.0 + erf(f64::from(*x) / std::f64::consts::SQRT_2));
            assert!(
                (f64::from(*y) - want).abs() < 5e-7 * (1.0 + x.abs() as f64),
                "gelu({x}) = {y}, want {want}"
            );
        }
    }

    /// erf by its Taylor series (|x| < 3) or continued fraction, in f64: the test's reference.
    fn erf(x: f64) -> f64 {
        if x.abs() < 3.0 {
            let (mut term, mut sum, mut n) = (x, x, 0.0);
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                sum += term / (2.0 * n + 1.0);
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            // erfc by Lentz's continued fraction.
            let z = x.abs();
            let mut f = z;
            for k in (1..60).rev() {
                f = z + (k as f64 / 2.0) / f;
            }
            let erfc = (-z * z).exp() / (f * std::f64::consts::PI.sqrt());
            (1.0 - erfc).copysign(x)
        }
    }
}
