// The three products of a conv or linear layer and the buffers their entry points take,
// JS (a, b, ..., out): forward (x, weight, ..., y), backward-data (dy, weight, ..., dx) and
// backward-weights (x, dy, ..., dw); each checked against the layer's sizes.
#pragma once

#include <napi.h>

#include <cstddef>

#include "common.h"

namespace hsnn {

enum class LayerOp { Forward = 0, BackwardData = 1, BackwardWeights = 2 };

/** a layer's tensors: its input x (or dx), its weight (or dw) and its output y (or dy) */
enum class LayerTensor { Input, Weight, Output };

struct LayerOperands {
  float* a;
  float* b;
  float* out;
  size_t outSize;
};

/** which tensor each operand of an op is, and its name in errors */
struct LayerOpRoles {
  LayerTensor a, b, out;
  const char* names[3];
};
inline constexpr LayerOpRoles kLayerOpRoles[] = {
    {LayerTensor::Input, LayerTensor::Weight, LayerTensor::Output, {"x", "weight", "y"}},
    {LayerTensor::Output, LayerTensor::Weight, LayerTensor::Input, {"dy", "weight", "dx"}},
    {LayerTensor::Input, LayerTensor::Output, LayerTensor::Weight, {"x", "dy", "dw"}},
};

/**
 * info[0], info[1] and info[outIndex] as `op`'s operands, `size(t)` the element count of tensor t
 * (called in argument order, so errors come in that order; throws a TypeError/RangeError)
 */
template <typename Size>
LayerOperands layerOperands(const Napi::CallbackInfo& info, LayerOp op, size_t outIndex, Size&& size) {
  const LayerOpRoles& r = kLayerOpRoles[static_cast<int>(op)];
  LayerOperands o{};
  o.a = f32Arg(info, 0, size(r.a), r.names[0]);
  o.b = f32Arg(info, 1, size(r.b), r.names[1]);
  o.outSize = size(r.out);
  o.out = f32Arg(info, outIndex, o.outSize, r.names[2]);
  return o;
}

}  // namespace hsnn
