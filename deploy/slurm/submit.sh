#!/usr/bin/env bash
# Queue a Keel Monte Carlo on Slurm: an array of K shards (simulate.sbatch), then the merge once
# every shard succeeded. Usage: deploy/slurm/submit.sh K   (RUNS, SEED, OUT, SCENARIO, KEEL as in
# simulate.sbatch; the merged report lands in $OUT/merged, its table in keel-merge-<job>.log).
# If a shard fails, the merge never becomes eligible (DependencyNeverSatisfied): scancel it,
# rerun the failed index with sbatch --array=<i>, and queue the merge again. Use a fresh OUT per
# Monte Carlo: a merge refuses leftover shards of another one.
set -euo pipefail
shards=${1:?usage: submit.sh SHARDS}
here=$(cd "$(dirname "$0")" && pwd)
export OUT=${OUT:-keel-mc}
array=$(sbatch --parsable --export=ALL --array="0-$((shards - 1))" "$here/simulate.sbatch")
array=${array%%;*} # --parsable prints "id;cluster" on multi-cluster sites
# single quotes: OUT and KEEL expand when the merge runs, from the exported environment
sbatch --parsable --export=ALL --dependency="afterok:$array" --job-name=keel-merge \
    --output='keel-merge-%j.log' \
    --wrap='"${KEEL:-keel}" simulate merge "$OUT"/shard-* --out "$OUT/merged"'
