#!/usr/bin/env bash
# Timings for the product issues' notes, posy beside uv (and pip), on this
# machine. Usage: scripts/measure-products.sh [projects|scripts|wheelhouse|fleet|pythons]...
# Needs: POSY (a release posy), UV (uv 0.13.8), PIP (pip 26.x), hyperfine;
# for fleet, PYPI_SERVER (pypiserver's pypi-server). The network is noisy:
# compare ratios within one run.
set -u
POSY=${POSY:-$(pwd)/target/release/posy}
UV=${UV:-/tmp/posy-ref/bin/uv}
PIP=${PIP:-/tmp/posy-ref-pip/bin/pip}
EXCLUDE_NEWER=2026-11-01T00:00:00Z
REQS=$(cd "$(dirname "$0")/../.." && pwd)/shared/bench/requirements
t=$(mktemp -d); trap 'kill ${srv:-} 2>/dev/null; rm -rf "$t"' EXIT
hf() { hyperfine -N -w 3 -r "${RUNS:-30}" --style basic "$@" 2>&1 | grep -E '^(Benchmark|  Time)'; }

projects() {
  echo "## projects: a synced project with requests and rich"
  for tool in posy uv; do
    mkdir -p "$t/$tool" && cat > "$t/$tool/pyproject.toml" <<TOML
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["requests", "rich"]
TOML
  done
  (cd "$t/posy" && $POSY sync --exclude-newer $EXCLUDE_NEWER -q --python python3.11) || return 1
  (cd "$t/uv" && UV_CACHE_DIR=$t/uvcache $UV sync --exclude-newer $EXCLUDE_NEWER -q --python python3.11) || return 1
  cd "$t/posy"
  hf -n "posy run python -c pass" "$POSY run python -c pass" -n ".venv/bin/python -c pass" ".venv/bin/python -c pass"
  hf -n "posy lock (nothing changed)" "$POSY lock" -n "posy sync (nothing to do)" "$POSY sync"
  cd "$t/uv"
  export UV_CACHE_DIR=$t/uvcache
  hf -n "uv run python -c pass" "$UV run python -c pass" -n ".venv/bin/python -c pass (uv's)" ".venv/bin/python -c pass"
  hf -n "uv lock (nothing changed)" "$UV lock" -n "uv sync (nothing to do)" "$UV sync"
  unset UV_CACHE_DIR; cd /
}

scripts() {
  echo "## scripts: a PEP 723 script with six and attrs; black as a tool"
  cat > "$t/s.py" <<'PY'
# /// script
# requires-python = ">=3.9"
# dependencies = ["six", "attrs>=22"]
# ///
import sys
import attrs, six
if sys.argv[1:] == ["where"]:
    print(sys.executable)
PY
  export POSY_CACHE_DIR=$t/pc UV_CACHE_DIR=$t/uc POSY_TOOL_DIR=$t/ptools POSY_TOOL_BIN_DIR=$t/pbin
  echo "first run (cold caches):"
  hyperfine -N -r 1 --style basic "$POSY run --exclude-newer $EXCLUDE_NEWER $t/s.py" "$UV run --exclude-newer $EXCLUDE_NEWER $t/s.py" 2>&1 | grep -E '^(Benchmark|  Time)'
  py=$($POSY run --exclude-newer $EXCLUDE_NEWER "$t/s.py" where | tail -n 1)
  uvpy=$($UV run -q --exclude-newer $EXCLUDE_NEWER "$t/s.py" where | tail -n 1)
  hf -n "posy run s.py" "$POSY run --exclude-newer $EXCLUDE_NEWER $t/s.py" -n "posy env's python s.py" "$py $t/s.py" \
     -n "uv run s.py" "$UV run -q --exclude-newer $EXCLUDE_NEWER $t/s.py" -n "uv env's python s.py" "$uvpy $t/s.py"
  $POSY tool run --exclude-newer $EXCLUDE_NEWER black --version >/dev/null 2>&1
  $UV tool run --exclude-newer $EXCLUDE_NEWER black --version >/dev/null 2>&1
  black=$(dirname "$($POSY tool run --exclude-newer $EXCLUDE_NEWER --from black python -c 'import sys; print(sys.executable)' | tail -n 1)")/black
  hf -n "posy tool run black --version" "$POSY tool run --exclude-newer $EXCLUDE_NEWER black --version" \
     -n "the tool's entry point" "$black --version" \
     -n "uvx black --version" "$UV tool run --exclude-newer $EXCLUDE_NEWER black --version"
  unset POSY_CACHE_DIR UV_CACHE_DIR POSY_TOOL_DIR POSY_TOOL_BIN_DIR
}

