#!/usr/bin/env bash
# Sets up a fresh Debian machine for transporter: rsync from the OS, npm
# dependencies from the lockfile, and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
# The fault tests use unshare/setpriv/mount (util-linux, mount) and procps' ps.
command -v unshare >/dev/null 2>&1 || need_apt+=(util-linux)
command -v mount >/dev/null 2>&1 || need_apt+=(mount)
command -v ps >/dev/null 2>&1 || need_apt+=(procps)
# The terminal tests drive the CLI in a real terminal and read its screen.
command -v tmux >/dev/null 2>&1 || need_apt+=(tmux)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: ${need_apt[*]} missing; run as root or install them with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists may be empty or stale.
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
echo "setup: $(rsync --version | head -n 1)"

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
# The example plugin builds on its own, with transporter (this checkout, linked) as a devDependency.
(cd plugins/prometheus && npm install --no-audit --no-fund --loglevel=error)
echo "setup: built transporter $(node -p 'require("./package.json").version')"
