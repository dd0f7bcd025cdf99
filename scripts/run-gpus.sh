#!/usr/bin/env bash
# Run one job on every GPU of this host: one bertbatch process per GPU, process i running shard i/N
# of the job with CUDA_VISIBLE_DEVICES=i (MLX then sees that one GPU), all into the job's output
# folder; once every shard has finished, `bertbatch commit` merges them into the folder one run
# would have written (docs/scale-out.md). A shard that fails is named and the script exits 1
# without committing: rerun it, and only the unfinished shards' blocks are redone.
#
#   scripts/run-gpus.sh job.yaml [N] [-- extra bertbatch run flags]
#
# N defaults to the GPUs nvidia-smi lists. BERTBATCH names the binary (default: bertbatch on PATH);
# GPU_IDS (e.g. "2 3") chooses the devices instead of 0…N-1. Each shard's log is written to
# OUTPUT_LOGS (default: a temporary folder) as shard-I.log.
set -uo pipefail
if [ $# -lt 1 ]; then
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
job=$1
shift
n=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
	n=$1
	shift
fi
[ "${1:-}" = "--" ] && shift
bin=${BERTBATCH:-bertbatch}
if [ -n "${GPU_IDS:-}" ]; then
	read -r -a ids <<<"$GPU_IDS"
	n=${n:-${#ids[@]}}
else
	if [ -z "$n" ]; then
		n=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ') || true
		if [ -z "$n" ] || [ "$n" -lt 1 ]; then
			echo "run-gpus: nvidia-smi lists no GPU; give N" >&2
			exit 2
		fi
	fi
	ids=()
	for ((i = 0; i < n; i++)); do ids+=("$i"); done
fi
if ! [[ "$n" =~ ^[1-9][0-9]*$ ]] || [ "${#ids[@]}" -lt "$n" ]; then
	echo "run-gpus: N=$n, GPU ids (${ids[*]}): want N ≥ 1 and as many ids" >&2
	exit 2
fi
logs=${OUTPUT_LOGS:-$(mktemp -d)}
mkdir -p "$logs"
pids=()
for ((i = 0; i < n; i++)); do
	CUDA_VISIBLE_DEVICES=${ids[$i]} "$bin" run --quiet --shard "$i/$n" "$@" "$job" >"$logs/shard-$i.log" 2>&1 &
	pids+=($!)
done
failed=0
for ((i = 0; i < n; i++)); do
	if ! wait "${pids[$i]}"; then
		echo "run-gpus: shard $i/$n (GPU ${ids[$i]}) failed; its log, $logs/shard-$i.log, ends:" >&2
		tail -5 "$logs/shard-$i.log" >&2
		failed=1
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "run-gpus: not committed; rerun to resume the failed shards" >&2
	exit 1
fi
out=$("$bin" validate -show "$job" | sed -n 's/^ *dir: *//p' | head -1)
if [ -z "$out" ]; then
	echo "run-gpus: cannot read output.dir of $job" >&2
	exit 1
fi
"$bin" commit "$out" "$job"
