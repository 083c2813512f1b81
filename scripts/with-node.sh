#!/usr/bin/env bash
# Runs a command on another Node.js version than the machine's, e.g.
#   scripts/with-node.sh 24 npm test
#   scripts/with-node.sh 24.22.3 npm run test:consumer
# Node's own binary and headers come from the npm registry: `node-<os>-<arch>` (the per-platform
# package behind npm's `node` package), installed once into .tmp/node-<version>/ (gitignored).
# Its bin goes first on PATH, so `npm`, `npx` and every `#!/usr/bin/env node` script run on it, and
# npm's `nodedir` points at its headers, so native modules built meanwhile (better-sqlite3, here
# and in the consumer test's site) compile against it.
# better-sqlite3 is the one native module here tied to Node's ABI (the others use Node-API). It is
# compiled once for that Node, kept beside it, and swapped into node_modules; on exit the
# machine Node's build is put back, so the machine's `npm test` works afterwards as before.
set -euo pipefail

usage="usage: scripts/with-node.sh <node major or version, e.g. 24> <command…>"
[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
wanted=$1
shift
[[ $wanted =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]] || { echo "$usage" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "with-node.sh: no Node package for $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "with-node.sh: no Node package for $(uname -m)" >&2; exit 1 ;; esac
package="node-$os-$arch"
cache="$repo/.tmp/node-$wanted"
nodedir="$cache/node_modules/$package"
node="$nodedir/bin/node"

# 24 matches any v24.x.y; 24.22.3 only itself.
is_wanted() { [[ $("$1" --version 2>/dev/null) =~ ^v${wanted//./\\.}(\.|$) ]]; }
machine_node=$(command -v node || true)
[ -n "$machine_node" ] && is_wanted "$machine_node" && exec "$@"

if ! is_wanted "$node"; then
  echo "with-node: installing $package@$wanted from the npm registry into ${cache#"$repo"/}"
  rm -rf "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "$package@$wanted" ||
    { echo "with-node: could not install $package@$wanted from the npm registry (is it reachable? does that version exist: npm view $package@$wanted version)" >&2; exit 1; }
  is_wanted "$node" || { echo "with-node: $package@$wanted installed no usable $node" >&2; exit 1; }
fi
[ -f "$nodedir/include/node/common.gypi" ] || { echo "with-node: $package@$wanted has no headers in $nodedir/include/node: native modules cannot be built" >&2; exit 1; }

export PATH="$nodedir/bin:$PATH"
export npm_config_nodedir="$nodedir"
echo "with-node: $(node --version) ($node), npm $(npm --version)"

# better-sqlite3 for this Node: from the cache, else compiled (from source, as in `npm ci` here:
# prebuild-install would try GitHub). Only when this checkout has it and the build there does not load.
native="$repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
loads() { "$1" -e 'process.dlopen({ exports: {} }, process.argv[1])' "$native" 2>/dev/null; }
if [ -f "$native" ] && ! loads "$node"; then
  sqlite_version=$("$node" -p "require('$repo/node_modules/better-sqlite3/package.json').version")
  ours="$cache/better_sqlite3-$sqlite_version.node"
  if [ -n "$machine_node" ] && loads "$machine_node"; then
    machines="$repo/.tmp/better_sqlite3-$sqlite_version-node$("$machine_node" -p process.versions.modules).node"
    cp "$native" "$machines"
    # Quietly: a CI log ends on the command's own last line.
    trap 'mkdir -p "${native%/*}" && cp "$machines" "$native"' EXIT
  fi
  if [ -f "$ours" ]; then
    cp "$ours" "$native"
  else
    echo "with-node: compiling better-sqlite3 $sqlite_version for $(node --version) (a few minutes)"
    (cd "$repo" && npm_config_build_from_source=better-sqlite3 npm rebuild better-sqlite3 --loglevel=error) ||
      { echo "with-node: better-sqlite3 did not compile for $(node --version): it needs python3, make and g++ (apt-get install -y python3 make g++)" >&2; exit 1; }
    cp "$native" "$ours"
  fi
  loads "$node" || { echo "with-node: better-sqlite3 still does not load on $(node --version)" >&2; exit 1; }
fi

"$@"
