#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing: Chromium for the GraphiQL
# browser test, redis-server for the shared rate-limit tests, HAProxy for the field test
# (test/field/: replicas behind a load balancer). Idempotent, non-interactive.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Debian installs it in /usr/sbin, which a non-root PATH may leave out.
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)

if [ ${#missing[@]} -eq 0 ]; then
  echo "ci-system-deps: chromium, redis-server and haproxy already installed"
  exit 0
fi

echo "ci-system-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "ci-system-deps: installed ${missing[*]}"
