#!/usr/bin/env bash
# Ship the index build CURRENT names (or the one given) to every replica host, then switch
# each host to it and reload its replicas (docs/deploy.md, "Shipping the index"):
#   deploy/ship-index.sh [BUILD_ID]          # hosts from $TRO_LY_REPLICA_HOSTS ("localhost" by default)
# On each host: the corpus first (a replica checks at start that its index matches it), the
# build into builds/.incoming-<id> and renamed when complete (a half-copied build is never
# named), then `python -m retrieval use-build <id>` (checks it, switches CURRENT atomically)
# and `systemctl reload` of the replicas (SIGHUP: each moves to the new build while it serves).
set -euo pipefail
ROOT=${TRO_LY_ROOT:-/srv/tro-ly}
CONFIG=${TRO_LY_CONFIG:-/etc/tro-ly/config.toml}
INDEX=${TRO_LY_INDEX:-$ROOT/index}
HOSTS=${TRO_LY_REPLICA_HOSTS:-localhost}
BUILD=${1:-$(cat "$INDEX/CURRENT")}
[ -f "$INDEX/builds/$BUILD/manifest.json" ] || { echo "no complete build $INDEX/builds/$BUILD" >&2; exit 1; }

for host in $HOSTS; do
  echo "==> $host: build $BUILD"
  if [ "$host" = localhost ]; then
    run() { bash -c "$1"; }
    dest=""
  else
    run() { ssh "$host" "$1"; }
    dest="$host:"
  fi
  if [ "$host" != localhost ]; then
    rsync -a --delete "$ROOT/corpus/" "$dest$ROOT/corpus/"
    rsync -a "$INDEX/builds/$BUILD/" "$dest$INDEX/builds/.incoming-$BUILD/"
    # renamed once complete; a build shipped before is kept as it is
    run "if [ -d '$INDEX/builds/$BUILD' ]; then rm -rf '$INDEX/builds/.incoming-$BUILD'; else mv -T '$INDEX/builds/.incoming-$BUILD' '$INDEX/builds/$BUILD'; fi"
  fi
  run "cd '$ROOT' && .venv/bin/python -m retrieval --config '$CONFIG' use-build '$BUILD'"
  run "sudo systemctl reload 'tro-ly@*.service'"
done
