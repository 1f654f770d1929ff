#!/usr/bin/env bash
# Sets up hire-snn on a Debian machine: oneDNN (native backend) and Fashion-MNIST from Debian,
# then the npm dependencies, the native addon and the TypeScript build (npm ci does all three).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in libdnnl-dev dataset-fashion-mnist; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq || true
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || echo "hire-snn: could not install ${need[*]}; the portable backend will be used"
fi
npm ci --no-audit --no-fund
