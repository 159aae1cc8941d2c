//! A BERT encoder over *packed* batches, for inference on the CPU.
//!
//! candle-transformers' `BertModel` pads a batch to its longest text and computes attention as
//! one small matrix product per text and head, each a separate `gemm` call. This encoder gives
//! the same numbers (to float rounding) with less work:
//!
//! * the texts of a batch are laid end to end, so no padding token is ever computed; every dense
//!   layer is one matrix product over all the batch's tokens;
//! * query, key and value are one fused `(3·hidden) × hidden` product;
//! * attention is computed in plain Rust, each token attending only to its own text, in blocks of
//!   query rows spread over the thread pool, two rows scored per key loaded — no per-head `gemm`
//!   calls, no mask, no padding tokens;
//! * candle computes only the matrix products. Bias, residual, layer norm and activation are
//!   fused into one pass over each product, on rayon's pool: candle's element-wise operations
//!   run on a second pool of their own whose idle workers spin, and on two cores that spinning
//!   took 19 % of the profile's samples from the matrix products.
//!
//! Weight names follow Hugging Face's `BertModel` (`embeddings.*`, `encoder.layer.N.*`, with or
//! without a `bert.` prefix).

use candle_core::{Device, Storage, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{Config, HiddenAct};
use rayon::prelude::*;

/// A dense layer, `x·W + b`, with `W` stored `(in, out)` row-major: gemm reads it about 5–10 %
/// faster than the `(out, in)` layout of the checkpoint seen through a transpose. The bias is
/// added by whichever pass reads the product next.
struct Dense {
    weight_in_out: Tensor,
    bias: Vec<f32>,
}

impl Dense {
    /// From a checkpoint's `(out, in)` weight and its bias.
    fn new(weight_out_in: &Tensor, bias: &Tensor) -> candle_core::Result<Self> {
        Ok(Dense {
            weight_in_out: weight_out_in.t()?.contiguous()?,
            bias: bias.to_vec1()?,
        })
    }

    /// Reads `weight` and `bias` under `vb`.
    fn load(vb: &VarBuilder, in_dim: usize, out_dim: usize) -> candle_core::Result<Self> {
        Dense::new(
            &vb.get((out_dim, in_dim), "weight")?,
            &vb.get(out_dim, "bias")?,
        )
    }

    /// `x·W`, without the bias.
    fn product(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_in_out)
    }
}

/// Layer normalisation's learned scale and shift.
struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn load(vb: &VarBuilder, width: usize, eps: f64) -> candle_core::Result<Self> {
        Ok(Norm {
            gamma: vb.get(width, "weight")?.to_vec1()?,
            beta: vb.get(width, "bias")?.to_vec1()?,
            eps: eps as f32,
        })
    }

    /// Normalises `row` in place (mean 0, variance 1 over the row), then scales and shifts it.
    fn apply(&self, row: &mut [f32]) {
        let width = row.len() as f32;
        let mean = sum_lanes(row) / width;
        let squares = |sum: f32, v: f32| sum + (v - mean) * (v - mean);
        let variance = fold_lanes(row, 0.0, squares, |a, b| a + b) / width;
        let inverse_sd = 1.0 / (variance + self.eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
            // Not `mul_add`: outside a `pulp` kernel that is a call to the software `fmaf`.
            *v = (*v - mean) * inverse_sd * g + b;
        }
    }
}

/// Folds `values` with `step` in eight independent lanes, then joins the lanes with `join`, so
/// that the loop vectorises (a plain float fold must keep its order and cannot).
#[inline(always)]
fn fold_lanes(
    values: &[f32],
    init: f32,
    step: impl Fn(f32, f32) -> f32,
    join: impl Fn(f32, f32) -> f32,
) -> f32 {
    let mut lanes = [init; 8];
    let (chunks, rest) = values.as_chunks::<8>();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane = step(*lane, v);
        }
    }
    let tail = rest.iter().fold(init, |acc, &v| step(acc, v));
    lanes.into_iter().fold(tail, join)
}

/// The sum of `values`; see [`fold_lanes`].
#[inline(always)]
fn sum_lanes(values: &[f32]) -> f32 {
    fold_lanes(values, 0.0, |sum, v| sum + v, |a, b| a + b)
}

