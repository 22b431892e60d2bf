#!/usr/bin/env python3
"""Write the starting inputs of fuzz_privsep (tests/fuzz/corpus/fuzz_privsep/
seed-*): typed request payloads as the worker sends them to the writer
(docs/protocol.md §18.1), one per kind of body and of refusal, with the route
indexes read from votesrv/routes.c."""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_privsep")
ROUTES = os.path.join(HERE, "..", "..", "votesrv", "routes.c")
NONE, JSON, FORM, BALLOT = 0, 1, 2, 3
# ballot_field: the first field at fault in a ballot's JSON (ballot/ballot.h)
FIELD_NONE, FIELD_BALLOT, FIELD_VERSION, FIELD_ELECTION, FIELD_SCRUTIN = range(5)
FIELD_LISTS, FIELD_RANGE, FIELD_SIGNATURE = 6, 7, 8
QUERY, HEADER, COOKIE = 0, 1, 2
OBJECT, ARRAY, STRING, INTEGER, REAL, TRUE, FALSE, NULL = range(1, 9)


def tables():
    """The public and internal route tables: lists of (method, pattern, the
    body kind, the name of the form field that holds a ballot or None)."""
    text = open(ROUTES, encoding="utf-8").read()
    out = {}
    for name in ("votesrv_internal_routes", "votesrv_routes"):
        body = text[text.index(name + "[] = {"):]
        body = body[:body.index("};")]
        out[name] = [(m, p, k, None if j == "NULL" else j.strip('"'))
                     for m, p, k, j in re.findall(r'\{ "([A-Z]+)", "([^"]+)", \w+, HTTP_BODY_(\w+), '
                                                  r'(NULL|"\w+"), \w+ \}', body)]
        assert len(out[name]) == body.count('{ "'), "a route of " + name + " not read"
    return out["votesrv_routes"], out["votesrv_internal_routes"]


PUBLIC, INTERNAL = tables()


def u32(v):
    return struct.pack("<I", v)


def s(text):
    b = text.encode() + b"\0"
    return u32(len(b)) + b


def tree(v):
    if isinstance(v, dict):
        return u32(OBJECT) + u32(len(v)) + b"".join(s(k) + tree(x) for k, x in v.items())
    if isinstance(v, list):
        return u32(ARRAY) + u32(len(v)) + b"".join(tree(x) for x in v)
    if isinstance(v, str):
        return u32(STRING) + s(v)
    if v is True:
        return u32(TRUE)
    if v is False:
        return u32(FALSE)
    if v is None:
        return u32(NULL)
    if isinstance(v, int):
        return u32(INTEGER) + struct.pack("<q", v)
    return u32(REAL) + struct.pack("<d", v)


def wire(scrutin, k, lo, hi):
    """A ballot's wire form (ballot_wire_encode): version 1, the id, k, min,
    max, the credential, k ciphertexts, k 0/1 proofs, the range proof, the
    signature; filled with arbitrary bytes (the writer's frame reader checks
    the framing, box_cast the rest)."""
    body = 32 + k * 64 + k * 2 * 128 + (hi - lo + 1) * 128 + 64
    return bytes([1, len(scrutin)]) + scrutin.encode() + bytes([k, lo, hi]) + \
        bytes((7 * i) & 0xff for i in range(body))


def ballot(field=FIELD_NONE, fp=b"\0" * 32, data=b""):
    """A ballot part (protocol §18.1): present, the field at fault, the
    fingerprint it claims, the wire form (beside a fault: empty, or at range
    or signature the head of what was read)."""
    return u32(1) + u32(field) + u32(32) + fp + u32(len(data)) + data


def ballot_body(extra=None, auth=None, part=u32(0)):
    """HTTP_BODY_BALLOT: the first unknown key, the authenticator, the ballot."""
    return (u32(0) if extra is None else s(extra)) + u32(0 if auth is None else 1) + \
        u32(32) + (auth or b"\0" * 32) + part


