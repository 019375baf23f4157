#!/bin/bash
# kept_view_counts.sh LABEL [RUN]: seconds from launch until the status line stops saying
# "counting" or "reading", for RUN (default /tmp/big/all, make_run.py --kind all) reopened
# with a filter and a search kept on every pane: each pane shown once in the first seconds,
# the timeline last. Figures, not a test; run from the checkout to measure.
RUN=${2:-/tmp/big/all}
tmux kill-session -t kc 2>/dev/null; sleep 2; rm -rf /tmp/kst8
cd "$(dirname "$0")/.." && XDG_STATE_HOME=/tmp/kst8 python -c "
from vivtui.viewstate import state_file, ViewState, PaneView
p = state_file('$RUN'); p.parent.mkdir(parents=True, exist_ok=True)
names = ['actions','sessions','queue','budget','kernel','timeline']
p.write_bytes(ViewState(pane='timeline', panes={n: PaneView(filters=['!zzz'], search='fail') for n in names}).as_bytes())"
start=$(date +%s.%N)
# (a fresh cache: no answer kept from an earlier launch, ingest/kept_answers.py)
tmux new-session -d -s kc -x 150 -y 30 "XDG_STATE_HOME=/tmp/kst8 XDG_CACHE_HOME=$(mktemp -d) $(command -v python) -m vivtui $RUN"
sleep 3
for k in 1 2 3 4 5 6; do tmux send-keys -t kc $k; sleep 0.7; done
while true; do
  el=$(echo "$(date +%s.%N) - $start" | bc)
  st=$(tmux capture-pane -p -t kc | tail -2 | head -1)
  if ! echo "$st" | grep -q "counting\|reading"; then echo "$1 counts final at $el s"; break; fi
  if (( $(echo "$el > 240" | bc) )); then echo "$1 timeout: $st"; break; fi
  sleep 0.5
done
tmux send-keys -t kc q; sleep 2; tmux kill-session -t kc 2>/dev/null
