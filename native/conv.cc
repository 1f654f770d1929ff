#include "conv.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "cache.h"
#include "common.h"
#include "conv-shape.h"

namespace hsnn {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

namespace {

using Shape = ConvShape;

/** one operand of a conv primitive: the caller's plain layout and the primitive's */
struct Operand {
  int arg = 0;
  memory::desc user;
  memory::desc prim;
  bool convert = false;
  dnnl::reorder reorder;  // user->prim for inputs, prim->user for the output
};

struct ConvPlan {
  dnnl::primitive prim;
  Operand in0, in1, out;
};

bool parseLayout(const std::string& v, ConvLayout& out) {
  if (v == "plain") {
    out = ConvLayout::Plain;
  } else if (v == "blocked") {
    out = ConvLayout::Blocked;
  } else if (v == "auto") {
    out = ConvLayout::Auto;
  } else {
    return false;
  }
  return true;
}

const char* layoutName(ConvLayout l) {
  switch (l) {
    case ConvLayout::Plain: return "plain";
    case ConvLayout::Blocked: return "blocked";
    case ConvLayout::Auto: return "auto";
  }
  return "auto";
}

ConvLayout initialLayout() {
  ConvLayout l = ConvLayout::Auto;
  const char* env = std::getenv("HIRE_SNN_CONV_LAYOUT");
  if (env) parseLayout(env, l);  // unknown values keep auto
  return l;
}

// below this many input channels backward-data runs on plain layouts in auto mode
constexpr int64_t kAutoPlainBwdDataMaxCIn = 16;

ConvLayout resolve(ConvLayout l, LayerOp kind, const Shape& s) {
  if (l != ConvLayout::Auto) return l;
  if (kind == LayerOp::BackwardData && s.cIn < kAutoPlainBwdDataMaxCIn) return ConvLayout::Plain;
  return ConvLayout::Blocked;
}

ConvLayout g_layout = initialLayout();

// Backward-data of 3x3 stride-1 convs through Winograd F(4x4, 3x3) (oneDNN jit_wino_4x3):
// 2.6-2.8x faster than the direct kernel on the VGG11 shapes (bench/README.md), relative error
// well inside the fixtures' 1e-4 (the forward stays direct: a spike must not flip on rounding).
// HIRE_SNN_WINOGRAD=0 turns it off.
bool initialWinograd() {
  const char* env = std::getenv("HIRE_SNN_WINOGRAD");
  return !(env && std::string(env) == "0");
}
const bool g_winograd = initialWinograd();

bool winogradEligible(LayerOp kind, const Shape& s, ConvLayout layout) {
  return g_winograd && kind == LayerOp::BackwardData && layout == ConvLayout::Blocked && s.kh == 3 && s.kw == 3 &&
         s.stride == 1 && s.pad == 1;
}


void setOperand(Operand& op, int arg, const memory::desc& user, const memory::desc& prim, bool isOutput) {
  op.arg = arg;
  op.user = user;
  op.prim = prim;
  op.convert = prim != user;
  if (op.convert) {
    auto& eng = engine();
    dnnl::reorder::primitive_desc rpd =
        isOutput ? dnnl::reorder::primitive_desc(eng, prim, eng, user)
                 : dnnl::reorder::primitive_desc(eng, user, eng, prim);
    op.reorder = dnnl::reorder(rpd);
  }
}

/** the primitive descriptor of `kind` (backward-data through Winograd where eligible) */
dnnl::primitive_desc_base primitiveDesc(LayerOp kind, const Shape& s, ConvLayout layout, const memory::desc& src,
                                        const memory::desc& wei, const memory::desc& dst) {
  auto& eng = engine();
  const memory::dims strides = {s.stride, s.stride};
  const memory::dims pads = {s.pad, s.pad};
  const auto direct = dnnl::algorithm::convolution_direct;
  dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, direct, src, wei, dst, strides, pads, pads);
  dnnl::convolution_forward::primitive_desc fpd(fd, eng);
  switch (kind) {
    case LayerOp::Forward:
      return fpd;
    case LayerOp::BackwardData: {
      if (winogradEligible(kind, s, layout)) {
        const auto wino = dnnl::algorithm::convolution_winograd;
        try {
          dnnl::convolution_forward::desc wfd(dnnl::prop_kind::forward_training, wino, src, wei, dst, strides, pads, pads);
          dnnl::convolution_forward::primitive_desc wfpd(wfd, eng);
          dnnl::convolution_backward_data::desc wbd(wino, src, wei, dst, strides, pads, pads);
          return dnnl::convolution_backward_data::primitive_desc(wbd, eng, wfpd);
        } catch (const dnnl::error&) {
          // no Winograd implementation for this CPU or shape: the direct kernel
        }
      }
      dnnl::convolution_backward_data::desc bd(direct, src, wei, dst, strides, pads, pads);
      return dnnl::convolution_backward_data::primitive_desc(bd, eng, fpd);
    }
    case LayerOp::BackwardWeights: {
      dnnl::convolution_backward_weights::desc bd(direct, src, wei, dst, strides, pads, pads);
      return dnnl::convolution_backward_weights::primitive_desc(bd, eng, fpd);
    }
  }
  return fpd;
}

ConvPlan makePlan(LayerOp kind, const Shape& s, ConvLayout layout) {
  memory::dims srcDims = {s.n, s.cIn, s.h, s.w};
  memory::dims weiDims = {s.cOut, s.cIn, s.kh, s.kw};
  memory::dims dstDims = {s.n, s.cOut, s.oh, s.ow};
  memory::desc srcUser(srcDims, dt::f32, tag::nchw);
  memory::desc weiUser(weiDims, dt::f32, tag::oihw);
  memory::desc dstUser(dstDims, dt::f32, tag::nchw);
  bool blocked = layout == ConvLayout::Blocked;
  memory::desc srcAny = blocked ? memory::desc(srcDims, dt::f32, tag::any) : srcUser;
  memory::desc weiAny = blocked ? memory::desc(weiDims, dt::f32, tag::any) : weiUser;
  memory::desc dstAny = blocked ? memory::desc(dstDims, dt::f32, tag::any) : dstUser;

  const dnnl::primitive_desc_base pd = primitiveDesc(kind, s, layout, srcAny, weiAny, dstAny);
  ConvPlan plan;
  plan.prim = dnnl::primitive(pd.get());
  // the op's (a, b, out): its exec args, and the conv's src, weights or dst as the caller lays
  // them out in the op's roles (layer-op.h)
  static constexpr int kArgs[3][3] = {{DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                                      {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                                      {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS}};
  const int* args = kArgs[static_cast<int>(kind)];
  const LayerOpRoles& roles = kLayerOpRoles[static_cast<int>(kind)];
  const memory::desc users[] = {srcUser, weiUser, dstUser};  // LayerTensor order
  auto user = [&](LayerTensor t) { return users[static_cast<int>(t)]; };
  auto prim = [&](int arg) { return pd.query_md(dnnl::query::exec_arg_md, arg); };
  setOperand(plan.in0, args[0], user(roles.a), prim(args[0]), false);
  setOperand(plan.in1, args[1], user(roles.b), prim(args[1]), false);
  setOperand(plan.out, args[2], user(roles.out), prim(args[2]), true);
  return plan;
}

/** the memory the primitive reads/writes for `op`, reordering an input in */
memory bind(const Operand& op, float* user, int slot, bool isOutput) {
  auto& eng = engine();
  memory userMem(op.user, eng, user);
  if (!op.convert) return userMem;
  memory primMem(op.prim, eng, scratch(slot, op.prim.get_size()));
  if (!isOutput) op.reorder.execute(stream(), userMem, primMem);
  return primMem;
}

void run(LayerOp kind, float* in0, float* in1, float* out, const Shape& s) {
  ConvLayout layout = resolve(g_layout, kind, s);
  CacheKey key = {static_cast<int64_t>(kind), static_cast<int64_t>(layout), s.n, s.cIn, s.h, s.w,
                  s.cOut, s.kh, s.kw, s.stride, s.pad};
  auto plan = registeredCache<ConvPlan>().get(key, [&] { return makePlan(kind, s, layout); });
  auto& strm = stream();
  memory m0 = bind(plan->in0, in0, 0, false);
  memory m1 = bind(plan->in1, in1, 1, false);
  memory mo = bind(plan->out, out, 2, true);
  plan->prim.execute(strm, {{plan->in0.arg, m0}, {plan->in1.arg, m1}, {plan->out.arg, mo}});
  if (plan->out.convert) {
    memory userOut(plan->out.user, engine(), out);
    plan->out.reorder.execute(strm, mo, userOut);
  }
  strm.wait();
}

bool empty(const Shape& s) { return s.n == 0 || s.cIn == 0 || s.cOut == 0 || s.h == 0 || s.w == 0; }

/** a conv entry point: (a, b, shape, out) as `kind`'s operands (conv-shape.h) */
Napi::Value runJs(const Napi::CallbackInfo& info, LayerOp kind) {
  const Shape s = readConvShape(info);
  const LayerOperands op = convOperands(info, s, kind);
  if (empty(s)) {
    std::fill(op.out, op.out + op.outSize, 0.0f);
  } else {
    run(kind, op.a, op.b, op.out, s);
  }
  return info.Env().Undefined();
}

}  // namespace

ConvLayout convLayout() { return g_layout; }
const char* convLayoutName() { return layoutName(g_layout); }
void setConvLayout(ConvLayout layout) { g_layout = layout; }

Napi::Value Conv2dForward(const Napi::CallbackInfo& info) { return runJs(info, LayerOp::Forward); }
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) { return runJs(info, LayerOp::BackwardData); }
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo& info) { return runJs(info, LayerOp::BackwardWeights); }

Napi::Value ConvLayoutJs(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsString()) {
    ConvLayout l;
    if (!parseLayout(info[0].As<Napi::String>().Utf8Value(), l)) {
      throw Napi::RangeError::New(info.Env(), "conv layout must be 'plain', 'blocked' or 'auto'");
    }
    setConvLayout(l);
  }
  return Napi::String::New(info.Env(), layoutName(g_layout));
}

}  // namespace hsnn
