// Event-driven fully connected layers for spike inputs: the forward y = x W^T and the
// grad-weight dW = dy^T x, both with work proportional to the nonzero inputs.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include <omp.h>

#include "aligned.h"
#include "common.h"
#include "layer-op.h"
#include "simd.h"
#include "sparse.h"
#include "transpose.h"
#include "vec.h"

namespace hsnn {

namespace {

/** a linear entry point's (a, b, n, inF, outF, out): input [n, inF], weight [outF, inF], output [n, outF] */
struct LinearCall {
  int64_t n, inF, outF;
  LayerOperands op;
};

LinearCall readLinear(const Napi::CallbackInfo& info, LayerOp op) {
  const int64_t n = intArg(info, 2, "n"), inF = intArg(info, 3, "inF"), outF = intArg(info, 4, "outF");
  return {n, inF, outF, layerOperands(info, op, 5, [&](LayerTensor t) {
            if (t == LayerTensor::Input) return elems(info, {n, inF});
            if (t == LayerTensor::Weight) return elems(info, {outF, inF});
            return elems(info, {n, outF});
          })};
}

}  // namespace

// ---- linear grad-weight, sparse in x: dW[o, i] = sum over nonzero x[n, i] = v of v * dy[n, o].
// x's nonzeros are listed per input feature (CSC); threads split the outputs in groups of 64,
// pack the group's columns of dy contiguously (zero-padded past outF) and accumulate a
// feature's column in four 16-wide registers over its events, 16 features at a time, so dW is
// written in whole cache lines.
namespace {

constexpr int64_t kLinGroup = 64;
constexpr int64_t kLinCols = 16;

template <int N>
HSNN_ISA_BODY void linearColumnsBody(const int32_t* rows, const float* vals, const int64_t* ptr, const float* pack,
                                     int64_t width, int64_t inF, int64_t o0, int64_t i0, int64_t cols, float* dw) {
  alignas(64) float buf[kLinGroup][kLinCols];
  alignas(64) float col[kLinGroup];
  for (int64_t k = 0; k < cols; k++) {
    const int64_t i = i0 + k;
    Row64<N> a{};
    for (int64_t e = ptr[i]; e < ptr[i + 1]; e++) a.addScaled(vals[e], pack + rows[e] * kLinGroup);
    a.store(col);
    for (int j = 0; j < kLinGroup; j++) buf[j][k] = col[j];
  }
  for (int64_t j = 0; j < width; j++) std::memcpy(dw + (o0 + j) * inF + i0, buf[j], static_cast<size_t>(cols) * sizeof(float));
}
HSNN_MULTI_ISA_LANES(void, linearColumns,
                     (const int32_t* rows, const float* vals, const int64_t* ptr, const float* pack, int64_t width,
                      int64_t inF, int64_t o0, int64_t i0, int64_t cols, float* dw),
                     (rows, vals, ptr, pack, width, inF, o0, i0, cols, dw))

}  // namespace

Napi::Value LinearBackwardWeightsSparse(const Napi::CallbackInfo& info) {
  const LinearCall c = readLinear(info, LayerOp::BackwardWeights);
  const int64_t n = c.n, inF = c.inF, outF = c.outF;
  const float* x = c.op.a;
  const float* dy = c.op.b;
  float* dw = c.op.out;
  if (outF == 0 || inF == 0) return info.Env().Undefined();
  if (n >= (int64_t(1) << 31)) throw Napi::RangeError::New(info.Env(), "linearBackwardWeightsSparse: too many rows");
  // CSC of x: per feature, its nonzero rows and values
  std::vector<int64_t> ptr(static_cast<size_t>(inF + 1), 0);
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * inF;
    for (int64_t i = 0; i < inF; i++) ptr[i + 1] += xr[i] != 0.0f;
  }
  for (int64_t i = 0; i < inF; i++) ptr[i + 1] += ptr[i];
  std::vector<int32_t> rows(static_cast<size_t>(ptr[inF]));
  std::vector<float> vals(static_cast<size_t>(ptr[inF]));
  {
    std::vector<int64_t> fill(ptr.begin(), ptr.end() - 1);
    for (int64_t r = 0; r < n; r++) {
      const float* xr = x + r * inF;
      for (int64_t i = 0; i < inF; i++) {
        if (xr[i] != 0.0f) {
          const int64_t e = fill[i]++;
          rows[e] = static_cast<int32_t>(r);
          vals[e] = xr[i];
        }
      }
    }
  }
  const int64_t groups = (outF + kLinGroup - 1) / kLinGroup;
#pragma omp parallel if (groups * ptr[inF] >= (1 << 14))
  {
    // the group's columns of dy, packed [n][64]: dy's rows are outF apart (often a power of two,
    // which would map a group's 256-byte pieces onto a few cache sets)
    AlignedVector<float> pack(static_cast<size_t>(n * kLinGroup), 0.0f);
#pragma omp for schedule(dynamic, 1)
    for (int64_t g = 0; g < groups; g++) {
      const int64_t o0 = g * kLinGroup, width = std::min(kLinGroup, outF - o0);
      for (int64_t r = 0; r < n; r++) std::memcpy(pack.data() + r * kLinGroup, dy + r * outF + o0, static_cast<size_t>(width) * sizeof(float));
      for (int64_t i0 = 0; i0 < inF; i0 += kLinCols) {
        linearColumns(rows.data(), vals.data(), ptr.data(), pack.data(), width, inF, o0, i0, std::min(kLinCols, inF - i0), dw);
      }
    }
  }
  return info.Env().Undefined();
}