/// One transformer layer with its query/key/value projections fused.
struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    up: Dense,
    down: Dense,
    output_norm: Norm,
}

/// A BERT encoder that runs packed (unpadded) batches.
pub(crate) struct PackedBert {
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    token_type_row: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    hidden: usize,
    intermediate: usize,
    vocab: usize,
    activation: HiddenAct,
    max_positions: usize,
}

/// Rows per unit of parallel work in the element-wise passes.
const ROWS_PER_TASK: usize = 8;

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
        let flat = |t: Tensor| t.flatten_all()?.to_vec1::<f32>();
        let word_embeddings =
            flat(emb.get((config.vocab_size, hidden), "word_embeddings.weight")?)?;
        let position_embeddings = flat(emb.get(
            (config.max_position_embeddings, hidden),
            "position_embeddings.weight",
        )?)?;
        let token_type_row = flat(
            emb.get(
                (config.type_vocab_size, hidden),
                "token_type_embeddings.weight",
            )?
            .narrow(0, 0, 1)?,
        )?;
        let embedding_norm = Norm::load(&emb.pp("LayerNorm"), hidden, eps)?;
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
                &Tensor::cat(&[&qb, &kb, &vbias], 0)?,
            )?;
            layers.push(Layer {
                qkv,
                attention_out: Dense::load(&attn.pp("output.dense"), hidden, hidden)?,
                attention_norm: Norm::load(&attn.pp("output.LayerNorm"), hidden, eps)?,
                up: Dense::load(
                    &l.pp("intermediate.dense"),
                    hidden,
                    config.intermediate_size,
                )?,
                down: Dense::load(&l.pp("output.dense"), config.intermediate_size, hidden)?,
                output_norm: Norm::load(&l.pp("output.LayerNorm"), hidden, eps)?,
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
            intermediate: config.intermediate_size,
            vocab: config.vocab_size,
            activation: config.hidden_act,
            max_positions: config.max_position_embeddings,
        })
    }

    /// Encodes the texts whose token ids are `ids`, laid end to end with the lengths `lens`.
    /// Returns the last hidden state, one row of `hidden` values per token.
    pub(crate) fn forward(
        &self,
        ids: &[u32],
        lens: &[usize],
        device: &Device,
    ) -> candle_core::Result<Vec<f32>> {
        let total: usize = lens.iter().sum();
        if total != ids.len() {
            candle_core::bail!("{} token ids for texts of {total} tokens", ids.len());
        }
        if let Some(&long) = lens.iter().find(|&&l| l > self.max_positions) {
            candle_core::bail!("a text of {long} tokens exceeds {}", self.max_positions);
        }
        if let Some(&id) = ids.iter().find(|&&id| id as usize >= self.vocab) {
            candle_core::bail!("token id {id} is outside the vocabulary of {}", self.vocab);
        }
        let hidden = self.hidden;
        let positions: Vec<usize> = lens.iter().flat_map(|&l| 0..l).collect();
        let mut x = vec![0f32; total * hidden];
        x.par_chunks_mut(ROWS_PER_TASK * hidden)
            .enumerate()
            .for_each(|(task, rows)| {
                for (r, row) in rows.chunks_exact_mut(hidden).enumerate() {
                    let token = task * ROWS_PER_TASK + r;
                    let word = &self.word_embeddings[ids[token] as usize * hidden..][..hidden];
                    let position = &self.position_embeddings[positions[token] * hidden..][..hidden];
                    for (((v, w), p), t) in row
                        .iter_mut()
                        .zip(word)
                        .zip(position)
                        .zip(&self.token_type_row)
                    {
                        *v = w + p + t;
                    }
                    self.embedding_norm.apply(row);
                }
            });
        for layer in &self.layers {
            let x_tensor = Tensor::from_vec(x, (total, hidden), device)?;
            let qkv = layer.qkv.product(&x_tensor)?;
            let context = with_rows(&qkv, |qkv| {
                attention(qkv, &layer.qkv.bias, lens, self.heads, hidden)
            })?;
            let context = Tensor::from_vec(context, (total, hidden), device)?;
            let projected = layer.attention_out.product(&context)?;
            let attended = residual_norm(
                &projected,
                &layer.attention_out,
                &x_tensor,
                &layer.attention_norm,
            )?;
            let attended = Tensor::from_vec(attended, (total, hidden), device)?;
            let up = layer.up.product(&attended)?;
            let activated = with_rows(&up, |up| {
                bias_activation(up, &layer.up.bias, self.activation)
            })?;
            let activated = Tensor::from_vec(activated, (total, self.intermediate), device)?;
            let down = layer.down.product(&activated)?;
            x = residual_norm(&down, &layer.down, &attended, &layer.output_norm)?;
        }
        Ok(x)
    }

    /// Mean-pools each text's token rows of `hidden` (from [`PackedBert::forward`]) and
    /// L2-normalises the result, as sentence-transformers does.
    pub(crate) fn mean_pool_normalised(&self, rows: &[f32], lens: &[usize]) -> Vec<Vec<f32>> {
        let dim = self.hidden;
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
        out
    }
}

