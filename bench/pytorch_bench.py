#!/usr/bin/env python3
"""PyTorch side of the hire-snn benchmark (a benchmark-only dependency: apt-get install python3-torch).

Reads a model exported by `hire-snn bench --export DIR` (model.safetensors, input.safetensors) and
times, on the same weights, thresholds and batch as ours:
  - inference (eval mode, no grad),
  - one PGD step (forward + input gradient through BPTT, parameters frozen, signed update),
  - one training step (train mode with the seed's per-forward dropout masks, backward, Adam AMSGrad),
in two styles:
  seed:  the seed's time loop (vgg_spiking_nodewise.py): for t in T, for each layer: conv on one
         step, membrane update, surrogate spike, soft reset; output layer accumulated over steps.
  multi: multi-step: each layer over all T*B at once (the first conv once, direct input), then a
         Python scan over T of the LIF recurrence (autograd through it).
Prints one JSON object per style on stdout (or writes --json FILE).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


class LinearSpike(torch.autograd.Function):
    """the seed's surrogate: spike = (z > 0), d spike / dz = gamma * max(0, 1 - |z|)"""

    gamma = 0.3

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return (z > 0).float()

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * LinearSpike.gamma * F.relu(1.0 - z.abs())


spike_fn = LinearSpike.apply


def read_safetensors(path):
    """tensors (numpy, copied) and string metadata of a safetensors file (only the dtypes the export writes)"""
    with open(path, "rb") as f:
        b = f.read()
    n = int.from_bytes(b[:8], "little")
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    dtypes = {"F32": "<f4", "I32": "<i4"}
    tensors = {}
    for k, e in header.items():
        start, end = e["data_offsets"]
        a = np.frombuffer(b[8 + n + start:8 + n + end], dtype=dtypes[e["dtype"]])
        tensors[k] = a.reshape(e["shape"]).copy()
    return tensors, meta


class Model:
    def __init__(self, d):
        weights, meta = read_safetensors(os.path.join(d, "model.safetensors"))
        m = json.loads(meta["hire-snn"])
        self.spec = m["spec"]
        self.T = m["timesteps"]
        self.p = {k: torch.from_numpy(w).requires_grad_(True) for k, w in weights.items()}
        batch, _ = read_safetensors(os.path.join(d, "input.safetensors"))
        self.x01 = torch.from_numpy(batch["x01"])
        self.labels = torch.from_numpy(batch["labels"]).long()
        self.mean = torch.tensor(m["normalization"]["mean"]).view(1, -1, 1, 1)
        self.std = torch.tensor(m["normalization"]["std"]).view(1, -1, 1, 1)
        # layers: ('conv', index, pool) ... ('fc', index, key)
        cfg = self.spec["cfg"]
        self.convs = []
        for i, l in enumerate(cfg):
            if l == "A":
                continue
            pool = i + 1 < len(cfg) and cfg[i + 1] == "A"
            self.convs.append((3 * len(self.convs), pool))
        nf = 3 * len(self.convs)
        self.hidden = [(nf + 3 * j, "classifier.%d.weight" % (3 * j)) for j in range(len(self.spec["hidden"]))]
        self.out_key = "classifier.%d.weight" % (3 * len(self.spec["hidden"]))
        self.dropout = self.spec["dropout"]

    def params(self):
        return list(self.p.values())

    def thr(self, i):
        return self.p["threshold.t%d" % i]

    def leak(self, i):
        return self.p["leak.l%d" % i]

    def masks(self, x_shape, train):
        """the seed draws dropout masks once per forward (F.dropout of ones), fixed over the steps"""
        if not train:
            return {}
        masks = {}
        h = x_shape[2]
        for idx, pool in self.convs:
            c = self.p["features.%d.weight" % idx].shape[0]
            if pool:
                h //= 2
            else:
                masks[idx] = F.dropout(torch.ones(x_shape[0], c, h, h), p=self.dropout, training=True)
        for idx, key in self.hidden:
            masks[idx] = F.dropout(torch.ones(x_shape[0], self.p[key].shape[0]), p=self.dropout, training=True)
        return masks

    # ---- the seed's time loop ----
    def forward_seed(self, x01, train=False):
        x = (x01 - self.mean) / self.std
        B = x.shape[0]
        masks = self.masks(x.shape, train)
        mem = {}
        out_acc = 0
        for t in range(self.T):
            out_prev = x
            for idx, pool in self.convs:
                cur = F.conv2d(out_prev, self.p["features.%d.weight" % idx], padding=1)
                m = self.leak(idx) * mem.get(idx, 0) + cur
                z = m / self.thr(idx) - 1.0
                rst = self.thr(idx) * (z > 0).float()
                out = spike_fn(z)
                mem[idx] = m - rst
                out_prev = F.avg_pool2d(out, 2) if pool else (out * masks[idx] if train else out)
            out_prev = out_prev.reshape(B, -1)
            for idx, key in self.hidden:
                cur = F.linear(out_prev, self.p[key])
                m = self.leak(idx) * mem.get(idx, 0) + cur
                z = m / self.thr(idx) - 1.0
                rst = self.thr(idx) * (z > 0).float()
                out = spike_fn(z)
                mem[idx] = m - rst
                out_prev = out * masks[idx] if train else out
            out_acc = out_acc + F.linear(out_prev, self.p[self.out_key])
        return out_acc

    # ---- multi-step: each layer over all T*B at once ----
    def lif_scan(self, cur, idx, T, constant):
        """cur: [T*B, ...] (or [B, ...] reused at every step); returns spikes [T*B, ...]"""
        leak, th = self.leak(idx), self.thr(idx)
        steps = [cur] * T if constant else cur.chunk(T, 0)
        u = 0
        out = []
        for c in steps:
            v = leak * u + c
            z = v / th - 1.0
            s = spike_fn(z)
            u = v - th * (z > 0).float()
            out.append(s)
        return torch.cat(out, 0)

    def forward_multi(self, x01, train=False):
        x = (x01 - self.mean) / self.std
        B, T = x.shape[0], self.T
        masks = self.masks(x.shape, train)
        constant = True
        for idx, pool in self.convs:
            cur = F.conv2d(x, self.p["features.%d.weight" % idx], padding=1)
            x = self.lif_scan(cur, idx, T, constant)
            constant = False
            if pool:
                x = F.avg_pool2d(x, 2)
            elif train:
                x = (x.view(T, B, *x.shape[1:]) * masks[idx]).view(T * B, *x.shape[1:])
        x = x.reshape(T * B, -1)
        for idx, key in self.hidden:
            x = self.lif_scan(F.linear(x, self.p[key]), idx, T, False)
            if train:
                x = (x.view(T, B, -1) * masks[idx]).view(T * B, -1)
        return F.linear(x.view(T, B, -1).sum(0), self.p[self.out_key])


