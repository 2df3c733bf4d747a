#!/usr/bin/env bash
# Queue a Keel Monte Carlo on Slurm: an array of K shards (simulate.sbatch), then the merge once
# every shard succeeded. Usage: deploy/slurm/submit.sh K   (RUNS, SEED, OUT, SCENARIO, KEEL as in
# simulate.sbatch; the merged report lands in $OUT/merged).
set -euo pipefail
shards=${1:?usage: submit.sh SHARDS}
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-keel-mc}
export OUT=$out
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" "$here/simulate.sbatch")
sbatch --parsable --export=ALL --dependency="afterok:$array" --job-name=keel-merge \
    --wrap="\"${KEEL:-keel}\" simulate merge \"$out\"/shard-* --out \"$out/merged\""
