#!/usr/bin/env bash
# examples/cluster: three Troupe nodes on loopback. Starts worker nodes b and c, runs the
# coordinator on node a, kills node c (SIGKILL) once a quarter of the jobs are done, and
# prints the coordinator's summary. Needs only cargo (the wasm worker is committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
# TROUPE: a troupe binary to use instead of building one (tests/cluster.rs sets it).
if [ -z "${TROUPE:-}" ]; then
  cargo build --quiet --bin troupe
  TROUPE=target/debug/troupe
fi
APP=examples/cluster
LOGS=$(mktemp -d)
export TROUPE_COOKIE=${TROUPE_COOKIE:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
# Free loopback ports, asked of the OS.
read -r PA PB PC < <(python3 -c 'import socket
s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])' 2>/dev/null || echo "47101 47102 47103")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$TROUPE" run "$APP" --node b --listen "127.0.0.1:$PB" >"$LOGS/b.log" 2>&1 & pids+=($!)
"$TROUPE" run "$APP" --node c --listen "127.0.0.1:$PC" --join "127.0.0.1:$PB" >"$LOGS/c.log" 2>&1 & C=$!; pids+=($C)
"$TROUPE" run "$APP" --node a --listen "127.0.0.1:$PA" --join "127.0.0.1:$PB" --join "127.0.0.1:$PC" \
  -x app:coordinator 40 >"$LOGS/a.out" 2>"$LOGS/a.log" & A=$!; pids+=($A)

# Kill node c part-way (bounded wait: 60 s).
for _ in $(seq 600); do
  if grep -q "progress" "$LOGS/a.log" 2>/dev/null; then
    kill -9 "$C"; wait "$C" 2>/dev/null || true; echo "run.sh: killed node c (pid $C) at $(grep -o 'progress [0-9/]*' "$LOGS/a.log")"; break
  fi
  kill -0 "$A" 2>/dev/null || break
  sleep 0.05
done
status=0
wait "$A" || status=$?
# The coordinator's own lines (Lua's print goes to the log) and the node up/down lines.
grep -E "lua: |node up|node down" "$LOGS/a.log" | sed -E 's/^[^ ]+ +[A-Z]+ +//; s/Actor\{[^}]*\}: //; s/ (pid|location)=[^ ]*//g' || true
echo "---"
tail -n 1 "$LOGS/a.out"
if [ "$status" -ne 0 ]; then
  echo "run.sh: the coordinator failed ($status); logs in $LOGS" >&2
  cat "$LOGS/a.log" >&2
  exit "$status"
fi
rm -rf "$LOGS"