/// Calls `read` with the values of a contiguous `f32` tensor on the CPU, without copying them.
fn with_rows<R>(tensor: &Tensor, read: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
    let (storage, layout) = tensor.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        candle_core::bail!("the packed BERT encoder runs on the CPU only");
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("the packed BERT encoder needs contiguous tensors");
    };
    Ok(read(&cpu.as_slice::<f32>()?[start..end]))
}

/// `norm(product + dense.bias + residual)` for a `dense` layer's `product`; see
/// [`bias_residual_norm`].
fn residual_norm(
    product: &Tensor,
    dense: &Dense,
    residual: &Tensor,
    norm: &Norm,
) -> candle_core::Result<Vec<f32>> {
    with_rows(product, |product| {
        with_rows(residual, |residual| {
            bias_residual_norm(product, &dense.bias, residual, norm)
        })
    })?
}

/// `norm(product + bias + residual)`, row by row over the thread pool; each row is as wide as
/// `bias`.
fn bias_residual_norm(product: &[f32], bias: &[f32], residual: &[f32], norm: &Norm) -> Vec<f32> {
    let width = bias.len();
    let mut out = vec![0f32; product.len()];
    out.par_chunks_mut(ROWS_PER_TASK * width)
        .zip(product.par_chunks(ROWS_PER_TASK * width))
        .zip(residual.par_chunks(ROWS_PER_TASK * width))
        .for_each(|((out, product), residual)| {
            for ((row, p), r) in out
                .chunks_exact_mut(width)
                .zip(product.chunks_exact(width))
                .zip(residual.chunks_exact(width))
            {
                for (((o, p), r), b) in row.iter_mut().zip(p).zip(r).zip(bias) {
                    *o = p + b + r;
                }
                norm.apply(row);
            }
        });
    out
}

/// `activation(product + bias)`, over the thread pool; each row is as wide as `bias`.
fn bias_activation(product: &[f32], bias: &[f32], activation: HiddenAct) -> Vec<f32> {
    let width = bias.len();
    let mut out = vec![0f32; product.len()];
    out.par_chunks_mut(ROWS_PER_TASK * width)
        .zip(product.par_chunks(ROWS_PER_TASK * width))
        .for_each(|(out, product)| {
            for (row, p) in out.chunks_exact_mut(width).zip(product.chunks_exact(width)) {
                for ((o, p), b) in row.iter_mut().zip(p).zip(bias) {
                    *o = p + b;
                }
            }
            match activation {
                HiddenAct::Gelu => gelu_erf_in_place(out),
                HiddenAct::GeluApproximate => out.iter_mut().for_each(|v| {
                    let inner =
                        (2.0 / std::f32::consts::PI).sqrt() * (*v + 0.044_715 * *v * *v * *v);
                    *v *= 0.5 * (1.0 + inner.tanh());
                }),
                HiddenAct::Relu => out.iter_mut().for_each(|v| *v = v.max(0.0)),
            }
        });
    out
}

