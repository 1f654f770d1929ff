// The shape every conv entry point takes (JS: (a, b, shape, out), shape a ConvShape object
// { n, cIn, h, w, cOut, kh, kw, stride, pad }), read and checked once for the oneDNN and the
// event-driven kernels, and the buffers of each conv op checked against it.
#pragma once

#include <napi.h>

#include <cstdint>

#include "layer-op.h"

namespace hsnn {

struct ConvShape {
  int64_t n, cIn, h, w, cOut, kh, kw, stride, pad, oh, ow;
};

/** reads the ConvShape at info[2]; throws a RangeError for a bad kernel/stride or a kernel larger than the padded input */
ConvShape readConvShape(const Napi::CallbackInfo& info);

/** info[0], info[1] and info[3] as `op`'s operands for a conv of shape `s` (throws a TypeError/RangeError) */
LayerOperands convOperands(const Napi::CallbackInfo& info, const ConvShape& s, LayerOp op);

}  // namespace hsnn
