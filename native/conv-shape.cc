#include "conv-shape.h"

#include "common.h"

namespace hsnn {

ConvShape readConvShape(const Napi::CallbackInfo& info) {
  // in the order they are checked
  static constexpr struct {
    int64_t ConvShape::*field;
    const char* key;
  } kFields[] = {{&ConvShape::n, "n"},   {&ConvShape::cIn, "cIn"}, {&ConvShape::h, "h"},
                 {&ConvShape::w, "w"},   {&ConvShape::cOut, "cOut"}, {&ConvShape::kh, "kh"},
                 {&ConvShape::kw, "kw"}, {&ConvShape::stride, "stride"}, {&ConvShape::pad, "pad"}};
  const Napi::Object o = objArg(info, 2, "shape");
  ConvShape s{};
  for (const auto& f : kFields) s.*f.field = intProp(o, f.key);
  if (s.kh < 1 || s.kw < 1 || s.stride < 1) {
    throw Napi::RangeError::New(info.Env(), "conv2d: kh, kw and stride must be >= 1");
  }
  int64_t ohNum = s.h + 2 * s.pad - s.kh;
  int64_t owNum = s.w + 2 * s.pad - s.kw;
  if (ohNum < 0 || owNum < 0) {
    throw Napi::RangeError::New(info.Env(), "conv2d: kernel larger than the padded input");
  }
  s.oh = ohNum / s.stride + 1;
  s.ow = owNum / s.stride + 1;
  return s;
}

LayerOperands convOperands(const Napi::CallbackInfo& info, const ConvShape& s, LayerOp op) {
  return layerOperands(info, op, 3, [&](LayerTensor t) {
    if (t == LayerTensor::Input) return elems(info, {s.n, s.cIn, s.h, s.w});
    if (t == LayerTensor::Weight) return elems(info, {s.cOut, s.cIn, s.kh, s.kw});
    return elems(info, {s.n, s.cOut, s.oh, s.ow});
  });
}

}  // namespace hsnn
