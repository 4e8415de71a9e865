#!/bin/sh
# Render PNG screenshots of the real dashboard running on the embedded simulator.
#
# Needs: tmux, aha, chromium, fonts-wqy-zenhei (CJK)
#   apt-get update && apt-get install -y aha chromium fonts-wqy-zenhei
# Usage: scripts/screenshots.sh [path/to/overseer]   (default: target/debug/overseer, built if missing)
# Output: screenshots/*.png
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/target/debug/overseer}
OUT=$ROOT/screenshots
[ -x "$BIN" ] || (cd "$ROOT" && cargo build)
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'tmux kill-session -t overseer-shot 2>/dev/null || true; rm -rf "$WORK"' EXIT

# ANSI capture -> HTML -> PNG. Wide (CJK) characters are kept on the cell grid.
ans2png() { # in.ans out.png cols rows [light]
    cat > "$WORK/widefix.py" <<'PY'
import sys, unicodedata
out = []
for ch in sys.stdin.read():
    if ord(ch) > 0x7f and unicodedata.east_asian_width(ch) in ("W", "F"):
        out.append(f'<span style="display:inline-block;width:2ch;text-align:center">{ch}</span>')
    else:
        out.append(ch)
sys.stdout.write("".join(out))
PY
    # The page plays the terminal: light text on black, or dark text on white for light themes.
    # (aha's --black mode swaps black and white, which breaks themes that use them.)
    if [ "${5:-}" = light ]; then PAGE='color:#1c1c1c;background:#ffffff'; else PAGE='color:#d0d0d0;background:#000000'; fi
    CSS="<style>body{margin:0;padding:8px;$PAGE} pre{margin:0;font-family:\"DejaVu Sans Mono\",\"WenQuanYi Zen Hei Mono\",monospace;font-size:14px;line-height:16px}</style>"
    # A page and a browser profile per shot: a reused profile can show the previous page.
    NAME=$(basename "$2" .png)
    aha --title overseer < "$1" | sed "s|</head>|${CSS}</head>|" | python3 "$WORK/widefix.py" > "$WORK/$NAME.html"
    W=$(( $3 * 843 / 100 + 17 )); H=$(( $4 * 16 + 16 ))
    timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$WORK/profile-$NAME" \
        --screenshot="$2" --window-size="$W,$H" "file://$WORK/$NAME.html" >/dev/null 2>&1
}

shot() { # name cols rows [light]
    tmux capture-pane -t overseer-shot -e -p > "$WORK/$1.ans"
    ans2png "$WORK/$1.ans" "$OUT/$1.png" "$2" "$3" "${4:-}"
    echo "wrote screenshots/$1.png"
}

start() { # cols rows extra-args
    tmux kill-session -t overseer-shot 2>/dev/null || true
    tmux -f /dev/null new-session -d -s overseer-shot -x "$1" -y "$2" -e TERM=xterm-256color \
        -e HOME="$WORK" -e XDG_CONFIG_HOME="$WORK/config" -e XDG_STATE_HOME="$WORK/state" \
        "$BIN --demo $3"
    sleep 4   # first poll and history
}

keys() { tmux send-keys -t overseer-shot "$@"; sleep 1.2; }

# 1. The dashboard: fleet on the left, the open session's live stream and inspector on the right.
start 160 45 ""
shot dashboard-dark 160 45
# 2. Needs-you view, then a session waiting for approval opened, following live.
keys : n e e d s Enter
shot needs-you 160 45
keys Enter
sleep 2
shot stream-needs-approval 160 45
# 3. Search in the stream, paused.
keys / r e q u i r e s _ a c t i o n Enter
shot stream-search 160 45
# 4. The tool call waiting for approval, in the inspector.
keys 2 G Enter
shot event-expanded 160 45
keys Escape
# 4b. The dream review queue: a completed dream's changes, one accepted, a diff shown.
keys : d r e a m s Enter
sleep 1
keys j r
sleep 3
keys J y K
shot review-queue 160 45
# 4c. Deployments: schedule, next fires, runs.
keys Escape Escape
keys : d e p l o y m e n t s Enter
sleep 2
shot deployments 160 45
# 4d. Memory browser: a store opened.
keys : m e m o r y Enter
sleep 2
keys Enter
sleep 2
keys j Enter
sleep 2
shot memory 160 45
# 4e. The threads tree of the multiagent session (its sub-agent waits in the queue).
keys : n e e d s Enter
keys G Enter
sleep 2
keys : t h r e a d s Enter
sleep 3
shot threads 160 45
# 4f. Session detail with spend against the budget.
keys Escape
keys : s e s s i o n s Enter
keys d
sleep 3
shot session-detail 160 45
keys Escape
# 5. Help overlay.
keys ?
shot help 160 45
keys Escape

# 6. Light theme, 120x40.
start 120 40 "--theme light"
shot dashboard-light 120 40 light
# 7. High contrast, 80x24 (stacked layout).
start 80 24 "--theme high-contrast"
shot dashboard-80x24-high-contrast 80 24
# 8. Too small.
start 50 12 ""
shot too-small 50 12
