#!/bin/sh
# repro.sh - two builds of the same commit in different directories give
# byte-identical programs and portal files, so that anyone can rebuild the
# reviewed commit and compare with `votectl version --hashes` (what the
# bureau's seals cover). Run by make check-repro.
#
#   tests/repro.sh [COMMIT]      (default HEAD)
set -eu
cd "$(dirname "$0")/.."
commit=${1:-HEAD}
top=$(mktemp -d /tmp/votesrv-repro.XXXXXX)
trap 'rm -rf "$top"' EXIT
for d in a "second-build-elsewhere/b"; do
    mkdir -p "$top/$d"
    git archive "$commit" | tar -x -C "$top/$d"
    # the browser's libraries as pinned by package-lock.json (not rebuilt here)
    ln -s "$PWD/node_modules" "$top/$d/node_modules"
    echo "repro: building $commit in $top/$d"
    make -C "$top/$d" -j2 --no-print-directory build/rel/bin/votesrv build/rel/bin/votectl \
        build/rel/bin/voteverify build/rel/bin/voteclient build/rel/bin/votetrustee \
        build/rel/bin/votecred build/rel/bin/voteaudit build/rel/bin/votecad portal > "$top/$d.log" 2>&1 ||
        { tail -20 "$top/$d.log"; exit 1; }
done
sums() { (cd "$1/build/rel" && b2sum -l 256 bin/* && cd "$1/build" && b2sum -l 256 portal/*); }
sums "$top/a" > "$top/a.sums"
sums "$top/second-build-elsewhere/b" > "$top/b.sums"
if cmp -s "$top/a.sums" "$top/b.sums"; then
    cat "$top/a.sums"
    echo "repro: $(wc -l < "$top/a.sums") files identical in both builds"
else
    diff "$top/a.sums" "$top/b.sums" || true
    echo "repro: the builds differ"
    exit 1
fi
