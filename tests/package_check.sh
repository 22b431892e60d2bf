#!/bin/sh
# package_check.sh - the Debian packages and the installed layout (make
# check-package, run by make check):
#   1. in a throw-away copy of the tree (git's files and node_modules),
#      dpkg-buildpackage -b -us -uc (debian/: programs and portal only, with
#      dpkg-buildflags' flags; parallel=2, and noddebs: no -dbgsym package,
#      the same .debs otherwise), then lintian on the .changes: an error or a
#      warning not overridden in debian/*.lintian-overrides fails;
#   2. dpkg-deb -c: each package holds its programs and man pages, no file is
#      in two packages, every unit of conf/systemd is shipped; every file is
#      root's, none writable by others or set-id, /etc/votesrv root's 0755;
#      the configurations are conffiles; the maintainer scripts have set -e
#      and remove neither state nor users; votesrv's and votesrv-credauth's
#      postinsts (as root) make their users, and the state folder, in a mount
#      namespace where /etc and /var/lib are throw-away copies, then again as
#      an upgrade after links were planted in the state folder (they must not
#      be followed) and with a dpkg-statoverride (it must be kept);
#   3. make install DESTDIR=T under umask 000 (nothing writable by others),
#      and the packages' files unpacked (dpkg-deb -x) into another root: in
#      each, the example configurations are safe by default (privilege
#      separation, loopback listeners, no demo mailbox) and name files the
#      install holds, `votectl demo`
#      run from the installed votectl makes an election whose configuration
#      names the installed templates and assets, and the installed votesrv
#      serves /healthz on its internal listener and the portal's home page and
#      a style sheet from PREFIX/share/votesrv/portal, on loopback.
# Everything made is removed at the end, failure or not.
#
#   tests/package_check.sh            (from the tree's root; build/rel built)
set -eu
cd "$(dirname "$0")/.."
top=$(mktemp -d /tmp/votesrv-pkg.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
    rm -rf "$top"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail() { echo "package_check: $*" >&2; exit 1; }
t0=$(date +%s)

# 1. the packages, built from git's files (the working tree's content)
mkdir "$top/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - | tar -xf - -C "$top/src"
ln -s "$PWD/node_modules" "$top/src/node_modules"
echo "== package: dpkg-buildpackage -b -us -uc (its log's tail on failure)"
if ! (cd "$top/src" && DEB_BUILD_OPTIONS="parallel=2 noddebs ${DEB_BUILD_OPTIONS:-}" \
        dpkg-buildpackage -b -us -uc > "$top/build.log" 2>&1); then
    tail -40 "$top/build.log"
    fail "dpkg-buildpackage failed"
fi
grep -q -- '-fstack-protector-strong .*-c crypto/' "$top/build.log" ||
    fail "the compiler did not get dpkg-buildflags' CFLAGS"
grep -q -- '-Wl,-z,now .*-o build/rel/bin/votesrv ' "$top/build.log" ||
    fail "the linker did not get dpkg-buildflags' LDFLAGS"
t1=$(date +%s)
echo "== package: lintian"
changes=$(ls "$top"/votesrv_*.changes)
if ! lintian --fail-on error,warning --display-info "$changes" > "$top/lintian.log" 2>&1; then
    grep -v 'running with root privileges' "$top/lintian.log"
    fail "lintian: error or warning tags (override them with a reason in debian/*.lintian-overrides)"
fi
grep -v 'running with root privileges' "$top/lintian.log" || true
t2=$(date +%s)

# 2. what each package holds
deb() { ls "$top"/"$1"_*_*.deb; }
for p in votesrv votesrv-common votesrv-trustee votesrv-credauth votesrv-verify; do
    dpkg-deb -c "$(deb $p)" | awk '{print $NF}' | sed 's#^\./#/#' > "$top/$p.list"
done
has() {
    grep -qxF "$2" "$top/$1.list" || fail "package $1 lacks $2"
}
for f in /usr/sbin/votesrv /usr/bin/votectl /usr/bin/voteaudit /etc/votesrv/votesrv.json \
         /usr/share/votesrv/portal/portal.css /usr/share/votesrv/portal/libsodium-wrappers.mjs \
         /usr/share/man/man8/votesrv.8.gz /usr/share/man/man8/votectl.8.gz \
         /usr/share/man/man5/votesrv.json.5.gz /usr/share/man/man1/voteaudit.1.gz \
         /var/lib/votesrv/ /var/lib/votesrv/documents/; do has votesrv "$f"; done
for f in /usr/share/votesrv/conf/mail/activation.fr.txt /usr/share/votesrv/conf/common-passwords.txt \
         /usr/share/votesrv/conf/haproxy.cfg /usr/share/votesrv/conf/haproxy-errors/503.http \
         /usr/share/votesrv/conf/postgresql-setup.sql \
         /usr/share/votesrv/conf/votesrv.example.json; do has votesrv-common "$f"; done
has votesrv-trustee /usr/bin/votetrustee
has votesrv-trustee /usr/share/man/man1/votetrustee.1.gz
for f in /usr/bin/votecred /usr/sbin/votecad /etc/votecad/votecad.json /usr/share/man/man8/votecad.8.gz \
         /usr/share/man/man5/votecad.json.5.gz /usr/share/man/man1/votecred.1.gz; do
    has votesrv-credauth "$f"; done
for f in /usr/bin/voteverify /usr/bin/voteclient /usr/share/man/man1/voteverify.1.gz \
         /usr/share/man/man1/voteclient.1.gz; do has votesrv-verify "$f"; done
for u in conf/systemd/*.service conf/systemd/*.socket conf/systemd/*.target; do
    [ -e "$u" ] || continue
    cat "$top"/*.list | grep -qxF "/lib/systemd/system/${u##*/}" || fail "no package ships $u"
