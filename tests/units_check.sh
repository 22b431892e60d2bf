#!/bin/sh
# units_check.sh - conf/systemd, checked without systemd running (CI has no
# systemd as PID 1): in a scratch root holding the units, the programs they
# start and Debian's own units,
#   - systemd-analyze verify, where any message (an unknown key, a value it
#     cannot parse, a program missing) fails;
#   - sysusers.d and tmpfiles.d applied: the users made, the sockets'
#     folders owned and moded as units.c expects;
#   - each unit's systemd-analyze security exposure, printed (README), and
#     failing above 2.0.
# Usage: tests/units_check.sh [BIN]   (BIN: the built programs, build/rel/bin)
set -eu
bin=${1:-build/rel/bin}
units=conf/systemd
root=$(mktemp -d /tmp/votesrv-units.XXXXXX)
trap 'rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/etc/systemd/system" "$root/usr/sbin" "$root/bin" "$root/lib/systemd"
cp -a /lib/systemd/system "$root/lib/systemd/"
cp "$units"/*.service "$units"/*.target "$root/etc/systemd/system/"
cp "$bin/votesrv" "$bin/votecad" "$root/usr/sbin/"
cp /bin/kill "$root/bin/kill"    # ExecReload=

# the man pages are make check-man's
out=$(systemd-analyze verify --man=no --root="$root" "$root"/etc/systemd/system/* 2>&1) || {
    echo "$out"; echo "units_check: systemd-analyze verify failed"; exit 1; }
if [ -n "$out" ]; then
    echo "$out"; echo "units_check: systemd-analyze verify complained"; exit 1
fi

mkdir -p "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
cp "$units"/sysusers.d/*.conf "$root/usr/lib/sysusers.d/"
cp "$units"/tmpfiles.d/*.conf "$root/usr/lib/tmpfiles.d/"
out=$(systemd-sysusers --root="$root" 2>&1 && systemd-tmpfiles --root="$root" --create 2>&1) || {
    echo "$out"; echo "units_check: sysusers.d or tmpfiles.d refused"; exit 1; }
# "MODE USER GROUP" of a folder in the root, by the root's own names
owned() {
    uid=$(stat -c %u "$root$1"); gid=$(stat -c %g "$root$1")
    u=$(awk -F: -v id="$uid" '$3 == id { print $1 }' "$root/etc/passwd")
    g=$(awk -F: -v id="$gid" '$3 == id { print $1 }' "$root/etc/group")
    echo "$(stat -c %a "$root$1") $u $g"
}
for want in "/run/votesrv-signer 2750 votesrv-signer votesrv" \
            "/run/votesrv 2750 votesrv votesrv-http" \
            "/var/lib/votesrv 711 votesrv votesrv-signer"; do
    got=$(owned "${want%% *}")
    if [ "$got" != "${want#* }" ]; then
        echo "units_check: ${want%% *} is \"$got\", not \"${want#* }\""; exit 1
    fi
done

for f in "$units"/*.service; do
    u=${f##*/}
    out=$(systemd-analyze security --offline=yes --root="$root" --threshold=20 "$u" 2>&1) || {
        echo "$out"; echo "units_check: $u exposed above 2.0"; exit 1; }
    line=$(echo "$out" | tail -1)
    echo "units_check: ${line#→ }"
done
echo "units_check: systemd-analyze verify: $(ls "$units"/*.service "$units"/*.target | wc -l) units clean"
