#!/bin/sh
# repro.sh - two builds of the same commit in different directories give
# byte-identical programs and portal files, so that anyone can rebuild the
# reviewed commit and compare with `votectl version --hashes` (what the
# bureau's seals cover). Run by make check-repro.
#
#   tests/repro.sh [COMMIT]      (default HEAD)
#   tests/repro.sh --tree        (make check) the first build is this tree's own
#                                build/rel, when the tree is HEAD exactly (no
#                                change, no untracked file): one build less;
#                                otherwise two builds of HEAD as above
set -eu
cd "$(dirname "$0")/.."
tree=0
if [ "${1:-}" = --tree ]; then
    shift
    [ -n "$(git status --porcelain 2>/dev/null || echo changed)" ] || tree=1
fi
commit=${1:-HEAD}
jobs=$(nproc 2>/dev/null || echo 2)
top=$(mktemp -d /tmp/votesrv-repro.XXXXXX)
trap 'rm -rf "$top"' EXIT
targets="build/rel/bin/votesrv build/rel/bin/votectl build/rel/bin/voteverify
    build/rel/bin/voteclient build/rel/bin/votetrustee build/rel/bin/votecred
    build/rel/bin/voteaudit build/rel/bin/votecad portal"
if [ $tree = 1 ]; then
    # up to date already after make check's build: this only makes sure
    echo "repro: this tree ($PWD) is $commit: its build is the first"
    # shellcheck disable=SC2086
    make -j"$jobs" --no-print-directory $targets > "$top/a.log" 2>&1 ||
        { tail -20 "$top/a.log"; exit 1; }
    first=$PWD
    dirs="second-build-elsewhere/b"
else
    first=$top/a
    dirs="a second-build-elsewhere/b"
fi
for d in $dirs; do
    mkdir -p "$top/$d"
    git archive "$commit" | tar -x -C "$top/$d"
    # the browser's libraries as pinned by package-lock.json (not rebuilt here)
    ln -s "$PWD/node_modules" "$top/$d/node_modules"
    echo "repro: building $commit in $top/$d"
    # shellcheck disable=SC2086
    make -C "$top/$d" -j"$jobs" --no-print-directory $targets > "$top/$d.log" 2>&1 ||
        { tail -20 "$top/$d.log"; exit 1; }
done
sums() { (cd "$1/build/rel" && b2sum -l 256 bin/* && cd "$1/build" && b2sum -l 256 portal/*); }
sums "$first" > "$top/a.sums"
sums "$top/second-build-elsewhere/b" > "$top/b.sums"
if cmp -s "$top/a.sums" "$top/b.sums"; then
    cat "$top/a.sums"
    echo "repro: $(wc -l < "$top/a.sums") files identical in both builds"
else
    diff "$top/a.sums" "$top/b.sums" || true
    echo "repro: the builds differ"
    exit 1
fi
