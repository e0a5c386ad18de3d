#!/usr/bin/env bash
# Spread one `cityforge tiles` run over N shards with GNU parallel, then merge: on this machine,
# or over ssh on several machines sharing the output folder (NFS, a mounted bucket, …).
#
#   scripts/tiles-parallel.sh OUT N INPUTS... [-- TILES OPTIONS...]
#   SSHLOGINS=8/node1,8/node2 scripts/tiles-parallel.sh /shared/city 64 /shared/city.osm.pbf -- --terrain /shared/dem.tif
#   STORE=/shared/store scripts/tiles-parallel.sh ...   # read the inputs once (cityforge plan --store), shards reuse it
#   SSH="ssh -i ~/.ssh/cluster -p 2222" SSHLOGINS=... scripts/tiles-parallel.sh ...   # how to reach the hosts
#
# Remote hosts run the shards in this folder's path (--workdir .): the project checkout, the inputs and
# OUT must be at the same paths there (a shared folder). Exit codes: 0 all shards and the merge done; a
# failed shard stops the run with its own exit code (3 bad input, 4 output, 1 other) and leaves the
# finished tiles in place: run the same command again and only the missing tiles are built.
#
# Every shard computes the same plan from the same inputs and writes only its own tiles (atomically;
# a failed shard can simply be rerun: complete tiles are kept). `cityforge merge` then writes
# tileset.json. The result is byte-identical to a single-machine run.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: tiles-parallel.sh OUT N INPUTS... [-- TILES OPTIONS...]   (SSHLOGINS=… for other hosts, STORE=… to read the inputs once)" >&2
  exit 2
fi
out=$1; n=$2; shift 2
inputs=(); opts=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; opts=("$@"); break; fi
  inputs+=("$1"); shift
done
here=$(cd "$(dirname "$0")/.." && pwd)
cf=(node "$here/bin/cityforge.js")
login=()
if [ -n "${SSHLOGINS:-}" ]; then
  # remote machines need the same paths (project checkout and data); --sshlogin ':' means this machine
  login=(--sshlogin "$SSHLOGINS" --workdir .)
  if [ -n "${SSH:-}" ]; then login+=(--ssh "$SSH"); fi
fi
# a failed step says which it was, and the run exits with its code
fail() { local code=$?; echo "tiles-parallel.sh: $1 failed (exit $code)" >&2; exit $code; }
store=()
if [ -n "${STORE:-}" ]; then
  # (the plan takes tiles' options too with --tiles-options, and ignores those that build the tiles)
  "${cf[@]}" plan "${inputs[@]}" "${opts[@]}" --tiles-options --store "$STORE" > /dev/null || fail "cityforge plan (reading the inputs into $STORE)"
  store=(--store "$STORE")
fi
seq 0 $((n - 1)) | parallel --halt now,fail=1 --line-buffer "${login[@]}" \
  "${cf[@]}" tiles "${inputs[@]}" "${opts[@]}" "${store[@]}" -o "$out" --shard {}/"$n" -q || fail "a shard (cityforge tiles --shard i/$n)"
"${cf[@]}" merge "$out" -o "$out" || fail "cityforge merge"