def request(method, pattern, params=(), kv=(), body=None, form=None, internal=0,
            refuse=0, msg=0, lang=0, form_ballot=None, cast=None):
    table = INTERNAL if internal else PUBLIC
    route = 0
    if pattern is not None:
        route = next(i for i, r in enumerate(table) if r[1] == pattern and
                     (refuse or r[0] == method)) + 1
    page = pattern is not None and not pattern.startswith("/api/") and \
        pattern not in ("/healthz", "/metrics")
    out = u32(internal) + u32(refuse) + u32(msg) + u32(route) + u32(lang) + u32(0) + \
        u32(1 if page else 0) + s(method) + s("192.0.2.7")
    out += u32(len(params)) + b"".join(s(p) for p in params)
    out += u32(len(kv)) + b"".join(u32(k) + s(n) + s(v) for k, n, v in kv)
    if form is not None:
        out += u32(FORM) + u32(len(form)) + b"".join(s(n) + s(v) for n, v in form)
        if route and table[route - 1][3] is not None:   # the route's ballot, read
            out += u32(0) if form_ballot is None else form_ballot
        return out
    if cast is not None:
        return out + u32(BALLOT) + cast
    if body is not None:
        return out + u32(JSON) + tree(body)
    return out + u32(NONE)


SEEDS = {
    "healthz": request("GET", "/healthz", internal=1),
    "election": request("GET", "/api/v1/election", kv=[(HEADER, "Accept-Language", "en")],
                        lang=1),
    "login": request("POST", "/api/v1/session",
                     body={"identifier": "nobody@example.org", "password": "wrong"}),
    "cast": request("POST", "/api/v1/scrutins/{}/ballots", params=["cse-titulaires"],
                    kv=[(COOKIE, "votesrv_session", "s" * 43)],
                    cast=ballot_body(auth=b"\xab" * 32, part=ballot(
                        fp=b"\x11" * 32, data=wire("cse-titulaires", 4, 0, 1)))),
    "cast-widest": request("POST", "/api/v1/scrutins/{}/ballots", params=["s" * 64],
                           cast=ballot_body(part=ballot(fp=b"\x01" * 32,
                                                        data=wire("s" * 64, 64, 1, 64)))),
    "cast-fault": request("POST", "/api/v1/scrutins/{}/ballots", params=["cse-titulaires"],
                          cast=ballot_body(extra="code", part=ballot(FIELD_LISTS, b"\x22" * 32))),
    "cast-fault-head": request("POST", "/api/v1/scrutins/{}/ballots",
                               params=["cse-titulaires"],
                               cast=ballot_body(part=ballot(
                                   FIELD_SIGNATURE, b"\x22" * 32,
                                   wire("cse-titulaires", 4, 0, 1)[:19]))),
    "cast-version": request("POST", "/api/v1/scrutins/{}/ballots", params=["x"],
                            cast=ballot_body(part=ballot(FIELD_VERSION))),
    "cast-no-ballot": request("POST", "/api/v1/scrutins/{}/ballots", params=["x"],
                              cast=ballot_body()),
    "tracker": request("GET", "/api/v1/trackers/{}", params=["abcd-efgh"]),
    "profession": request("GET", "/professions/{}/{}", params=["cse", "2"]),
    "form": request("POST", "/connexion",
                    kv=[(COOKIE, "votesrv_csrf", "c" * 43), (HEADER, "Origin", "http://h"),
                        (HEADER, "Host", "h")],
                    form=[("csrf", "t" * 64), ("identifier", "a@b.c"), ("password", "x")]),
    "vote-form": request("POST", "/vote/{}", params=["cse-titulaires"],
                         kv=[(COOKIE, "votesrv_csrf", "c" * 43)],
                         form=[("csrf", "t" * 64), ("authenticator", "ab" * 32)],
                         form_ballot=ballot(fp=b"\x33" * 32, data=wire("cse-titulaires", 2, 1, 1))),
    "vote-form-fault": request("POST", "/vote/{}", params=["cse-titulaires"],
                               form=[("authenticator", "ab" * 32)],
                               form_ballot=ballot(FIELD_BALLOT)),
    "vote-form-no-ballot": request("POST", "/vote/{}", params=["x"],
                                   form=[("csrf", "t" * 64)]),
    "refused-405": request("PUT", "/api/v1/session", refuse=405, msg=1),
    "refused-404": request("GET", None, refuse=404, msg=0),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
