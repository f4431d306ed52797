#!/bin/bash
# Peak RSS (KB) of posy and uv resolving trio and jupyter, cold and warm; median of N runs.
# Usage: bench/peak-memory.sh (POSY=path/to/posy UV=path/to/uv N=runs; defaults: target/release/posy, uv on PATH, 3)
P=${POSY:-target/release/posy}; U=${UV:-uv}; N=${N:-3}
R=${REQS:-../shared/bench/requirements}; T=$(mktemp -d)
flags="--exclude-newer 2026-11-01T00:00:00Z --python-version 3.11"
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| set | scenario | posy peak RSS (MB) | uv peak RSS (MB) | posy/uv |"
echo "|---|---|---|---|---|"
for s in trio jupyter; do
  for sc in cold warm; do
    for tool in posy uv; do
      if [ $tool = posy ]; then cmd="$P pip compile $R/$s.in --cache-dir $T/c-$tool-$s $flags -o $T/out"; else cmd="$U pip compile -q $R/$s.in --cache-dir $T/c-$tool-$s $flags -o $T/out"; fi
      $cmd >/dev/null 2>&1  # warm the cache
      for i in $(seq $N); do
        [ $sc = cold ] && rm -rf $T/c-$tool-$s
        /usr/bin/time -f "%M" -o $T/m $cmd >/dev/null 2>&1; cat $T/m
      done | med > $T/$tool
    done
    p=$(cat $T/posy); u=$(cat $T/uv)
    echo "| $s | resolve-$sc | $((p/1024)) | $((u/1024)) | $(python3 -c "print(f'{$p/$u:.2f}')") |"
  done
done
rm -rf $T
