// The shape every conv entry point takes (JS: (a, b, shape, out), shape a ConvShape object
// { n, cIn, h, w, cOut, kh, kw, stride, pad }), read and checked once for the oneDNN and the
// event-driven kernels.
#pragma once

#include <napi.h>

#include <cstdint>

namespace hsnn {

struct ConvShape {
  int64_t n, cIn, h, w, cOut, kh, kw, stride, pad, oh, ow;
};

/** reads the ConvShape at info[2]; throws a RangeError for a bad kernel/stride or a kernel larger than the padded input */
ConvShape readConvShape(const Napi::CallbackInfo& info);

}  // namespace hsnn
