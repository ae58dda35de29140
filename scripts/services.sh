#!/usr/bin/env bash
# Installs (from Debian's packages, if missing) and starts the services the test suite needs.
# Idempotent: safe to run before every `make test`.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# headless browser for the quality-report rendering test, and a CJK font for its figures (issue 6)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ fc-list :lang=zh 2>/dev/null | grep -q . ; } || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "services.sh: please install: ${need[*]}" >&2
  fi
fi