wheelhouse() {
  echo "## wheelhouse: jupyter, CPython 3.10-3.13 x 4 platforms"
  local pys="3.10 3.11 3.12 3.13"
  local plats="x86_64-manylinux_2_28 aarch64-manylinux_2_28 aarch64-apple-darwin x86_64-pc-windows-msvc"
  # pip expands a macOS tag to older macOS versions itself, not a
  # manylinux_2_28 tag to older glibcs: those are listed (without them pip
  # backtracks for tens of minutes on the first target).
  local linux="" v; for v in $(seq 28 -1 17); do linux="$linux manylinux_2_${v}_ARCH"; done; linux="$linux manylinux2014_ARCH"
  local pipplats="${linux//ARCH/x86_64};${linux//ARCH/aarch64};macosx_11_0_arm64;win_amd64"
  local args=()
  for v in $pys; do args+=(--python-version "$v"); done
  for p in $plats; do args+=(--python-platform "$p"); done
  local rx0; rx0=$(awk '/^ *(eth0|ens|enp)/ {print $2}' /proc/net/dev | head -n 1)
  local s; s=$(date +%s.%N)
  $POSY pip download "$REQS/jupyter.in" --exclude-newer $EXCLUDE_NEWER "${args[@]}" -d "$t/wh" --cache-dir "$t/pc" >"$t/log" 2>&1 || { tail -n 3 "$t/log"; return 1; }
  local e; e=$(date +%s.%N)
  local rx1; rx1=$(awk '/^ *(eth0|ens|enp)/ {print $2}' /proc/net/dev | head -n 1)
  echo "posy, one run: $(python3 -c "print(round($e-$s,1))") s, $(ls "$t/wh" | wc -l) files, $(du -sb "$t/wh" | cut -f1) bytes in the wheelhouse, $((rx1-rx0)) bytes received"
  s=$(date +%s.%N); rx0=$rx1
  local IFS_=$IFS n=0
  for v in $pys; do
    IFS=';'; for p in $pipplats; do
      IFS=$IFS_; n=$((n + 1))
      local flags=(); for tag in $p; do flags+=(--platform "$tag"); done
      $PIP download -q --cache-dir "$t/pipcache" --only-binary :all: "${flags[@]}" --python-version "$v" \
        --uploaded-prior-to $EXCLUDE_NEWER -r "$REQS/jupyter.in" -d "$t/pip-$n" >"$t/log" 2>&1 \
        || echo "pip $v ${flags[1]} failed: $(tail -n 1 "$t/log")"
      IFS=';'
    done
    IFS=$IFS_
  done
  e=$(date +%s.%N); rx1=$(awk '/^ *(eth0|ens|enp)/ {print $2}' /proc/net/dev | head -n 1)
  echo "pip, 16 runs (one cache): $(python3 -c "print(round($e-$s,1))") s, $(cat "$t"/pip-*/* 2>/dev/null | wc -c) bytes over the 16 directories, $((rx1-rx0)) bytes received"
}

