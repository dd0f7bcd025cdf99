#!/usr/bin/env bash
# Wall time of one job written to a local folder and to s3:// on a SeaweedFS server on loopback (docs/scale-out.md):
# the first run, a second run that finds every part finished (it reads the manifest back and checks each part's
# SHA-256), and `bertbatch verify`. Usage: scripts/objstore-figure.sh [ROWS] [ROWS_PER_FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-1000}
per_file=${2:-100}
eval "$(make -s -C "$root" env 2>/dev/null)"
weed=$(dirname "$BERTBATCH_PYTHON")/weed
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/bertbatch" ./cmd/bertbatch)
read -r p0 p1 p2 p3 p4 < <("$BERTBATCH_PYTHON" - <<'PY'
import socket
ports, held = [], []
while len(ports) < 5:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
    if s.getsockname()[1] + 10000 <= 65535:  # weed listens on port+10000 for gRPC
        ports.append(s.getsockname()[1])
print(*ports)
PY
)
export AWS_ACCESS_KEY_ID=figure AWS_SECRET_ACCESS_KEY=figure-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL=http://127.0.0.1:$p3
printf '{"identities":[{"name":"figure","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}' \
  "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" > "$work/s3.json"
mkdir -p "$work/data"
"$weed" server -dir="$work/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port="$p0" -volume.port="$p1" \
  -filer.port="$p2" -s3 -s3.port="$p3" -s3.config="$work/s3.json" -master.volumeSizeLimitMB=64 -volume.max=0 \
  -metricsPort="$p4" > "$work/weed.log" 2>&1 &
pid=$!
"$BERTBATCH_PYTHON" - "$work/in" "$rows" <<'PY'
import json, os, random, sys, time, pyarrow.fs as fs
out, rows = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
words = "the water people first day night house small great world city school team river light paper music".split()
rng = random.Random(7)
for f in range(4):
    with open(f"{out}/f{f}.jsonl", "w") as fh:
        for r in range(rows // 4):
            fh.write(json.dumps({"id": f * 1_000_000 + r, "text": " ".join(rng.choice(words) for _ in range(rng.randint(8, 40)))}) + "\n")
s3 = fs.S3FileSystem(endpoint_override=os.environ["AWS_ENDPOINT_URL"].split("://")[1], scheme="http",
                     access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], region="us-east-1",
                     allow_bucket_creation=True)
for _ in range(300):  # the gateway answers a moment before a bucket can be made
    try:
        s3.create_dir("figure"); break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the S3 server did not come up; see weed.log")
PY
job() { # job NAME DIR: a job file writing into DIR
  printf 'model: {ref: %s}\ninput: {paths: [%s], text_column: text, passthrough: [id]}\noutput: {dir: "%s", rows_per_file: %s}\n' \
    "$BERTBATCH_MODEL_DIR" "$work/in" "$2" "$per_file" > "$work/$1.yaml"
  echo "$work/$1.yaml"
}
timed() { # timed LABEL COMMAND…: prints the command's wall time
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
  printf '  %-22s %6.2f s\n' "$label" "$(echo "$t1 - $t0" | bc)"
}
for where in local s3; do
  if [ $where = local ]; then dir=$work/out; else dir=s3://figure/out; fi
  j=$(job $where "$dir")
  echo "$where ($dir): $rows rows, $((rows / per_file)) parts"
  timed "first run" "$work/bertbatch" run --quiet "$j"
  timed "second run (all done)" "$work/bertbatch" run --quiet "$j"
  timed "verify" "$work/bertbatch" verify "$dir"
done
