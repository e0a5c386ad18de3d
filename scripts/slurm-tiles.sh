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
set -euo pipefail
out=$1; shift
n=${SLURM_ARRAY_TASK_COUNT:?run as an array job: sbatch --array=0-(N-1)}
i=${SLURM_ARRAY_TASK_ID:?}
# a rerun of a failed task resumes: tiles already complete are kept
exec node bin/cityforge.js tiles "$@" ${STORE:+--store "$STORE"} -o "$out" --shard "$i/$n" -q