// ---- linear forward, sparse in x: y[r, o] = sum over nonzero x[r, i] = v of v * W[o, i].
// x's nonzeros are listed per (input chunk, row): as bitmasks for spikes, else as a CSR. A
// thread takes 64 outputs at a time;
// per chunk of 128 inputs it transposes that 64 x 128 block of W into Wt[i][o] (32 KiB,
// L1-resident: W is read once per call in contiguous pieces, no cached transposed copy to keep
// in sync with the optimizer), then every row adds the Wt rows of its active inputs into four
// 16-wide registers. Spike inputs (all ones) add instead of multiplying.
namespace {

constexpr int64_t kFwdTile = 64;  // = addEventRows64's width
constexpr int64_t kFwdChunk = 128;
static_assert(kFwdChunk == 128, "a chunk's spike mask is two 64-bit words");
constexpr int64_t kFwdRows = 1024;
constexpr int64_t kSpan = 8;  // chunks the forward packs at once (256 KiB, L2)

struct RowEvents {
  const int64_t* ptr;  // [chunk * n + r] .. [chunk * n + r + 1]
  const int32_t* off;  // row offset of the input within its chunk's Wt block
  const float* val;
  bool binary;
  const uint64_t* masks;  // spike inputs instead of the CSR: [chunk][row][2] bitmasks
};

template <int N>
HSNN_ISA_BODY void addBlockBody(const RowEvents& ev, int64_t n, int64_t chunk, int64_t r0, int64_t r1, const float* wt,
                                float* acc) {
  if (ev.masks) {
    const uint64_t* mk = ev.masks + chunk * n * 2;
    for (int64_t r = r0; r < r1; r++) {
      const uint64_t m0 = mk[2 * r], m1 = mk[2 * r + 1];
      if ((m0 | m1) != 0) addMaskRows64<N>(acc + (r - r0) * kFwdTile, wt, m0, m1);
    }
    return;
  }
  const int64_t* p = ev.ptr + chunk * n;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t e0 = p[r], e1 = p[r + 1];
    if (e0 == e1) continue;
    addEventRows64<N>(acc + (r - r0) * kFwdTile, wt, ev.off, ev.val, e0, e1, ev.binary);
  }
}
HSNN_MULTI_ISA_LANES(void, addBlock,
                     (const RowEvents& ev, int64_t n, int64_t chunk, int64_t r0, int64_t r1, const float* wt, float* acc),
                     (ev, n, chunk, r0, r1, wt, acc))

