{
  "targets": [
    {
      "target_name": "hire_snn",
      "sources": [
        "native/addon.cc",
        "native/cache.cc",
        "native/common.cc",
        "native/conv.cc",
        "native/conv-events.cc",
        "native/conv-shape.cc",
        "native/gemm.cc",
        "native/isa.cc",
        "native/lif.cc",
        "native/lif-pooled.cc",
        "native/optim.cc",
        "native/pool.cc",
        "native/sparse.cc",
        "native/sparse-conv-weights.cc",
        "native/sparse-linear.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags": ["-O3", "-fopenmp", "-fno-trapping-math"],
      "cflags_cc": ["-std=gnu++17", "-O3", "-fopenmp", "-fno-trapping-math", "-fexceptions"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "ldflags": ["-fopenmp"]
    }
  ]
}
