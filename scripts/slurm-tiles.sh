#!/usr/bin/env bash
# Slurm array job: one shard per array task, then a dependent merge job.
#   sbatch --array=0-15 scripts/slurm-tiles.sh /shared/city /shared/city.osm.pbf
#   sbatch --dependency=afterok:<array job id> --wrap "node bin/cityforge.js merge /shared/city -o /shared/city"
# With STORE=/shared/store (made once beforehand by `node bin/cityforge.js plan <inputs> --store /shared/store`),
# the tasks reuse that feature store instead of each reading all the inputs.
#SBATCH --job-name=cityforge-tiles
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=02:00:00
# Usage: slurm-tiles.sh OUT INPUTS... [TILES OPTIONS...]. Submit it from the cityforge checkout (Slurm runs
# a copy of this script, so its own folder is not the checkout's), or set CITYFORGE=/path/to/bin/cityforge.js.
# The array may start at 0 or 1 (--array=1-16 works too). Each task logs plain lines to its job log.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: sbatch --array=0-(N-1) slurm-tiles.sh OUT INPUTS... [TILES OPTIONS...]   (STORE=/shared/store to reuse a plan --store)" >&2
  exit 2
fi
out=$1; shift
# (outside an array job: a usage error, exit 2, as the others; bash's ${x:?} exited 1)
if [ -z "${SLURM_ARRAY_TASK_COUNT:-}" ] || [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  echo "slurm-tiles.sh: run as an array job: sbatch --array=0-(N-1) slurm-tiles.sh OUT INPUTS... (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set)" >&2
  exit 2
fi
n=$SLURM_ARRAY_TASK_COUNT
# (1-based arrays: the task ids counted from the array's first)
i=$(( SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0} ))
cf=${CITYFORGE:-}
if [ -z "$cf" ]; then
  for c in "$(dirname "$0")/../bin/cityforge.js" "${SLURM_SUBMIT_DIR:-.}/bin/cityforge.js"; do
    if [ -f "$c" ]; then cf=$c; break; fi
  done
fi
if [ -z "$cf" ]; then
  echo "slurm-tiles.sh: cannot find bin/cityforge.js: submit from the cityforge checkout, or set CITYFORGE=/path/to/bin/cityforge.js" >&2
  exit 2
fi
echo "slurm-tiles.sh: task $SLURM_ARRAY_TASK_ID: shard $i/$n of $out on $(hostname)" >&2
# a rerun of a failed task resumes: tiles already complete are kept
exec node "$cf" tiles "$@" ${STORE:+--store "$STORE"} -o "$out" --shard "$i/$n"