/** the bitmask of the nonzeros among x[0..len), len <= 64; sets notSpikes when a value is neither 0 nor 1 */
HSNN_ISA_BODY uint64_t spikeWordBody(const float* x, int64_t len, int& notSpikes) {
  uint64_t word = 0;
  int bad = 0;
  for (int64_t j = 0; j < len; j++) {
    const float v = x[j];
    word |= static_cast<uint64_t>(v != 0.0f) << j;
    bad |= static_cast<int>(v != 0.0f) & static_cast<int>(v != 1.0f);
  }
  notSpikes |= bad;
  return word;
}
HSNN_MULTI_ISA(uint64_t, spikeWord, (const float* x, int64_t len, int& notSpikes), (x, len, notSpikes))

/**
 * x's nonzeros listed per (chunk of kFwdChunk inputs, row) (CSR: ptr [chunks * n + 1]; off = the
 * input's row offset within its chunk's Wt block, val = the value); returns whether all are 1
 */
bool listRowEvents(const float* x, int64_t n, int64_t inF, std::vector<int64_t>& ptr, std::vector<int32_t>& off,
                   std::vector<float>& val) {
  const int64_t chunks = (inF + kFwdChunk - 1) / kFwdChunk, cells = chunks * n;
  ptr.assign(static_cast<size_t>(cells + 1), 0);
#pragma omp parallel for schedule(static) if (n * inF >= (1 << 16))
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * inF;
    for (int64_t i = 0; i < inF; i++) ptr[static_cast<size_t>((i / kFwdChunk) * n + r + 1)] += xr[i] != 0.0f;
  }
  for (int64_t q = 0; q < cells; q++) ptr[q + 1] += ptr[q];
  off.resize(static_cast<size_t>(ptr[cells]));
  val.resize(static_cast<size_t>(ptr[cells]));
  int binary = 1;
#pragma omp parallel for schedule(static) reduction(&& : binary) if (n * inF >= (1 << 16))
  for (int64_t r = 0; r < n; r++) {
    const float* xr = x + r * inF;
    for (int64_t k = 0; k < chunks; k++) {
      int64_t e = ptr[static_cast<size_t>(k * n + r)];
      for (int64_t i = k * kFwdChunk; i < std::min(inF, (k + 1) * kFwdChunk); i++) {
        if (xr[i] == 0.0f) continue;
        off[static_cast<size_t>(e)] = static_cast<int32_t>((i - k * kFwdChunk) * kFwdTile);
        val[static_cast<size_t>(e)] = xr[i];
        binary = binary && xr[i] == 1.0f;
        e++;
      }
    }
  }
  return binary != 0;
}