fleet() {
  echo "## fleet: docopt, sgmllib3k (sdist only) and six on four empty caches"
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$t/served"
  "$PYPI_SERVER" run -i 127.0.0.1 -p "$port" -a . -P . "$t/served" >"$t/server.log" 2>&1 & srv=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/simple/" >/dev/null && break; sleep 0.2; done
  printf 'docopt==0.6.2\nsgmllib3k==1.0.0\nsix==1.16.0\n' > "$t/req.txt"
  for mode in shared alone; do
    for m in 1 2 3 4; do
      $POSY venv -q "$t/$mode$m" --python python3
      local extra=()
      [ $mode = shared ] && extra=(--build-cache "http://127.0.0.1:$port/simple/" --build-cache-upload "http://127.0.0.1:$port/")
      local s; s=$(date +%s.%N)
      $POSY pip install -q -r "$t/req.txt" --cache-dir "$t/cache-$mode$m" --python "$t/$mode$m/bin/python" "${extra[@]}" || return 1
      local e; e=$(date +%s.%N)
      echo "$mode build cache, machine $m: $(python3 -c "print(round(($e-$s)*1000))") ms"
    done
  done
}

pythons() {
  echo "## pythons: pyenv's 3.12.1 as a python-build-standalone archive on 127.0.0.1"
  local V=3.12.1 SRC=${PYENV_ROOT:-$HOME/.pyenv}/versions/3.12.1
  mkdir -p "$t/build" "$t/mirror"
  cp -a "$SRC" "$t/build/python" && rm -rf "$t/build/python/lib/python3.12/test"
  patchelf --set-rpath '$ORIGIN/../lib' "$t/build/python/bin/python3.12"
  local name="cpython-$V+20990101-x86_64-unknown-linux-gnu-install_only.tar.gz"
  tar -C "$t/build" -czf "$t/mirror/$name" python && rm -rf "$t/build"
  local sha; sha=$(sha256sum "$t/mirror/$name" | cut -d' ' -f1)
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$t/mirror" && exec python3 -m http.server -b 127.0.0.1 "$port" >/dev/null 2>&1) & srv=$!
  sleep 1
  printf '{"cpython-%s-linux-x86_64-gnu": {"name": "cpython", "arch": {"family": "x86_64", "variant": null}, "os": "linux", "libc": "gnu", "major": 3, "minor": 12, "patch": 1, "prerelease": "", "url": "http://127.0.0.1:%s/%s", "sha256": "%s", "variant": null, "build": "20990101"}}' "$V" "$port" "$name" "$sha" > "$t/downloads.json"
  export POSY_PYTHON_DOWNLOADS_JSON_URL=file://$t/downloads.json POSY_CACHE_DIR=$t/pc
  echo "archive: $(du -b "$t/mirror/$name" | cut -f1) bytes"
  hyperfine -N -r 5 --style basic -p "rm -rf $t/pythons $t/pc" \
    "env POSY_PYTHON_INSTALL_DIR=$t/pythons $POSY python install 3.12" 2>&1 | grep -E '^(Benchmark|  Time)'
  hyperfine -N -r 5 --style basic -p "rm -rf $t/uvpythons $t/uvc" \
    "env UV_PYTHON_DOWNLOADS_JSON_URL=file://$t/downloads.json UV_PYTHON_INSTALL_DIR=$t/uvpythons UV_CACHE_DIR=$t/uvc $UV python install 3.12" 2>&1 | grep -E '^(Benchmark|  Time)'
  mkdir -p "$t/proj" && printf '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["six"]\n' > "$t/proj/pyproject.toml"
  cd "$t/proj" && echo 3.12 > .python-version
  mkdir -p "$t/empty"
  export POSY_PYTHON_INSTALL_DIR=$t/pythons
  PATH=$t/empty $POSY run --exclude-newer $EXCLUDE_NEWER python -c pass || return 1
  hf -n "posy run python -c pass (PATH has no Python)" "env PATH=$t/empty $POSY run python -c pass" \
     -n ".venv/bin/python -c pass" ".venv/bin/python -c pass"
  cd /; unset POSY_PYTHON_DOWNLOADS_JSON_URL POSY_CACHE_DIR POSY_PYTHON_INSTALL_DIR
}

[ $# -gt 0 ] || set -- projects scripts pythons fleet wheelhouse
for what in "$@"; do "$what"; done
