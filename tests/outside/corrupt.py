#!/usr/bin/env python3
"""Make corrupted copies of an archive and compare two verifiers' verdicts.

Usage: corrupt.py ARCHIVE OUTDIR VOTEVERIFY
Prints one row per variant: name, this verifier's verdict, voteverify's verdict.
"""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def lines_of(path):
    with open(path, "rb") as f:
        return f.read()[:-1].split(b"\n")


def dump(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode()


def idx(ls, prefix):
    return [i for i, l in enumerate(ls) if l.startswith(prefix)]


def edit(ls, prefix, fn, n=0):
    i = idx(ls, prefix)[n]
    v = json.loads(ls[i])
    r = fn(v)
    ls[i] = dump(v if r is None else r)
    return ls


def flip_hex(s, pos=0):
    return s[:pos] + "%x" % (int(s[pos], 16) ^ 1) + s[pos + 1:]


def fix_end(ls):
    e = json.loads(ls[-1])
    cps = json.loads(ls[idx(ls, b'{"checkpoints"')[0]])["checkpoints"]
    e["end"]["lines"] = len(ls) - 1
    e["end"]["checkpoints"] = len(cps)
    last = cps[-1] if cps else {"seq": 0, "hash": "0" * 64}
    e["end"]["last_checkpoint"] = {"seq": last["seq"], "hash": last["hash"]}
    ls[-1] = dump(e)
    return ls


def first_ballot(ls):
    return idx(ls, b'{"tracker"')[0]


def v_keys_reordered(ls):
    i = first_ballot(ls)
    v = json.loads(ls[i])
    b = v["ballot"]
    ls[i] = dump({"ballot": dict(reversed(list(b.items()))), "tracker": v["tracker"]})
    return ls


def v_spaces(ls):
    i = first_ballot(ls)
    ls[i] = json.dumps(json.loads(ls[i])).encode()
    return ls


def v_u_escape(ls):
    i = first_ballot(ls)
    ls[i] = ls[i].replace(b'"version":1', b'"v\\u0065rsion":1')
    return ls


def v_real(ls):
    i = first_ballot(ls)
    ls[i] = ls[i].replace(b'"version":1', b'"version":1.0')
    return ls


def v_proof_bit(ls):
    """A flipped bit in a 0/1 proof's s, tracker recomputed (so only the proof is wrong)."""
    import hashlib, struct
    i = first_ballot(ls)
    v = json.loads(ls[i])
    br = v["ballot"]["lists"][0]["proof"][1]
    br["s"] = flip_hex(br["s"], 1)
    body = dump(v["ballot"])
    h = hashlib.blake2b(digest_size=32)
    for x in (b"votesrv/v1/tracker", body):
        h.update(struct.pack("<Q", len(x)) + x)
    ls[i] = b'{"tracker":"' + h.hexdigest().encode() + b'","ballot":' + body + b"}"
    j = i
    while j + 1 < len(ls) and ls[j + 1].startswith(b'{"tracker"'):
        j += 1
    ls[i:j + 1] = sorted(ls[i:j + 1])   # keep the scrutin's lines sorted by tracker
    return ls


def v_proof_bit_raw(ls):
    i = first_ballot(ls)
    v = json.loads(ls[i])
    br = v["ballot"]["range"]["proof"][0]
    br["c"] = flip_hex(br["c"], 0)
    ls[i] = dump(v)
    return ls


def v_drop_last_cp(ls):
    return edit(ls, b'{"checkpoints"', lambda v: v["checkpoints"].pop() and None)


def v_drop_last_cp_end(ls):
    return fix_end(v_drop_last_cp(ls))


def v_drop_mid_cp_end(ls):
    return fix_end(edit(ls, b'{"checkpoints"', lambda v: v["checkpoints"].pop(1) and None))


def v_cp_sig(ls):
    return edit(ls, b'{"checkpoints"', lambda v: v["checkpoints"][0].update(
        signature=flip_hex(v["checkpoints"][0]["signature"], 3)))


def v_drop_ballot(ls):
    del ls[first_ballot(ls)]
    return fix_end(ls)


def v_drop_ballot_counts(ls):
    i = first_ballot(ls)
    del ls[i]
    hdr = [j for j in idx(ls, b'{"scrutin"') if j < i][-1]
    v = json.loads(ls[hdr])
    v["scrutin"]["ballots"] -= 1
    v["scrutin"]["signatures"] -= 1
    ls[hdr] = dump(v)
    return fix_end(ls)


def v_dup_ballot(ls):
    i = first_ballot(ls)
    ls.insert(i, ls[i])
    return fix_end(ls)


def v_box_digest(ls):
    return edit(ls, b'{"scrutin"', lambda v: v["scrutin"].update(
        box_digest=flip_hex(v["scrutin"]["box_digest"], 5)), 1)


def v_tracker(ls):
    i = first_ballot(ls)
    ls[i] = ls[i][:12] + flip_hex(ls[i][12:76].decode()).encode() + ls[i][76:]
    return ls


def v_end_signature(ls):
    return edit(ls, b'{"end"', lambda v: v["end"].update(
        signature=flip_hex(v["end"]["signature"], 5)))


def v_end_lines(ls):
    return edit(ls, b'{"end"', lambda v: v["end"].update(lines=v["end"]["lines"] + 1))


def v_truncated(ls):
    return ls[:-1]


def doc(ls, fn):
    return edit(ls, b'{"documents"', lambda v: fn(v["documents"]))


def v_results_votes(ls):
    def f(d):
        l = d["results"][0]["scrutins"][1]["lists"]
        l[0]["votes"] += 1
        l[1]["votes"] -= 1
    return doc(ls, f)


def v_results_turnout(ls):
    return doc(ls, lambda d: d["results"][0]["scrutins"][1].update(turnout_percent="100"))


def v_results_seats(ls):
    def f(d):
        l = d["results"][0]["scrutins"][1]["lists"]
        l[0]["seats"] += 1
        l[2]["seats"] -= 1
    return doc(ls, f)


def v_results_extra(ls):
    return doc(ls, lambda d: d["results"][0].update(note="x"))


def v_partial_factor(ls):
    def f(d):
        x = d["partial"][1]["scrutins"][1]
        x["factors"][0] = flip_hex(x["factors"][0], 2)
    return doc(ls, f)


def v_drop_partial(ls):
    return doc(ls, lambda d: d["partial"].pop())


def v_sums(ls):
    def f(d):
        s = d["sums"][0]["scrutins"][1]["sums"]
        s[0], s[1] = s[1], s[0]
    return doc(ls, f)


def v_drop_close_seal(ls):
    return doc(ls, lambda d: d["seal-close"].pop())


def v_seal_state(ls):
    return doc(ls, lambda d: d["seal-close"][1]["state"].update(
        software=flip_hex(d["seal-close"][1]["state"]["software"])))


def v_keys_proof(ls):
    return doc(ls, lambda d: d["keys"][2].update(proof=flip_hex(d["keys"][2]["proof"], 70)))


def v_drop_credential(ls):
    return edit(ls, b'{"credentials"', lambda v: v["credentials"].pop())


def v_seats_def(ls):
    return edit(ls, b'{"format"', lambda v: v["election"]["definition"]["scrutins"][1].update(
        seats=16))


def v_docs_spaced(ls):
    """Harmless: a non-ballot line re-serialised with spaces and other key order."""
    i = idx(ls, b'{"documents"')[0]
    v = json.loads(ls[i])
    ls[i] = json.dumps(v, sort_keys=True, indent=None).encode()
    return ls


def v_results_scrutin_extra(ls):
    return doc(ls, lambda d: d["results"][0]["scrutins"][0].update(note="x"))


def v_sums_extra(ls):
    return doc(ls, lambda d: d["sums"][0].update(note="x"))


def v_seal_state_extra(ls):
    return doc(ls, lambda d: d["seal-close"][0]["state"].update(note="x"))


def v_unsorted_ballots(ls):
    i = first_ballot(ls)
    ls[i], ls[i + 1] = ls[i + 1], ls[i]
    return ls


def v_upper_hex(ls):
    i = first_ballot(ls)
    v = json.loads(ls[i])
    v["ballot"]["signature"]["a"] = v["ballot"]["signature"]["a"].upper()
    ls[i] = dump(v)
    return ls


def v_end_real(ls):
    i = idx(ls, b'{"end"')[0]
    e = json.loads(ls[i])
    ls[i] = dump(e).replace(b'"lines":%d' % e["end"]["lines"], b'"lines":%d.0' % e["end"]["lines"])
    return ls


def v_dup_key_head(ls):
    ls[0] = ls[0][:-1] + b',"format":"votesrv-archive/2"}'
    return ls


def v_registered(ls):
    """registered and turnout changed together: not checkable from the archive (§16)."""
    def f(d):
        x = d["results"][0]["scrutins"][1]
        x["registered"] = 12
        x["turnout_percent"] = "50.00"
    return doc(ls, f)


def v_contested_shape(ls):
    return doc(ls, lambda d: d["results"][0]["scrutins"][1].update(contested={"seat": 16,
                                                                              "lists": []}))


def v_credentials_order(ls):
    """The credentials line reversed (§14: by scrutin id bytes, then credential bytes)."""
    return edit(ls, b'{"credentials"', lambda v: v["credentials"].reverse())


def v_verdict_extra_seal_open(ls):
    """A seal-open copied to another holder (fails its signature): left aside (§6.3)."""
    def f(d):
        x = json.loads(json.dumps(d["seal-open"][1]))
        x["holder"] = 3
        d["seal-open"].append(x)
    return doc(ls, f)


VARIANTS = [(n[2:], f) for n, f in sorted(globals().items()) if n.startswith("v_")]


def verdict(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = r.stdout.decode(errors="replace")
    first = next((l for l in out.splitlines() if l.startswith("FAIL")), "")
    return ("accepted" if r.returncode == 0 else "rejected"), first[:110]


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, outdir, vv = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)
    rows = [("genuine", src)]
    for name, fn in VARIANTS:
        p = os.path.join(outdir, name + ".jsonl")
        with open(p, "wb") as f:
            f.write(b"\n".join(fn(lines_of(src))) + b"\n")
        rows.append((name, p))
    for name, p in rows:
        a = verdict([sys.executable, os.path.join(HERE, "verify.py"), p])
        b = verdict([vv, p])
        mark = "" if a[0] == b[0] else "  <-- DISAGREE"
        print("%-20s outside=%-8s voteverify=%-8s%s" % (name, a[0], b[0], mark))
        if a[0] == "rejected" or b[0] == "rejected":
            print("    outside:    %s\n    voteverify: %s" % (a[1], b[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
