#!/usr/bin/env bash
# One command from a fresh clone: set everything up, then copy a generated
# sample tree with progress and error reports going to a local receiver,
# using the old Go tool's invocation. Shows the exit code and compares the trees.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

work=$(mktemp -d /tmp/transporter-demo.XXXXXX)
bash examples/make-sample-tree.sh "$work/src"
echo "quickstart: sample tree in $work/src ($(find "$work/src" -type f | wc -l) files, $(du -sh "$work/src" | cut -f1))"

node examples/report-receiver.mjs "$work/receiver.url" &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -s "$work/receiver.url" ] && break; sleep 0.1; done
url=$(cat "$work/receiver.url")

# configs must be writable by their owner only (a config is code run as root);
# a private copy passes that check whatever the checkout's umask was
install -m 0600 examples/demo.transporterrc.yaml "$work/config.yaml"

set +e
TRANSPORTER_CONFIG="$work/config.yaml" \
  node bin/run.js -dest-dir -progress -stderr -report-interval 1 -report-addr "$url" \
  -src "$work/src/" -dest "$work/dest/copy"
code=$?
set -e
sleep 0.2
echo "quickstart: transporter exited with $code ($(node bin/run.js explain-exit "$code" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.name)})'))"
if diff -r --no-dereference "$work/src" "$work/dest/copy" >/dev/null; then
  echo "quickstart: source and destination trees match"
else
  echo "quickstart: trees DIFFER" >&2
  exit 1
fi
exit "$code"
