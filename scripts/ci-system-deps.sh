#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing: Chromium for the GraphiQL
# browser test, redis-server for the shared rate-limit test. Idempotent, non-interactive.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  echo "ci-system-deps: chromium and redis-server already installed"
  exit 0
fi

echo "ci-system-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "ci-system-deps: installed ${missing[*]}"
