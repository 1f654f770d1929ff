#!/usr/bin/env bash
# Rebuilds the addon in a scratch copy and swaps build/Release/hire_snn.node in atomically, so
# processes (tests of other jobs) never see a half-built or missing addon.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${TMPDIR:-/tmp}/hire-snn-native-build
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
cp -r native binding.gyp package.json "$SCRATCH/"
ln -s "$PWD/node_modules" "$SCRATCH/node_modules"
GYP=$(dirname "$(command -v node)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
PREFIX=$(cd "$(dirname "$(command -v node)")/.." && pwd)
(cd "$SCRATCH" && node "$GYP" rebuild --release --jobs=2 --nodedir="$PREFIX" >build.log 2>&1) || { tail -30 "$SCRATCH/build.log"; exit 1; }
mkdir -p build/Release
cp "$SCRATCH/build/Release/hire_snn.node" build/Release/hire_snn.node.tmp
mv build/Release/hire_snn.node.tmp build/Release/hire_snn.node
echo "addon rebuilt: build/Release/hire_snn.node"