/// Kernels for [`pulp::Arch::dispatch`]. Each `with_simd` is inlined into pulp's
/// `#[target_feature]` entry point, and with it the `#[inline(always)]` kernel it calls, so the
/// kernel is compiled for the CPU's widest SIMD (AVX2 and FMA on x86-64). (A closure would not
/// be inlined there, and its `mul_add`s would become calls to the software `fmaf`.)
enum Kernel<'a> {
    /// [`attend_block`].
    Attend {
        qkv: &'a [f32],
        bias: &'a [f32],
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
                bias,
                block,
                out,
                scratch,
                heads,
                hidden,
            } => attend_block(qkv, bias, block, out, scratch, heads, hidden),
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
    /// for each of the head's dimensions `d`, the `d`-th value of the tile's [`KEY_TILE`] keys
    /// (zero past the text's end). A query is scored against a whole tile with 32 running sums
    /// in registers and no bounds checks.
    key_tiles: Vec<[f32; KEY_TILE]>,
    /// One head's values (with their bias), a row of `head_dim` per key.
    values: Vec<f32>,
    /// The scores of [`ROWS_AT_ONCE`] query rows, one after the other, each padded to whole tiles.
    scores: Vec<f32>,
    /// [`ROWS_AT_ONCE`] query rows with their bias added, side by side: entry `d` holds each
    /// row's `d`-th value.
    queries: Vec<[f32; ROWS_AT_ONCE]>,
    /// The rows' attention weights, side by side: entry `j` holds each row's weight of key `j`.
    weights: Vec<[f32; ROWS_AT_ONCE]>,
}

/// Query rows scored and summed together, so that each key and value loaded serves them all.
const ROWS_AT_ONCE: usize = 2;