WARMUP_RUNS = 3  # as src/bench/measure.ts: steady-state numbers on both sides


def time_it(fn, reps):
    for _ in range(WARMUP_RUNS):
        fn()
    all_ = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        all_.append(time.perf_counter() - t0)
    return {"best": min(all_), "median": statistics.median(all_), "all": all_}


def bench(model, style, workloads, reps):
    fwd = model.forward_seed if style == "seed" else model.forward_multi
    x01, labels = model.x01, model.labels
    B = x01.shape[0]
    sec = {}
    if "infer" in workloads:
        def infer():
            with torch.no_grad():
                fwd(x01)
        sec["infer"] = time_it(infer, reps)
    if "pgd" in workloads:
        for p in model.params():
            p.requires_grad_(False)
        adv = x01.clone()

        def pgd():
            nonlocal adv
            a = adv.clone().requires_grad_(True)
            loss = F.cross_entropy(fwd(a), labels)
            (g,) = torch.autograd.grad(loss, [a])
            adv = (adv + (2 / 255) * g.sign()).clamp(0, 1)
        sec["pgd"] = time_it(pgd, reps)
        for p in model.params():
            p.requires_grad_(True)
    if "train" in workloads:
        opt = torch.optim.Adam(model.params(), lr=1e-4, amsgrad=True)

        def train():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(fwd(x01, train=True), labels)
            loss.backward()
            opt.step()
        sec["train"] = time_it(train, reps)
    rate = lambda w, k: B / sec[w][k] if w in sec else None  # noqa: E731
    return {
        "backend": "pytorch-" + style,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "batch": B,
        "timesteps": model.T,
        "inferImagesPerSec": rate("infer", "best"),
        "pgdStepImagesPerSec": rate("pgd", "best"),
        "trainStepImagesPerSec": rate("train", "best"),
        "medianImagesPerSec": {w: rate(w, "median") for w in sec},
        "seconds": sec,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def blas_library():
    """the BLAS shared object this process loaded (Debian: reference BLAS unless OpenBLAS is preferred)"""
    try:
        for line in open("/proc/self/maps"):
            path = line.split()[-1]
            if "blas" in os.path.basename(path):
                return os.path.realpath(path)
    except OSError:
        pass
    return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--load", required=True)
    ap.add_argument("--style", choices=["seed", "multi"], required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--workloads", default="infer,pgd,train")
    ap.add_argument("--check", action="store_true", help="print both styles' logits difference and exit")
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a.load)
    if a.check:
        with torch.no_grad():
            s, m = model.forward_seed(model.x01), model.forward_multi(model.x01)
        print(json.dumps({"seedVsMultiMaxAbsDiff": float((s - m).abs().max()), "logits": s.flatten().tolist()}))
        return
    r = bench(model, a.style, a.workloads.split(","), a.reps)
    text = json.dumps(r, indent=1)
    if a.json:
        open(a.json, "w").write(text)
    else:
        print(text)


if __name__ == "__main__":
    sys.exit(main())
