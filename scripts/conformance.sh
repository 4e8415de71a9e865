#!/usr/bin/env bash
# Wire conformance of `overseer sim` against the official anthropic Python SDK 2.14.0.
# usage: scripts/conformance.sh [PATH/TO/overseer]   (default: target/release/overseer, else target/debug/overseer)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-}"
if [[ -z "$bin" ]]; then
  if [[ -x "$here/../target/release/overseer" ]]; then bin="$here/../target/release/overseer"; else bin="$here/../target/debug/overseer"; fi
fi
[[ -x "$bin" ]] || { echo "conformance: no overseer binary at $bin (build it first)" >&2; exit 2; }
venv="${CONFORMANCE_VENV:-${TMPDIR:-/tmp}/overseer-conformance-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import anthropic, sys; sys.exit(anthropic.__version__ != "2.14.0")' 2>/dev/null; then
  "$venv/bin/pip" install --quiet "anthropic==2.14.0"
fi
exec "$venv/bin/python" "$here/conformance.py" "$bin"
