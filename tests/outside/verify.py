#!/usr/bin/env python3
"""Outside verifier for votesrv-archive/2, written from docs/protocol.md alone.

Usage: verify.py ARCHIVE   (exit 0: verified, 1: a check failed, 2: usage)
Only the Python standard library and libsodium (ctypes) are used.
"""
import ctypes, ctypes.util, hashlib, json, struct, sys

# ---------------------------------------------------------------- libsodium
_na = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
if _na.sodium_init() < 0:
    raise SystemExit("libsodium init failed")
L = 2**252 + 27742317777372353535851937790883648493
O = bytes(32)


class Fail(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Fail(what)


def valid_point(p, allow_o=False):
    """§1: strict decoding; the identity only where allowed."""
    if len(p) != 32:
        return False
    if p == O:
        return allow_o
    return _na.crypto_core_ristretto255_is_valid_point(p) == 1


def padd(p, q):
    if p == O:
        return q
    if q == O:
        return p
    r = ctypes.create_string_buffer(32)
    need(_na.crypto_core_ristretto255_add(r, p, q) == 0, "point addition")
    return r.raw


def pneg(p):
    if p == O:
        return O
    # -P = (L-1)·P
    return smul(L - 1, p)


def psub(p, q):
    return padd(p, pneg(q))


def smul(n, p):
    n %= L
    if n == 0 or p == O:
        return O
    r = ctypes.create_string_buffer(32)
    if _na.crypto_scalarmult_ristretto255(r, n.to_bytes(32, "little"), p) != 0:
        return O          # libsodium refuses an identity result
    return r.raw


def gmul(n):
    n %= L
    if n == 0:
        return O
    r = ctypes.create_string_buffer(32)
    need(_na.crypto_scalarmult_ristretto255_base(r, n.to_bytes(32, "little")) == 0, "base mult")
    return r.raw


def from_hash(h64):
    r = ctypes.create_string_buffer(32)
    _na.crypto_core_ristretto255_from_hash(r, h64)
    return r.raw


def ed25519_ok(sig, msg, pk):
    return (len(sig) == 64 and len(pk) == 32 and
            _na.crypto_sign_verify_detached(sig, msg, ctypes.c_ulonglong(len(msg)), pk) == 0)


G = gmul(1)

# ---------------------------------------------------------------- hashes (§1, §2)


def le64(n):
    return struct.pack("<Q", n)


def enc(x):
    if isinstance(x, str):
        x = x.encode()
    return le64(len(x)) + x


def _h(size, tag, items):
    h = hashlib.blake2b(digest_size=size)
    h.update(enc(tag))
    for x in items:
        h.update(enc(x))
    return h.digest()


def Hb(tag, *items):
    return _h(32, tag, items)


def Hb64(tag, *items):
    return _h(64, tag, items)


def Hs(tag, *items):
    return int.from_bytes(_h(64, tag, items), "little") % L


def scalar(b, what):
    need(len(b) == 32, what + ": scalar length")
    v = int.from_bytes(b, "little")
    need(v < L, what + ": scalar not canonical")
    return v


def unhex(s, n, what):
    need(isinstance(s, str) and len(s) == 2 * n and all(c in "0123456789abcdef" for c in s),
         what + ": hex of %d bytes expected" % n)
    return bytes.fromhex(s)


def point(s, what, allow_o=False):
    p = unhex(s, 32, what)
    need(valid_point(p, allow_o), what + ": invalid point")
    return p

# ---------------------------------------------------------------- canonical JSON (§12)


def _no_dup(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Fail("duplicate key %r" % k)
        d[k] = v
    return d


def _no_real(s):
    raise Fail("a real number (%s) has no canonical form" % s)


def _no_const(s):
    raise Fail("not JSON: %s" % s)


def jparse(text):
    try:
        v = json.loads(text, object_pairs_hook=_no_dup, parse_float=_no_real,
                       parse_constant=_no_const)
    except ValueError as e:
        raise Fail("not JSON: %s" % e)
    _check_scalar_values(v)
    return v


def _check_scalar_values(v):
    if isinstance(v, str):
        for ch in v:
            o = ord(ch)
            need(o != 0 and not (0xD800 <= o <= 0xDFFF), "string holds U+0000 or a surrogate")
    elif isinstance(v, list):
        for x in v:
            _check_scalar_values(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _check_scalar_values(k)
            _check_scalar_values(x)


_ESC = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r'}


def _cstr(s):
    out = ['"']
    for ch in s:
        if ch in _ESC:
            out.append(_ESC[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canon_text(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _cstr(v)
    if isinstance(v, list):
        return "[" + ",".join(canon_text(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(_cstr(k) + ":" + canon_text(v[k]) for k in keys) + "}"
    raise Fail("value without canonical form: %r" % (v,))


def canon(v):
    return canon_text(v).encode("utf-8")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)

# ---------------------------------------------------------------- proofs (§5, §7, §8)


def disj_verify(fp, H, a, b, values, proof, aux):
    """§5.2: proof = [(A, B, c, s)] per value."""
    n1 = len(values)
    items = [fp, H, a, b, le64(n1)] + [le64(m) for m in values]
    for (A, B, c, s) in proof:
        items += [A, B]
    items.append(aux)
    c = Hs("votesrv/v1/disj", *items)
    if sum(br[2] for br in proof) % L != c:
        return False
    for m, (A, B, cj, sj) in zip(values, proof):
        if gmul(sj) != padd(A, smul(cj, a)):
            return False
        if smul(sj, H) != padd(B, smul(cj, psub(b, gmul(m)))):
            return False
    return True


def branch(j, what):
    need(isinstance(j, dict) and set(j) == {"a", "b", "c", "s"}, what + ": BRANCH keys")
    A = point(j["a"], what + ".a")
    B = point(j["b"], what + ".b")
    c = scalar(unhex(j["c"], 32, what + ".c"), what + ".c")
    s = scalar(unhex(j["s"], 32, what + ".s"), what + ".s")
    return (A, B, c, s)


def proof_bytes(proof):
    return b"".join(A + B + c.to_bytes(32, "little") + s.to_bytes(32, "little")
                    for (A, B, c, s) in proof)


def ballot_decode(b, fp_hex, sid, k, rmin, rmax):
    """§14 JSON form, strictly: returns the decoded values."""
    need(isinstance(b, dict) and set(b) == {"version", "election", "scrutin", "credential",
                                           "lists", "range", "signature"}, "ballot keys")
    need(is_int(b["version"]) and b["version"] == 1, "version")
    need(b["election"] == fp_hex, "election fingerprint")
    need(b["scrutin"] == sid, "scrutin id")
    S = point(b["credential"], "credential")
    need(isinstance(b["lists"], list) and len(b["lists"]) == k, "number of lists")
    lists = []
    for i, l in enumerate(b["lists"]):
        need(isinstance(l, dict) and set(l) == {"ct", "proof"}, "list %d keys" % i)
        ct = unhex(l["ct"], 64, "list %d ct" % i)
        a, be = ct[:32], ct[32:]
        need(valid_point(a) and valid_point(be), "list %d ciphertext" % i)
        need(isinstance(l["proof"], list) and len(l["proof"]) == 2, "list %d proof size" % i)
        lists.append((a, be, [branch(x, "list %d proof" % i) for x in l["proof"]]))
    r = b["range"]
    need(isinstance(r, dict) and set(r) == {"min", "max", "proof"}, "range keys")
    need(is_int(r["min"]) and is_int(r["max"]), "range min/max integers")
    need(r["min"] == rmin and r["max"] == rmax, "range [min, max] of the definition")
    need(isinstance(r["proof"], list) and len(r["proof"]) == rmax - rmin + 1, "range proof size")
    rproof = [branch(x, "range proof") for x in r["proof"]]
    sg = b["signature"]
    need(isinstance(sg, dict) and set(sg) == {"a", "s"}, "signature keys")
    SA = point(sg["a"], "signature.a")
    Ss = scalar(unhex(sg["s"], 32, "signature.s"), "signature.s")
    return S, lists, rproof, SA, Ss


def ballot_verify(fp, H, sid, S, lists, rproof, SA, Ss, rmin, rmax):
    aux = enc(S) + enc(sid)
    for i, (a, b, pr) in enumerate(lists):
        need(disj_verify(fp, H, a, b, [0, 1], pr, aux), "list %d: 0/1 proof" % i)
    sa, sb = O, O
    for (a, b, _) in lists:
        sa, sb = padd(sa, a), padd(sb, b)
    need(disj_verify(fp, H, sa, sb, list(range(rmin, rmax + 1)), rproof, aux), "range proof")
    items = [fp, sid, S, le64(len(lists))]
    for (a, b, pr) in lists:
        items += [a, b, proof_bytes(pr)]
    items += [le64(rmin), le64(rmax), proof_bytes(rproof)]
    d = Hb("votesrv/v1/ballot", *items)
    c = Hs("votesrv/v1/sig", fp, S, SA, d)
    need(gmul(Ss) == padd(SA, smul(c, S)), "credential signature")


def pok_verify(ctx, X, A, s, aux):
    c = Hs("votesrv/v1/pok", ctx, X, A, aux)
    return gmul(s) == padd(A, smul(c, X))


def dec_verify(ctx, X, alpha, D, A, B, s):
    c = Hs("votesrv/v1/dec", ctx, X, alpha, D, A, B)
    return gmul(s) == padd(A, smul(c, X)) and smul(s, alpha) == padd(B, smul(c, D))

# ---------------------------------------------------------------- tracker text (§14)

B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def tracker_text(t):
    bits = "".join(format(x, "08b") for x in t) + "0000"
    syms = [B32[int(bits[i:i + 5], 2)] for i in range(0, 260, 5)]
    return "-".join("".join(syms[i:i + 4]) for i in range(0, 52, 4))

# ---------------------------------------------------------------- the archive


class Verifier:
    def __init__(self):
        self.fails = []
        self.oks = []

    def check(self, name, fn):
        try:
            msg = fn()
            self.oks.append("ok   %s%s" % (name, (": " + msg) if msg else ""))
        except (Fail, KeyError, TypeError, AttributeError, ValueError, IndexError) as e:
            self.fails.append("FAIL %s: %s%s" % (name, "" if isinstance(e, Fail) else
                                                  type(e).__name__ + " ", e))

    def run(self, path):
        with open(path, "rb") as f:
            raw = f.read()
        need(raw.endswith(b"\n"), "archive does not end with a line feed")
        self.lines = raw[:-1].split(b"\n")
        self.check("structure", self.structure)
        if self.fails:
            return
        self.check("election", self.election)
        if self.fails:
            return
        self.check("ceremony", self.ceremony)
        self.check("ballots", self.ballots)
        self.check("credentials", self.credentials)
        self.check("seals", self.seals)
        self.check("checkpoints", self.checkpoints)
        self.check("count", self.count)

    # (1) structure
    def structure(self):
        L_ = self.lines
        head = jparse(L_[0].decode("utf-8"))
        need(isinstance(head, dict) and set(head) == {"format", "election"} and
             head["format"] == "votesrv-archive/2", "line 1: format")
        self.head = head["election"]
        e = self.head
        need(isinstance(e, dict) and set(e) == {"eid", "state", "definition", "fingerprint",
                                                "public_key", "audit_key"}, "line 1: election keys")
        self.defn = e["definition"]
        sc = self.defn.get("scrutins")
        need(isinstance(sc, list) and sc, "definition: scrutins")
        i = 1
        self.scrutins = []
        for s in sc:
            need(i < len(L_), "truncated")
            hdr = jparse(L_[i].decode("utf-8"))
            i += 1
            need(isinstance(hdr, dict) and set(hdr) == {"scrutin"}, "line %d: scrutin line" % i)
            h = hdr["scrutin"]
            need(isinstance(h, dict) and set(h) == {"id", "signatures", "ballots", "box_digest"}
                 and h["id"] == s["id"], "line %d: scrutin %s header" % (i, s["id"]))
            need(is_int(h["ballots"]) and is_int(h["signatures"]) and h["ballots"] >= 0,
                 "scrutin header counts")
            blines = []
            for _ in range(h["ballots"]):
                need(i < len(L_), "truncated in the ballots of %s" % s["id"])
                blines.append((i + 1, L_[i]))
                i += 1
            self.scrutins.append((s, h, blines))
        rest = []
        for name in ("credentials", "documents", "checkpoints", "end"):
            need(i < len(L_), "truncated: no %s line" % name)
            v = jparse(L_[i].decode("utf-8"))
            need(isinstance(v, dict) and set(v) == {name}, "line %d: %s line expected" % (i + 1, name))
            rest.append(v[name])
            i += 1
        need(i == len(L_), "lines after the end line")
        self.creds, self.docs, self.cps, self.end = rest
        end = self.end
        need(isinstance(end, dict) and set(end) == {"lines", "checkpoints", "last_checkpoint",
                                                    "state", "signature"}, "end keys")
        need(end["lines"] == len(L_) - 1, "end.lines = %s, %d lines before it" %
             (end["lines"], len(L_) - 1))
        need(isinstance(self.cps, list) and end["checkpoints"] == len(self.cps),
             "end.checkpoints = number of checkpoints")
        last = self.cps[-1] if self.cps else {"seq": 0, "hash": "0" * 64}
        need(end["last_checkpoint"] == {"seq": last["seq"], "hash": last["hash"]},
             "end.last_checkpoint = the last checkpoint")
        # every non-ballot line: canonical JSON is not required (§14: content only)
        need(isinstance(self.docs, dict) and set(self.docs) == {
            "keys", "shares", "verdict", "credential-lists", "reissue", "seal-open",
            "seal-close", "sums", "partial", "results"}, "documents keys")
        return "%d lines" % (len(L_) + 1)

    def election(self):
        e = self.head
        self.eid = e["eid"]
        self.H = point(e["public_key"], "public_key")
        self.audit_key = unhex(e["audit_key"], 32, "audit_key")
        self.fp = Hb("votesrv/v1/election", self.eid, canon(self.defn), self.H)
        need(self.fp.hex() == e["fingerprint"], "fingerprint is not Hb(election; eid, def, key)")
        self.draft_fp = Hb("votesrv/v1/election", self.eid, canon(self.defn), b"")
        return "fingerprint %s" % e["fingerprint"][:16]

    # ceremony (§6, §6.1, §6.3)
    def msg_ok(self, m, pk):
        body = {k: v for k, v in m.items() if k != "signature"}
        d = Hb("votesrv/v1/ceremony-message", canon(body))
        return d, ed25519_ok(unhex(m["signature"], 64, "message signature"), d, pk)

    def ceremony(self):
        dels = self.defn["bureau"]["delegates"]
        m = len(dels)
        keys = self.docs["keys"]
        need(len(keys) == m + 1 and [k["holder"] for k in keys] == list(range(m + 1)),
             "one keys message per holder")
        self.sign_pk, self.C, kd = {}, {}, []
        for k in keys:
            i = k["holder"]
            need(k["format"] == "votesrv-ceremony/1" and k["eid"] == self.eid and
                 k["kind"] == "keys", "keys %d: header" % i)
            pk = unhex(k["sign_pk"], 32, "sign_pk")
            d, ok = self.msg_ok(k, pk)
            need(ok, "keys %d: signature" % i)
            kd.append(d)
            self.sign_pk[i] = pk
            C = [point(x, "commitment") for x in k["commitments"]]
            need(len(C) == (1 if i == 0 else 2), "keys %d: commitments" % i)
            pr = unhex(k["proof"], 64, "proof")
            A, s = pr[:32], scalar(pr[32:], "pok s")
            need(valid_point(A), "pok A")
            aux = b"votesrv/v1/bureau-president" if i == 0 else le64(i) + C[0] + C[1]
            need(pok_verify(self.draft_fp, C[0], A, s, aux), "keys %d: proof of knowledge" % i)
            self.C[i] = C
        H = self.C[0][0]
        for i in range(1, m + 1):
            H = padd(H, self.C[i][0])
        need(H == self.H, "public key = X_P + sum C_i0")
        sd = []
        tk = Hb("votesrv/v1/ceremony-transcript", *kd)
        shares = self.docs["shares"]
        need([s["holder"] for s in shares] == list(range(1, m + 1)), "one shares message per delegate")
        for s in shares:
            d, ok = self.msg_ok(s, self.sign_pk[s["holder"]])
            need(ok and s["kind"] == "shares" and s["eid"] == self.eid, "shares %d" % s["holder"])
            need(s["keys"] == tk.hex(), "shares %d: keys transcript" % s["holder"])
            sd.append(d)
        tr = Hb("votesrv/v1/ceremony-transcript", *(kd + sd))
        ver = self.docs["verdict"]
        need([v["holder"] for v in ver] == list(range(m + 1)), "one verdict per holder")
        for v in ver:
            d, ok = self.msg_ok(v, self.sign_pk[v["holder"]])
            need(ok and v["kind"] == "verdict" and v["ok"] is True and v["transcript"] == tr.hex(),
                 "verdict %d" % v["holder"])
        # verification keys X_j (§6 step 4)
        self.X = {0: self.C[0][0]}
        for j in range(1, m + 1):
            X = O
            for i in range(1, m + 1):
                X = padd(X, padd(self.C[i][0], smul(j, self.C[i][1])))
            self.X[j] = X
        return "%d holders, joint key checked" % (m + 1)

    # (2)(3)(5) ballot lines, trackers, box digests, proofs
    def ballots(self):
        fp_hex = self.fp.hex()
        self.sums = {}
        self.ballot_S = {}
        self.box = {}
        alphas = set()
        trackers = set()
        bad = []
        total = 0
        for s, h, blines in self.scrutins:
            sid = s["id"]
            k = len(s["lists"])
            rmin = 0 if s.get("blank_allowed", True) is not False else 1
            rmax = 1
            D = O
            prev = None
            sums = [(O, O)] * k
            used = set()
            for lineno, raw in blines:
                try:
                    need(raw.startswith(b'{"tracker":"') and raw[76:87] == b'","ballot":'
                         and raw.endswith(b"}"), "not a ballot line")
                    t = unhex(raw[12:76].decode("ascii"), 32, "tracker")
                    body = raw[87:-1]
                    b = jparse(body.decode("utf-8"))
                    need(canon(b) == body, "ballot not in canonical form")
                    need(Hb("votesrv/v1/tracker", body) == t, "does not hash to its tracker")
                    need(prev is None or t > prev, "trackers not sorted / repeated")
                    prev = t
                    need(t not in trackers, "a tracker seen twice in the box")
                    trackers.add(t)
                    S, lists, rproof, SA, Ss = ballot_decode(b, fp_hex, sid, k, rmin, rmax)
                    need(S not in used, "credential used twice")
                    used.add(S)
                    for (a, _, _) in lists:
                        need(a not in alphas, "an alpha seen twice in the box")
                        alphas.add(a)
                    ballot_verify(self.fp, self.H, sid, S, lists, rproof, SA, Ss, rmin, rmax)
                    D = padd(D, from_hash(Hb64("votesrv/v1/box-digest", t)))
                    sums = [(padd(x, a), padd(y, be)) for (x, y), (a, be, _) in zip(sums, lists)]
                    self.ballot_S.setdefault(sid, []).append(S)
                    total += 1
                except Fail as e:
                    bad.append("line %d (scrutin %s): %s" % (lineno, sid, e))
            need(not bad, "%d invalid ballot line(s); first: %s" % (len(bad), bad[0] if bad else ""))
            need(D.hex() == h["box_digest"], "scrutin %s: box digest" % sid)
            need(h["ballots"] == h["signatures"], "scrutin %s: ballots = signatures" % sid)
            self.sums[sid] = sums
            self.box[sid] = (h["ballots"], D)
        return "%d ballots verified" % total

    # §7.1, §7.2, §14 credentials
    def credentials(self):
        pk = unhex(self.defn["credential_authority"], 32, "credential_authority")
        cl = self.docs["credential-lists"]
        need(len(cl) == 1, "exactly one credential-lists document")
        c = cl[0]
        need(c["election"] == self.eid and c["fingerprint"] == self.fp.hex() and
             c["authority"] == pk.hex(), "credential-lists header")
        ids = [s["id"] for s in self.defn["scrutins"]]
        need([l["scrutin"] for l in c["lists"]] == ids, "one list per scrutin")
        active, known = {}, set()
        self.cred_items = []
        for l in c["lists"]:
            S = [point(x, "listed credential") for x in l["credentials"]]
            need(S == sorted(S) and len(set(S)) == len(S), "list sorted, distinct")
            need(l["eligible"] == len(S), "eligible = length")
            d = Hb("votesrv/v1/credential-list", self.eid, l["scrutin"], le64(len(S)), *S)
            sig = unhex(l["signature"], 64, "list signature")
            need(ed25519_ok(sig, d, pk), "list %s: signature" % l["scrutin"])
            self.cred_items += [l["scrutin"], le64(len(S)), d, sig]
            for x in S:
                need((l["scrutin"], x) not in known, "credential twice")
                known.add((l["scrutin"], x))
            active[l["scrutin"]] = set(S)
        revoked = {i: set() for i in ids}
        rec_items = []
        for n, r in enumerate(self.docs["reissue"], 1):
            need(r["seq"] == n and r["election"] == self.eid and r["entries"], "reissue %d" % n)
            items = [self.eid, le64(n), le64(len(r["entries"]))]
            for e in r["entries"]:
                R, F = point(e["revoked"], "revoked"), point(e["fresh"], "fresh")
                need(R in active[e["scrutin"]] and (e["scrutin"], F) not in known, "reissue entry")
                active[e["scrutin"]].discard(R)
                revoked[e["scrutin"]].add(R)
                active[e["scrutin"]].add(F)
                known.add((e["scrutin"], F))
                items += [e["scrutin"], R, F]
            d = Hb("votesrv/v1/credential-reissue", *items)
            sig = unhex(r["signature"], 64, "reissue signature")
            need(ed25519_ok(sig, d, pk), "reissue %d: signature" % n)
            rec_items += [d, sig]
        self.cred_hash_close = Hb("votesrv/v1/seal-credentials", *(self.cred_items + [le64(len(
            self.docs["reissue"]))] + rec_items))
        self.cred_hash_open = Hb("votesrv/v1/seal-credentials", *(self.cred_items + [le64(0)]))
        line = {(x["scrutin"], x["credential"], x["revoked"]) for x in self.creds}
        want = {(s, S.hex(), False) for s in ids for S in active[s]} | \
               {(s, S.hex(), True) for s in ids for S in revoked[s]}
        need(line == want and len(line) == len(self.creds), "the credentials line")
        keys = [(x["scrutin"].encode(), bytes.fromhex(x["credential"])) for x in self.creds]
        need(all(a < b for a, b in zip(keys, keys[1:])),
             "the credentials line is sorted by scrutin id bytes, then credential bytes")
        for sid, Ss in self.ballot_S.items():
            for S in Ss:
                need(S in active[sid], "a ballot's credential is not an active listed one")
        return "%d reissues" % len(self.docs["reissue"])

    # (6a) seals §6.3
    def seals(self):
        ids = [s["id"] for s in self.defn["scrutins"]]
        empty_box = Hb("votesrv/v1/seal-box", *sum(([i, le64(0), O] for i in ids), []))
        box = Hb("votesrv/v1/seal-box", *sum(([i, le64(self.box[i][0]), self.box[i][1]]
                                               for i in ids), []))
        empty_sig = Hb("votesrv/v1/seal-signatures")
        keyset = {"act", "eid", "fingerprint", "signatures", "box", "credentials", "software"}
        opening_sw, seen = None, set()
        for m in self.docs["seal-open"]:
            h = m["holder"]
            _, ok = self.msg_ok(m, self.sign_pk.get(h, b""))
            st = m.get("state")
            if not (ok and m["kind"] == "seal-open" and m["eid"] == self.eid and
                    isinstance(st, dict) and set(st) == keyset and st["act"] == "open" and
                    st["eid"] == self.eid and st["fingerprint"] == self.fp.hex() and
                    st["box"] == empty_box.hex() and st["credentials"] == self.cred_hash_open.hex()
                    and st["signatures"] == empty_sig.hex()):
                continue
            need(h not in seen, "two accepted opening seals of holder %d" % h)
            seen.add(h)
            if h == 0:
                opening_sw = st["software"]
        need(0 in seen and len(seen) >= 2, "seals before open: president and a delegate")
        self.close_sigs = {}
        first = None
        for m in self.docs["seal-close"]:
            h = m["holder"]
            _, ok = self.msg_ok(m, self.sign_pk.get(h, b""))
            st = m.get("state")
            need(ok and m["kind"] == "seal-close" and m["eid"] == self.eid and
                 isinstance(st, dict) and set(st) == keyset and st["act"] == "close" and
                 st["eid"] == self.eid and st["fingerprint"] == self.fp.hex() and
                 st["box"] == box.hex() and st["credentials"] == self.cred_hash_close.hex(),
                 "closing seal of holder %s" % h)
            unhex(st["signatures"], 32, "signatures")
            need(st["software"] == opening_sw, "closing software = opening software")
            need(h not in self.close_sigs, "two closing seals of holder %d" % h)
            first = first or st
            need(st == first, "closing states differ")
            self.close_sigs[h] = unhex(m["signature"], 64, "seal signature")
        if self.head["state"] in ("closed", "tallied", "published", "purged"):
            need(0 in self.close_sigs and len(self.close_sigs) >= 2,
                 "seals before close: president and a delegate")
        return "%d opening, %d closing" % (len(seen), len(self.close_sigs))

    # (4) checkpoints §13
    def checkpoints(self):
        prev = 0
        for c in self.cps:
            need(set(c) == {"seq", "hash", "signature"} and is_int(c["seq"]) and c["seq"] > prev,
                 "checkpoint seq increasing")
            prev = c["seq"]
            msg = le64(c["seq"]) + unhex(c["hash"], 32, "checkpoint hash")
            need(ed25519_ok(unhex(c["signature"], 64, "checkpoint signature"), msg,
                            self.audit_key), "checkpoint %d: signature" % c["seq"])
        # the end line, signed by the audit key (§13)
        end, last = self.end, self.end["last_checkpoint"]
        need(isinstance(end["state"], str) and is_int(end["checkpoints"]) and
             is_int(last["seq"]), "end fields")
        msg = Hb("votesrv/v1/archive-end", self.fp, end["state"], le64(end["checkpoints"]),
                 le64(last["seq"]), unhex(last["hash"], 32, "end hash"))
        need(ed25519_ok(unhex(end["signature"], 64, "end signature"), msg, self.audit_key),
             "end: signature")
        need(end["state"] == self.head["state"], "end.state = the election's state")
        need(not self.docs["results"] or end["state"] in ("tallied", "published", "purged"),
             "end.state: one in which the results exist")
        return "%d checkpoints, end signed in state %s" % (len(self.cps), end["state"])

    # (6b) count §15 §16
    def count(self):
        if not self.docs["sums"]:
            need(not self.docs["results"] and not self.docs["partial"], "results without sums")
            return "none published"
        need(len(self.docs["sums"]) == 1, "one sums document")
        sd = self.docs["sums"][0]
        want = {"format": "votesrv-sums/1", "eid": self.eid, "fingerprint": self.fp.hex(),
                "scrutins": [{"id": s["id"], "lists": len(s["lists"]), "ballots": h["ballots"],
                              "signatures": h["signatures"],
                              "sums": [(a + b).hex() for a, b in self.sums[s["id"]]]}
                             for s, h, _ in self.scrutins]}
        need(sd == want, "sums document = sums of the verified ballots")
        sdig = Hb("votesrv/v1/sums", canon(sd))
        parts = self.docs["partial"]
        hs = [p["holder"] for p in parts]
        need(hs == sorted(set(hs)) and 0 in hs and len(hs) >= 3, "quorum: president and two delegates")
        Q = [h for h in hs if h != 0]
        lam = {}
        for j in Q:
            num, den = 1, 1
            for i in Q:
                if i != j:
                    num, den = num * i % L, den * (i - j) % L
            lam[j] = num * pow(den, -1, L) % L
        M = {s["id"]: [B for (_, B) in self.sums[s["id"]]] for s in self.defn["scrutins"]}
        for p in parts:
            h = p["holder"]
            _, ok = self.msg_ok(p, self.sign_pk[h])
            need(ok and p["kind"] == "partial" and p["eid"] == self.eid and p["sums"] == sdig.hex(),
                 "partial of holder %d: signature, sums" % h)
            need([x["id"] for x in p["scrutins"]] == [s["id"] for s in self.defn["scrutins"]],
                 "partial %d scrutins" % h)
            for x in p["scrutins"]:
                sm = self.sums[x["id"]]
                need(len(x["factors"]) == len(sm) == len(x["proofs"]), "partial %d sizes" % h)
                for l, (Dh, prh) in enumerate(zip(x["factors"], x["proofs"])):
                    Dp = point(Dh, "factor", True)
                    pr = unhex(prh, 96, "dec proof")
                    A, B, s = pr[:32], pr[32:64], scalar(pr[64:], "dec s")
                    need(valid_point(A) and valid_point(B, True), "dec proof points")
                    need(dec_verify(self.fp, self.X[h], sm[l][0], Dp, A, B, s),
                         "partial decryption of holder %d, %s list %d" % (h, x["id"], l))
                    coef = 1 if h == 0 else lam[h]
                    M[x["id"]][l] = psub(M[x["id"]][l], smul(coef, Dp))
        need(len(self.docs["results"]) == 1, "one results document")
        r = self.docs["results"][0]
        tb = self.defn.get("tie_break", ["votes", "lot"])
        dels = self.defn["bureau"]["delegates"]
        names = [self.defn["bureau"]["president"]] + dels
        dsel = min(h for h in self.close_sigs if h != 0)
        need(set(r) == {"format", "eid", "fingerprint", "sums", "decrypted_by", "tie_break",
                        "seed_seals", "scrutins"}, "results keys")
        need(r["format"] == "votesrv-results/1" and r["eid"] == self.eid and
             r["fingerprint"] == self.fp.hex() and r["sums"] == sdig.hex(), "results header")
        need(r["decrypted_by"] == [{"holder": h, "name": names[h]} for h in hs], "decrypted_by")
        need(r["tie_break"] == tb, "tie_break")
        need(r["seed_seals"] == [0, dsel], "seed_seals")
        need(len(r["scrutins"]) == len(self.scrutins), "results scrutins")
        for (s, h, _), rs in zip(self.scrutins, r["scrutins"]):
            sid = s["id"]
            need(set(rs) == {"id", "title", "seats", "registered", "signatures", "ballots", "lists",
                             "expressed", "blank", "turnout_percent", "seats_allocated",
                             "contested", "seat_seed"}, "%s: results fields" % sid)
            votes = []
            for l, Mp in enumerate(M[sid]):
                n, P = 0, O
                while P != Mp:
                    n += 1
                    need(n <= h["ballots"], "%s list %d: no discrete log" % (sid, l))
                    P = padd(P, G)
                votes.append(n)
            seed = Hb("votesrv/v1/seat-seed", self.fp, sid, self.close_sigs[0], self.close_sigs[dsel])
            seats, alloc, contested = allocate(votes, s["seats"], tb, seed)
            exp = sum(votes)
            reg = rs["registered"]
            need(is_int(reg) and reg >= 0, "registered")
            bp = (h["signatures"] * 10000 + reg // 2) // reg if reg else 0
            want = {"id": sid, "title": s["title"], "seats": s["seats"], "registered": reg,
                    "signatures": h["signatures"], "ballots": h["ballots"],
                    "lists": [{"name": li["name"], "union": li.get("union", ""), "votes": v,
                               "seats": st} for li, v, st in zip(s["lists"], votes, seats)],
                    "expressed": exp, "blank": h["ballots"] - exp,
                    "turnout_percent": "%d.%02d" % (bp // 100, bp % 100),
                    "seats_allocated": alloc,
                    "contested": None if contested is None else
                    {"seat": alloc + 1, "lists": [s["lists"][i]["name"] for i in contested]},
                    "seat_seed": seed.hex()}
            for key in want:
                need(rs[key] == want[key], "%s: results %s = %r, recomputed %r" %
                     (sid, key, rs[key], want[key]))
        return "votes decrypted, results recomputed"


def allocate(votes, nseats, rules, seed):
    """§15: highest average, ties by the declared rules."""
    won = [0] * len(votes)
    for seat in range(1, nseats + 1):
        cand = [i for i, v in enumerate(votes) if v > 0]
        if not cand:
            return won, seat - 1, None
        best = []
        for i in cand:
            if not best:
                best = [i]
                continue
            j = best[0]
            a, b = votes[i] * (won[j] + 1), votes[j] * (won[i] + 1)
            if a > b:
                best = [i]
            elif a == b:
                best.append(i)
        for rule in rules:
            if len(best) == 1:
                break
            if rule == "votes":
                mx = max(votes[i] for i in best)
                best = [i for i in best if votes[i] == mx]
            elif rule == "lot":
                t = {i: Hb("votesrv/v1/seat-lot", seed, le64(seat), le64(i)) for i in best}
                best = [min(best, key=lambda i: t[i])]
            else:
                raise Fail("unknown tie_break rule %r" % rule)
        if len(best) > 1:
            return won, seat - 1, best
        won[best[0]] += 1
    return won, nseats, None


def selftest():
    """The document's own examples (§14 tracker text, §15 seed)."""
    t = bytes.fromhex("0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff")
    need(tracker_text(t) == "04HM-ASW9-NF6Y-ZZPW-QAC7-CN1J-2001-28HK-8HAP-CXW8-K6NB-QK6X-XVZG",
         "self-test: tracker text of section 14")
    seed = Hb("votesrv/v1/seat-seed", b"\x01" * 32, "csa-ministere", b"\x02" * 64, b"\x03" * 64)
    need(seed.hex() == "9b0e86151a5fff3b5d0fc61817d5ade21608c8b0647284bbbff49c80f74cb875",
         "self-test: seat seed of section 15")
    # tests/vectors/records.json "lot" (its seed is "seals"."seat_seed"): tickets are
    # compared as byte strings, lists numbered from 0
    lot_seed = bytes.fromhex("828b2d79054a67691c13185a20ad06d56b49a6593c8dae13bb6396d7ffdc29f4")
    need(Hb("votesrv/v1/seat-lot", lot_seed, le64(3), le64(1)).hex() ==
         "d7f78c93095bd0d033dffbae2c9549a7214ac04a992e5e2d1d75caead7a66947", "self-test: seat lot")
    need(allocate([20, 20, 10], 3, ["votes", "lot"], lot_seed) == ([2, 1, 0], 3, None),
         "self-test: seats of the lot vector")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    v = Verifier()
    try:
        selftest()
        v.run(sys.argv[1])
    except (Fail, UnicodeDecodeError, KeyError, TypeError, AttributeError) as e:
        v.fails.append("FAIL archive: %s: %s" % (type(e).__name__, e))
    for m in v.oks + v.fails:
        print(m)
    print("ARCHIVE REJECTED" if v.fails else "ARCHIVE VERIFIED")
    return 1 if v.fails else 0


if __name__ == "__main__":
    sys.exit(main())