done
# modes and owners (dpkg-deb -c): everything root:root, nothing group- or
# world-writable, no set-id bit; /etc/votesrv and /etc/votecad root's 0755 (the
# writer must not replace the keys file: docs/deployment.md); the example
# configurations 0644 (they hold no secret: password_file, keys)
for p in votesrv votesrv-common votesrv-trustee votesrv-credauth votesrv-verify; do
    dpkg-deb -c "$(deb $p)" > "$top/$p.long"
    bad=$(awk '$1 !~ /^l/ && $2 != "root/root" || substr($1, 6, 1) == "w" || substr($1, 9, 1) == "w" ||
               $1 ~ /[sStT]/ || ($1 ~ /^l/ && $2 != "root/root")' "$top/$p.long")
    [ -z "$bad" ] || fail "package $p: not root's, writable by others or set-id: $bad"
done
mode() {
    awk -v f="./${2#/}" '$NF == f {print $1 " " $2}' "$top/$1.long"
}
for d in /etc/votesrv/ /etc/votecad/; do
    p=votesrv; [ "$d" = /etc/votecad/ ] && p=votesrv-credauth
    [ "$(mode $p $d)" = "drwxr-xr-x root/root" ] || fail "package $p: $d is $(mode $p $d)"
done
[ "$(mode votesrv /etc/votesrv/votesrv.json)" = "-rw-r--r-- root/root" ] ||
    fail "package votesrv: /etc/votesrv/votesrv.json is $(mode votesrv /etc/votesrv/votesrv.json)"
# the configurations are conffiles (an upgrade keeps the operator's edits)
dpkg-deb -I "$(deb votesrv)" conffiles | grep -qxF /etc/votesrv/votesrv.json ||
    fail "package votesrv: /etc/votesrv/votesrv.json is not a conffile"
dpkg-deb -I "$(deb votesrv-credauth)" conffiles | grep -qxF /etc/votecad/votecad.json ||
    fail "package votesrv-credauth: /etc/votecad/votecad.json is not a conffile"
# the maintainer scripts: set -e; none removes the state folders (the ballot
# box and the audit log stay, even at purge), none deletes a user or chowns
# recursively (a path the daemon's user controls: root's chown follows its links)
for p in votesrv votesrv-credauth; do
    for s in preinst postinst prerm postrm; do
        dpkg-deb -I "$(deb $p)" "$s" > "$top/$p.$s" 2> /dev/null || continue
        grep -q '^set -e' "$top/$p.$s" || fail "package $p: $s has no set -e"
        ! grep -Eq 'rm .*/var/lib/vote|deluser|userdel|chown +-[a-zA-Z]*R|chmod +-[a-zA-Z]*R' \
            "$top/$p.$s" || fail "package $p: $s removes state or users, or works recursively"
    done
done
dup=$(cat "$top"/*.list | grep -v '/$' | sort | uniq -d)
[ -z "$dup" ] || fail "files in two packages: $dup"
dpkg-deb -I "$(deb votesrv)" postinst | grep -q 'adduser .*--system' ||
    fail "votesrv's postinst makes no system user"
# votesrv's postinst (its own part, without debhelper's snippets), twice, as
# root in a mount namespace of its own where /etc and /var/lib are copies: the
# three users, and /var/lib/votesrv votesrv:votesrv-signer 0711
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
    echo "== package: votesrv's and votesrv-credauth's postinsts (a private /etc and /var/lib)"
    mkdir -p "$top/pi/varlib/dpkg" "$top/pi/varlib/votesrv"
    cp -a /etc "$top/pi/etc" 2> /dev/null || true
    cp /var/lib/dpkg/statoverride "$top/pi/varlib/dpkg/" 2> /dev/null || : > "$top/pi/varlib/dpkg/statoverride"
    sed 's/^#DEBHELPER#$//' debian/votesrv.postinst > "$top/pi/postinst"
    sed 's/^#DEBHELPER#$//' debian/votesrv-credauth.postinst > "$top/pi/postinst-credauth"
    unshare -m sh -c 'set -e; mount --make-rprivate /; mount --bind "$1/etc" /etc
        mount --bind "$1/varlib" /var/lib
        for i in 1 2; do sh -e "$1/postinst" configure; sh -e "$1/postinst-credauth" configure; done
        for u in votesrv votesrv-signer votesrv-http votecad; do
            getent passwd "$u" | grep -q ":/usr/sbin/nologin$"; done
        getent passwd votesrv | grep -q ":/var/lib/votesrv:"
        test "$(stat -c %U:%G:%a /var/lib/votesrv)" = votesrv:votesrv-signer:711
        # an upgrade, after the writer (votesrv) planted links in its folder
        # to root-owned files: they stay root-owned
        ln -s /etc/passwd /var/lib/votesrv/registry.db
        ln -s /etc /var/lib/votesrv/documents
        chown -h votesrv /var/lib/votesrv/registry.db /var/lib/votesrv/documents
        sh -e "$1/postinst" configure 0.0.1
        test "$(stat -c %U:%G:%a /etc/passwd /etc)" = "$(printf "root:root:644\nroot:root:755")"
        # an administrator'"'"'s dpkg-statoverride is kept
        dpkg-statoverride --update --add root votesrv-signer 0750 /var/lib/votesrv
        sh -e "$1/postinst" configure 0.0.1
        test "$(stat -c %U:%G:%a /var/lib/votesrv)" = root:votesrv-signer:750' sh "$top/pi" ||
        fail "the postinsts: users or /var/lib/votesrv not as expected"
fi
# the programs' man pages, each in exactly one package
for m in docs/man/*.[158]; do
    n=${m##*/}
    [ "$(cat "$top"/*.list | grep -cxF "/usr/share/man/man${n##*.}/$n.gz")" = 1 ] ||
        fail "man page $n not in exactly one package"
done

# 3. the installed layouts: make install, and the packages unpacked
echo "== install: make install DESTDIR"
(umask 000; make --no-print-directory -s install DESTDIR="$top/inst") > "$top/install.log" 2>&1 ||
    { tail -20 "$top/install.log"; fail "make install failed"; }
# even under umask 000, nothing installed is group- or world-writable (a local
# user editing /etc/votesrv/votesrv.json, read as root, would own the daemon)
bad=$(find "$top/inst" -perm /022 -printf '%m %P\n')
[ -z "$bad" ] || fail "make install (umask 000) left writable files: $bad"
mkdir "$top/debroot"
for p in votesrv votesrv-common votesrv-trustee votesrv-credauth votesrv-verify; do
    dpkg-deb -x "$(deb $p)" "$top/debroot"
done

free_port() {
    python3 -c 'import socket
for _ in range(50):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError: pass
    finally: s.close(); t.close()'
}

# GET URL until it answers 200, for at most 10 s (100 tries); the body in $2
get_ok() {
    i=0
    while [ $i -lt 100 ]; do
        if curl -fsS --max-time 2 -o "$2" "$1" 2> /dev/null; then return 0; fi
        kill -0 "$pid" 2> /dev/null || return 1
        i=$((i + 1)); sleep 0.1
    done
    return 1
}

layout() {
    root=$1 what=$2
    echo "== install: a daemon from the $what ($root)"
    # the example configuration names files the install holds
    grep -q '"templates": "/usr/share/votesrv/conf/mail"' "$root/etc/votesrv/votesrv.json" ||
        fail "$what: /etc/votesrv/votesrv.json does not name the installed templates"
    for f in $(grep -o '"/usr/share/votesrv/[^"]*"' "$root/etc/votesrv/votesrv.json" | tr -d '"'); do
        [ -e "$root$f" ] || fail "$what: /etc/votesrv/votesrv.json names $f, not installed"
    done
    # the example configurations start a daemon that is safe by default:
    # privilege separation with three distinct users, the listeners on
    # loopback, no demo mailbox, the writer not left root, the keys in /etc
    python3 - "$root/etc/votesrv/votesrv.json" "$root/etc/votecad/votecad.json" <<'PY' ||
import ipaddress, json, sys
c, cad = (json.load(open(f)) for f in sys.argv[1:3])
ps = c["privsep"]
users = [ps.get("user"), ps.get("signer_user"), ps.get("writer_user")]
assert ps.get("enabled") is True and all(users) and len(set(users)) == 3, ps
assert "root" not in users and not ps.get("writer_stays_root"), ps
for l in (c["listen"], c["internal_listen"], cad["listen"]):
    assert ipaddress.ip_address(l["address"]).is_loopback, l
assert "demo_mailbox" not in c and "demo_mailbox" not in c.get("mail", {}), c.get("mail")
assert c["keys"].startswith("/etc/votesrv/"), c["keys"]
assert c["mail"]["password_file"].startswith("/etc/votesrv/"), c["mail"]
assert cad["key"].startswith("/etc/votecad/"), cad["key"]
PY
        fail "$what: the example configuration is not safe by default"
    port=$(free_port)
    [ -n "$port" ] || fail "no free port pair on loopback"
    demo="$top/demo-$what"
    env -u VOTESRV_CONF "$root/usr/bin/votectl" demo "$demo" --port "$port" > "$top/demo.log" 2>&1 ||
        { cat "$top/demo.log"; fail "$what: votectl demo failed"; }
    grep -q "\"templates\": \"$root/usr/share/votesrv/conf/mail\"" "$demo/votesrv.json" ||
        fail "$what: votectl demo did not find the installed templates"
    grep -q "\"assets\": \"$root/usr/share/votesrv/portal\"" "$demo/votesrv.json" ||
        fail "$what: votectl demo did not find the installed portal"
    "$root/usr/sbin/votesrv" -c "$demo/votesrv.json" > "$top/daemon.log" 2>&1 &
    pid=$!
    get_ok "http://127.0.0.1:$((port + 1))/healthz" "$top/healthz" ||
        { tail -20 "$top/daemon.log"; fail "$what: no /healthz on the internal listener"; }
    get_ok "http://127.0.0.1:$port/" "$top/home.html" ||
        { tail -20 "$top/daemon.log"; fail "$what: no home page"; }
    grep -q '<html lang="fr"' "$top/home.html" || fail "$what: the home page is not the portal's"
    get_ok "http://127.0.0.1:$port/static/portal.css" "$top/portal.css" ||
        fail "$what: no style sheet from the installed assets"
    cmp -s "$top/portal.css" "$root/usr/share/votesrv/portal/portal.css" ||
        fail "$what: the style sheet served is not the installed one"
    kill "$pid"
    wait "$pid" || true
    pid=
    echo "   /healthz, / and /static/portal.css answered from $root"
}
layout "$top/inst" "make-install"
layout "$top/debroot" "packages"
t3=$(date +%s)
echo "package_check: ok (package build $((t1 - t0)) s, lintian $((t2 - t1)) s," \
     "contents and installed daemons $((t3 - t2)) s)"