/// Scaled dot-product attention over packed texts. `qkv` holds, per token, the query, key and
/// value rows (`3·hidden` values) without their `bias` (as long as one such row); the result holds, per token, the heads' contexts side by side
/// (`hidden` values). Each token attends to the tokens of its own text only. Work is split into
/// blocks of query rows spread over the thread pool, and each block runs in the widest SIMD the
/// CPU has (`pulp` picks it at run time).
fn attention(qkv: &[f32], bias: &[f32], lens: &[usize], heads: usize, hidden: usize) -> Vec<f32> {
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
                bias,
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
    bias: &[f32],
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
        queries,
        weights,
    } = scratch;
    let tiles = len.div_ceil(KEY_TILE);
    key_tiles.clear();
    key_tiles.resize(tiles * head_dim, [0.0; KEY_TILE]);
    values.resize(len * head_dim, 0.0);
    let padded = tiles * KEY_TILE;
    scores.resize(ROWS_AT_ONCE * padded, 0.0);
    queries.resize(head_dim, [0.0; ROWS_AT_ONCE]);
    weights.resize(len, [0.0; ROWS_AT_ONCE]);
    for h in 0..heads {
        let query_bias = &bias[h * head_dim..(h + 1) * head_dim];
        let key_bias = &bias[hidden + h * head_dim..hidden + (h + 1) * head_dim];
        let value_bias = &bias[2 * hidden + h * head_dim..2 * hidden + (h + 1) * head_dim];
        for j in 0..len {
            let row = (block.text_start + j) * stride + h * head_dim;
            let key = &qkv[row + hidden..row + hidden + head_dim];
            let tile = &mut key_tiles[j / KEY_TILE * head_dim..(j / KEY_TILE + 1) * head_dim];
            for ((lanes, k), b) in tile.iter_mut().zip(key).zip(key_bias) {
                lanes[j % KEY_TILE] = (k + b) * scale;
            }
            let value = &qkv[row + 2 * hidden..row + 2 * hidden + head_dim];
            for ((v, x), b) in values[j * head_dim..(j + 1) * head_dim]
                .iter_mut()
                .zip(value)
                .zip(value_bias)
            {
                *v = x + b;
            }
        }
        for first in (0..block.rows).step_by(ROWS_AT_ONCE) {
            let count = ROWS_AT_ONCE.min(block.rows - first);
            // Past the block's end, the last row is repeated and its results dropped.
            for i in 0..ROWS_AT_ONCE {
                let row = (block.first + first + i.min(count - 1)) * stride + h * head_dim;
                for ((q, x), b) in queries
                    .iter_mut()
                    .zip(&qkv[row..row + head_dim])
                    .zip(query_bias)
                {
                    q[i] = x + b;
                }
            }
            for (t, tile) in key_tiles.chunks_exact(head_dim).enumerate() {
                let mut acc = [[0f32; KEY_TILE]; ROWS_AT_ONCE];
                for (q, keys) in queries.iter().zip(tile) {
                    for (acc, &q) in acc.iter_mut().zip(q) {
                        for (a, &k) in acc.iter_mut().zip(keys) {
                            *a = q.mul_add(k, *a);
                        }
                    }
                }
                for (i, acc) in acc.iter().enumerate() {
                    scores[i * padded + t * KEY_TILE..][..KEY_TILE].copy_from_slice(acc);
                }
            }
            for i in 0..ROWS_AT_ONCE {
                let row = &mut scores[i * padded..i * padded + len];
                let max = fold_lanes(row, f32::NEG_INFINITY, f32::max, f32::max);
                row.iter_mut().for_each(|s| *s -= max);
                exp_in_place(row);
                let inverse_sum = 1.0 / sum_lanes(row);
                for (w, &s) in weights.iter_mut().zip(row.iter()) {
                    w[i] = s * inverse_sum;
                }
            }
            let weights = &weights[..len];
            let context = |i: usize| {
                (first + i) * hidden + h * head_dim..(first + i) * hidden + (h + 1) * head_dim
            };
            let mut write = |i: usize, sum: &[f32]| out[context(i)].copy_from_slice(sum);
            match head_dim {
                32 => weighted_sums::<32>(weights, values, count, &mut write),
                64 => weighted_sums::<64>(weights, values, count, &mut write),
                _ => {
                    for i in 0..count {
                        let context = &mut out[context(i)];
                        context.fill(0.0);
                        for (w, value) in weights.iter().zip(values.chunks_exact(head_dim)) {
                            for (c, &v) in context.iter_mut().zip(value) {
                                *c = w[i].mul_add(v, *c);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// For each of the first `rows` of [`ROWS_AT_ONCE`] query rows `i`, `write(i, Σ_j weights[j][i]
/// · value_j)` over `W`-wide value rows, with all the sums held in registers and each value row
/// loaded once.
#[inline(always)]
fn weighted_sums<const W: usize>(
    weights: &[[f32; ROWS_AT_ONCE]],
    values: &[f32],
    rows: usize,
    write: &mut impl FnMut(usize, &[f32]),
) {
    let mut acc = [[0f32; W]; ROWS_AT_ONCE];
    for (w, value) in weights.iter().zip(values.as_chunks::<W>().0) {
        for (acc, &w) in acc.iter_mut().zip(w) {
            for (a, &v) in acc.iter_mut().zip(value) {
                *a = w.mul_add(v, *a);
            }
        }
    }
    for (i, sum) in acc.iter().enumerate().take(rows) {
        write(i, sum);
    }
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

    /// Attention as the definition writes it, in f64, one query row at a time.
    fn naive_attention(
        qkv: &[f32],
        bias: &[f32],
        lens: &[usize],
        heads: usize,
        hidden: usize,
    ) -> Vec<f64> {
        let head_dim = hidden / heads;
        let at = |token: usize, part: usize, h: usize, d: usize| {
            let i = part * hidden + h * head_dim + d;
            f64::from(qkv[token * 3 * hidden + i]) + f64::from(bias[i])
        };
        let mut out = vec![0f64; lens.iter().sum::<usize>() * hidden];
        let mut start = 0;
        for &len in lens {
            for h in 0..heads {
                for query in start..start + len {
                    let scores: Vec<f64> = (start..start + len)
                        .map(|key| {
                            (0..head_dim)
                                .map(|d| at(query, 0, h, d) * at(key, 1, h, d))
                                .sum::<f64>()
                                / (head_dim as f64).sqrt()
                        })
                        .collect();
                    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let total: f64 = scores.iter().map(|s| (s - max).exp()).sum();
                    for d in 0..head_dim {
                        out[query * hidden + h * head_dim + d] = scores
                            .iter()
                            .enumerate()
                            .map(|(j, s)| (s - max).exp() / total * at(start + j, 2, h, d))
                            .sum();
                    }
                }
            }
            start += len;
        }
        out
    }

    #[test]
    fn packed_attention_matches_the_definition() {
        // Head widths with and without a specialised kernel; texts shorter and longer than a
        // key tile and a query block, with odd row counts.
        for (heads, hidden, lens) in [
            (12, 384, vec![1usize, 7, 33, 70]),
            (4, 256, vec![65, 2]),
            (3, 60, vec![5, 31, 32, 97]),
        ] {
            let total: usize = lens.iter().sum();
            let mut state = 0x9e37_79b9_u32;
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state as f32 / u32::MAX as f32) * 4.0 - 2.0
            };
            let qkv: Vec<f32> = (0..total * 3 * hidden).map(|_| next()).collect();
            let bias: Vec<f32> = (0..3 * hidden).map(|_| next()).collect();
            let got = attention(&qkv, &bias, &lens, heads, hidden);
            let want = naive_attention(&qkv, &bias, &lens, heads, hidden);
            let worst = got
                .iter()
                .zip(&want)
                .map(|(g, w)| (f64::from(*g) - w).abs())
                .fold(0f64, f64::max);
            assert!(
                worst < 1e-5,
                "{heads} heads of {hidden}, texts {lens:?}: {worst}"
            );
        }
    }

    #[test]
    fn layer_norm_matches_the_definition() {
        let norm = Norm {
            gamma: (0..37).map(|i| 0.5 + i as f32 / 37.0).collect(),
            beta: (0..37).map(|i| i as f32 / 10.0 - 1.0).collect(),
            eps: 1e-12,
        };
        let mut row: Vec<f32> = (0..37).map(|i| ((i * 7919) % 101) as f32 / 10.0).collect();
        let x: Vec<f64> = row.iter().map(|&v| f64::from(v)).collect();
        let mean = x.iter().sum::<f64>() / 37.0;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 37.0).sqrt();
        norm.apply(&mut row);
        for (i, (got, v)) in row.iter().zip(&x).enumerate() {
            let want = (v - mean) / sd * f64::from(norm.gamma[i]) + f64::from(norm.beta[i]);
            assert!(
                (f64::from(*got) - want).abs() < 1e-5,
                "{i}: {got} vs {want}"
            );
        }
    }

    /// The packed encoder against candle-transformers' `BertModel` on small random weights, for
    /// each activation and for head widths with (32) and without (12) a specialised kernel:
    /// several texts packed into one batch give, row for row, what `BertModel` gives for each
    /// text alone. (The MiniLM test checks real weights against sentence-transformers, when the
    /// model is fetched.)
    #[test]
    fn packed_encoder_matches_candle_bert_model() {
        use candle_core::DType;
        use candle_nn::VarMap;
        use candle_transformers::models::bert::BertModel;

        for (hidden, heads, activation) in [
            (48, 4, HiddenAct::Gelu),
            (64, 2, HiddenAct::GeluApproximate),
            (48, 4, HiddenAct::Relu),
        ] {
            let config = Config {
                vocab_size: 97,
                hidden_size: hidden,
                num_hidden_layers: 2,
                num_attention_heads: heads,
                intermediate_size: 4 * hidden,
                hidden_act: activation,
                max_position_embeddings: 64,
                type_vocab_size: 2,
                ..Config::default()
            };
            let device = Device::Cpu;
            let varmap = VarMap::new();
            let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
            // `BertModel` creates the random weights; the packed encoder reads the same ones.
            let reference = BertModel::load(vb.clone(), &config).unwrap();
            let packed = PackedBert::load(vb, &config).unwrap();

            let lens = [1usize, 9, 40, 33];
            let ids: Vec<u32> = (0..lens.iter().sum::<usize>())
                .map(|i| (i * 31 % 97) as u32)
                .collect();
            let rows = packed.forward(&ids, &lens, &device).unwrap();
            let mut start = 0;
            for &len in &lens {
                let text = Tensor::from_slice(&ids[start..start + len], (1, len), &device).unwrap();
                let want = reference
                    .forward(&text, &text.zeros_like().unwrap(), None)
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap();
                let got = &rows[start * hidden..(start + len) * hidden];
                let worst = got
                    .iter()
                    .zip(&want)
                    .map(|(g, w)| (g - w).abs())
                    .fold(0f32, f32::max);
                assert!(
                    worst < 1e-4,
                    "{activation:?}, {heads} heads of {hidden}, text of {len}: {worst}"
                );
                start += len;
            }
            // Out-of-vocabulary ids and texts longer than the positions are errors, not panics.
            assert!(packed.forward(&[97], &[1], &device).is_err());
            assert!(packed.forward(&[1; 65], &[65], &device).is_err());
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