// y[n, outF] = x[n, inF] . W^T with W stored [outF][inF] (the forward) or, `wInOut`, [inF][outF]
// (the backward-data dx = dy . W of a layer whose forward weight is [inF'=outF][outF'=inF]).
void linearSparse(const float* x, const float* w, float* y, int64_t n, int64_t inF, int64_t outF, bool wInOut) {
  if (n == 0 || outF == 0) return;
  if (inF == 0) {
    std::fill(y, y + n * outF, 0.0f);
    return;
  }
  const int64_t chunks = (inF + kFwdChunk - 1) / kFwdChunk, cells = chunks * n;
  // spike inputs (every nonzero 1): per (chunk, row) bitmasks of the active inputs; a gradient
  // (the backward-data's input) never is, and goes straight to the list
  std::vector<uint64_t> masks;
  int spikes = 0;
  int64_t events = 0;
  if (!wInOut) {
    masks.assign(static_cast<size_t>(cells * 2), 0);
    spikes = 1;
#pragma omp parallel for schedule(static) reduction(&& : spikes) reduction(+ : events) if (n * inF >= (1 << 16))
    for (int64_t r = 0; r < n; r++) {
      const float* xr = x + r * inF;
      int notSpikes = 0;
      for (int64_t i0 = 0; i0 < inF; i0 += 64) {
        const uint64_t word = spikeWord(xr + i0, std::min<int64_t>(64, inF - i0), notSpikes);
        masks[static_cast<size_t>(((i0 / kFwdChunk) * n + r) * 2 + (i0 % kFwdChunk) / 64)] = word;
        events += __builtin_popcountll(word);
      }
      spikes = spikes && !notSpikes;
    }
  }
  // otherwise CSR over (chunk, row)
  std::vector<int64_t> ptr;
  std::vector<int32_t> off;
  std::vector<float> val;
  const bool binary = spikes || listRowEvents(x, n, inF, ptr, off, val);
  if (!spikes) events = ptr[static_cast<size_t>(cells)];
  const RowEvents ev{ptr.data(), off.data(), val.data(), binary, spikes ? masks.data() : nullptr};
  const int64_t tiles = (outF + kFwdTile - 1) / kFwdTile, rowBlocks = (n + kFwdRows - 1) / kFwdRows;
#pragma omp parallel if (tiles * events >= (1 << 14))
  {
    // the forward packs kSpan chunks at once: W's rows are then read in 4 KiB pieces (its 64
    // rows are 16-32 KiB apart, and 512-byte pieces left the DRAM stream half idle)
    AlignedVector<float> wt(static_cast<size_t>((wInOut ? 1 : kSpan) * kFwdChunk * kFwdTile));
    AlignedVector<float> acc(static_cast<size_t>(std::min(n, kFwdRows) * kFwdTile));
#pragma omp for schedule(dynamic, 1)
    for (int64_t task = 0; task < tiles * rowBlocks; task++) {
      const int64_t o0 = task / rowBlocks * kFwdTile, width = std::min(kFwdTile, outF - o0);
      const int64_t r0 = task % rowBlocks * kFwdRows, r1 = std::min(n, r0 + kFwdRows);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t k = 0; k < chunks; k++) {
        const int64_t i0 = k * kFwdChunk, cw = std::min(kFwdChunk, inF - i0);
        // Wt[c][o] = W[o0 + o][i0 + c]; lanes past width stay zero (never stored)
        if (!wInOut && k % kSpan == 0) {
          if (width < kFwdTile) std::fill(wt.begin(), wt.end(), 0.0f);
          transpose(w + o0 * inF + i0, width, std::min(kSpan * kFwdChunk, inF - i0), inF, 1, wt.data(), kFwdTile);
        }
        if (!spikes && ptr[static_cast<size_t>(k * n + r0)] == ptr[static_cast<size_t>(k * n + r1)]) continue;
        const float* block = wt.data() + (wInOut ? 0 : (k % kSpan) * kFwdChunk * kFwdTile);
        if (wInOut) {
          if (width < kFwdTile) std::fill(wt.begin(), wt.end(), 0.0f);
          for (int64_t c = 0; c < cw; c++) {
            std::memcpy(wt.data() + c * kFwdTile, w + (i0 + c) * outF + o0, static_cast<size_t>(width) * sizeof(float));
          }
        }
        addBlock(ev, n, k, r0, r1, block, acc.data());
      }
      for (int64_t r = r0; r < r1; r++) {
        std::memcpy(y + r * outF + o0, acc.data() + (r - r0) * kFwdTile, static_cast<size_t>(width) * sizeof(float));
      }
    }
  }
}

}  // namespace

Napi::Value LinearForwardSparse(const Napi::CallbackInfo& info) {
  const LinearCall c = readLinear(info, LayerOp::Forward);
  linearSparse(c.op.a, c.op.b, c.op.out, c.n, c.inF, c.outF, false);
  return info.Env().Undefined();
}

// dx[n, inF] = dy[n, outF] . W[outF, inF], sparse in dy (the surrogate gradient is zero for
// neurons far from threshold): the same kernel with W's rows as the packed block rows.
Napi::Value LinearBackwardDataSparse(const Napi::CallbackInfo& info) {
  const LinearCall c = readLinear(info, LayerOp::BackwardData);
  linearSparse(c.op.a, c.op.b, c.op.out, c.n, c.outF, c.inF, true);
  return info.Env().Undefined();
}

}  // namespace hsnn
