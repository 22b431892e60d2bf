#!/bin/sh
# man_check.sh BIN PROGRAM... - the manual pages (docs/man/) against the
# programs built: every program has a page (section 1 or 8), every page and
# the configuration files' (section 5) render with no groff warning, and
# every command and option a program's usage names (PROGRAM --help, and
# votectl COMMAND --help for each of its commands) appears in its page; each
# member of conf/votesrv.example.json and conf/votecad.example.json appears in
# votesrv.json(5) and votecad.json(5). So the pages cannot drift from the code.
set -u
cd "$(dirname "$0")/.."
bin=$1
shift
fail=0
bad() {
    echo "man_check: $*" >&2
    fail=1
}

# The page as text: no hyphenation, no adjustment, one long line per paragraph.
render() {
    groff -man -Tascii -P-c -P-b -P-u -rHY=0 -rLL=2000n "$1" 2>/dev/null
}

# The page has it: a word, or an option with its dashes.
has() {
    printf '%s\n' "$1" | grep -qF -e "$2"
}

lint() {
    w=$(groff -man -Tutf8 -ww -z "$1" 2>&1)
    [ -z "$w" ] || bad "$1: groff warns: $w"
}

for p in "$@"; do
    page=""
    for s in 1 8; do
        [ -f "docs/man/$p.$s" ] && page="docs/man/$p.$s"
    done
    if [ -z "$page" ]; then
        bad "$p has no page docs/man/$p.1 or docs/man/$p.8"
        continue
    fi
    lint "$page"
    text=$(render "$page")
    for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
        printf '%s\n' "$text" | grep -q "^$sec\$" || bad "$page: no $sec section"
    done
    printf '%s\n' "$text" | grep -qE '^(OPTIONS|COMMANDS)$' || bad "$page: no OPTIONS or COMMANDS"
    usage=$("$bin/$p" --help 2>&1 </dev/null)
    if [ "$p" = votectl ]; then
        for c in $(printf '%s\n' "$usage" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
            usage="$usage
$("$bin/$p" "$c" --help 2>&1 </dev/null)"
        done
    fi
    # commands: "usage: P [opts] CMD", "| CMD", "  CMD ..." opening a listing
    # line; options: every --option
    words=$( { printf '%s\n' "$usage" | sed -n -e 's/^ *\(usage: *\)\{0,1\}'"$p"'\( \[[^]]*\]\)* \([a-z][a-z-]*\).*/\3/p' \
                                            -e 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p'
               printf '%s\n' "$usage" | grep -oE '(^|[ |])[|] [a-z][a-z-]+' | sed 's/.*| //'
               printf '%s\n' "$usage" | grep -oE -- '--[a-z][a-z-]*'; } | sort -u)
    [ -n "$words" ] || bad "$p: no command or option found in its usage"
    for w in $words; do
        has "$text" "$w" || bad "$page does not mention \"$w\" (from $p's usage)"
    done
done

for c in votesrv votecad; do
    page=docs/man/$c.json.5
    if [ ! -f "$page" ]; then
        bad "no page $page"
        continue
    fi
    lint "$page"
    text=$(render "$page")
    for k in $(python3 -c 'import json, sys
def keys(o):
    for k, v in o.items():
        yield k
        if isinstance(v, dict):
            yield from keys(v)
print("\n".join(sorted(set(keys(json.load(open(sys.argv[1])))))))' "conf/$c.example.json"); do
        has "$text" "$k" || bad "$page does not mention \"$k\" (conf/$c.example.json)"
    done
done

# every page renders without a warning, the SEE ALSO targets exist
for page in docs/man/*.[158]; do
    lint "$page"
    for ref in $(render "$page" | sed -n '/^SEE ALSO$/,$p' | grep -oE '[a-z.]+\([158]\)'); do
        f="docs/man/$(printf '%s' "$ref" | sed 's/(\(.\))$/.\1/')"
        [ -f "$f" ] || bad "$page: SEE ALSO $ref, but no $f"
    done
done
[ "$fail" -eq 0 ] && echo "man_check: $# programs, $(ls docs/man | wc -l) pages: ok"
exit "$fail"
