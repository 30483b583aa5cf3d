#!/usr/bin/env bash
# Installs the Debian packages Entekhab needs that a fresh machine may lack.
# Idempotent: asks apt only for what is missing.
set -euo pipefail
need=(chromium libsodium23 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext poppler-utils nodejs npm wrk espeak-ng sox)
missing=()
for p in "${need[@]}"; do
  # nodejs/npm may come from elsewhere (the image's own Node): a working binary is enough.
  case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
