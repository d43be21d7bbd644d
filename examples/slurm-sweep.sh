#!/usr/bin/env bash
# A sweep as a Slurm job array (docs/cluster.md): N array tasks, task i runs
# `dlncheck sweep ... --shard i/N --out OUT/shards/i`, and a merge job that starts only when every
# task succeeded (--dependency=afterok) writes OUT/merged: sweep.csv, sweep.json and the plots,
# byte for byte what the unsharded sweep writes.
#
#   examples/slurm-sweep.sh N OUT -- SWEEP-ARGUMENTS...
#   examples/slurm-sweep.sh 64 runs/frs -- proofs/instances/flow-sparse-regression.toml \
#       --lr-from 1/100 --lr-to 1/20 --points 64 --certify
#
# Environment: DLNCHECK (the binary, default `dlncheck` on PATH), SBATCH_ARGS (extra sbatch
# options for both jobs, e.g. "--partition=short --time=02:00:00 --cpus-per-task=4").
# Prints the two job ids. A task that failed or was killed is re-run alone (with the same
# arguments it resumes from the rates it finished); then submit the merge again.
set -euo pipefail
if [ $# -lt 3 ] || [ "$3" != "--" ]; then
    echo "usage: $0 N OUT -- SWEEP-ARGUMENTS..." >&2
    exit 2
fi
n=$1
out=$2
shift 3
dlncheck=${DLNCHECK:-dlncheck}
mkdir -p "$out/shards"
sweep=$(printf '%q ' "$dlncheck" sweep "$@")
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --job-name=dlncheck-shard --array="0-$((n - 1))" \
    --output="$out/shards/%a.log" \
    --wrap="$sweep --shard \${SLURM_ARRAY_TASK_ID}/$n --out $(printf '%q' "$out")/shards/\${SLURM_ARRAY_TASK_ID}")
array=${array%%;*}
dirs=$(for i in $(seq 0 $((n - 1))); do printf '%q ' "$out/shards/$i"; done)
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --job-name=dlncheck-merge \
    --dependency="afterok:$array" --output="$out/merge.log" \
    --wrap="$(printf '%q' "$dlncheck") merge $dirs --out $(printf '%q' "$out")/merged")
merge=${merge%%;*}
echo "$array $merge"
