#!/usr/bin/env python3
"""Write the starting inputs of fuzz_http (tests/fuzz/corpus/fuzz_http/seed-*):
one request per route of votesrv/routes.c, with the placeholders fuzz_http.c
replaces ($S voter session, $T agent session, $C CSRF cookie, $F form token)."""
import os
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_http")
VOTER = "Cookie: votesrv_session=$S; votesrv_csrf=$C\r\n"
AGENT = "Cookie: votesrv_staff=$T; votesrv_csrf=$C\r\n"
ANON = "Cookie: votesrv_csrf=$C; votesrv_lang=en\r\n"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def request(method, path, cookie="", ctype=None, body="", extra=""):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie}{extra}"
    if ctype is not None:
        head += f"Content-Type: {ctype}\r\nContent-Length: {len(body.encode())}\r\n"
    return (head + "\r\n" + body).encode()


SEEDS = {
    "healthz": request("GET", "/healthz"),
    "metrics": request("GET", "/metrics"),
    "election": request("GET", "/api/v1/election", extra="Accept-Language: en-GB,en;q=0.8\r\n"),
    "defi-questions": request("GET", "/api/v1/defi-questions?lang=en"),
    "challenge": request("GET", "/api/v1/access/challenge"),
    "link": request("POST", "/api/v1/access/link", ctype=JSON,
                    body='{"email":"agent00001@demo.example","altcha":"eyJhIjoxfQ=="}'),
    "reassort": request("POST", "/api/v1/password/reassort", ctype=JSON,
                        body='{"email":"agent00002@demo.example","altcha":"eyJhIjoxfQ=="}'),
    "activation": request("POST", "/api/v1/activation", ctype=JSON,
                          body='{"token":"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd",'
                               '"password":"correct horse battery","question":2,"answer":"Rex"}'),
    "password-reset": request("POST", "/api/v1/password/reset", ctype=JSON,
                              body='{"token":"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd",'
                                   '"password":"correct horse battery"}'),
    "session": request("POST", "/api/v1/session", ctype=JSON,
                       body='{"email":"agent00003@demo.example","password":"not the password"}'),
    "session-delete": request("DELETE", "/api/v1/session", VOTER),
    "account": request("GET", "/api/v1/account", VOTER),
    "account-password": request("POST", "/api/v1/account/password", VOTER, JSON,
                                '{"current":"nope","password":"another long password"}'),
    "account-defi": request("POST", "/api/v1/account/defi", VOTER, JSON,
                            '{"password":"nope","question":1,"answer":"Paris"}'),
    "code-reissue": request("POST", "/api/v1/account/code-reissue", VOTER, JSON,
                            '{"answer":"Rex"}'),
    "cast": request("POST", "/api/v1/scrutins/cap-attaches/ballots", VOTER, JSON,
                    '{"auth":"' + "ab" * 32 + '","ballot":{"version":1}}'),
    "ballots": request("GET", "/api/v1/scrutins/cap-attaches/ballots?after=" + "00" * 32),
    "tracker": request("GET", "/api/v1/trackers/GZHM-ZM4Y-KJ1Q-DP8G-1GK0-ZQ1N-C4V5-PZXG-DX0G-5AX5-0X85-PBCY-2G0"),
    "archive": request("GET", "/api/v1/archive"),
    "ceremony": request("GET", "/api/v1/ceremony"),
    "ceremony-post": request("POST", "/api/v1/ceremony", ctype=JSON,
                             body='{"kind":"keys","holder":1,"signature":"00"}'),
    "home": request("GET", "/?lang=en", ANON),
    "help": request("GET", "/aide"),
    "static": request("GET", "/static/votesrv.css", extra="If-None-Match: \"x\"\r\n"),
    "profession": request("GET", "/professions/cap-attaches/1"),
    "access": request("GET", "/acces", ANON),
    "access-post": request("POST", "/acces", ANON, FORM,
                           "csrf=$F&email=agent00001%40demo.example&altcha=eyJhIjoxfQ%3D%3D"),
    "reassort-page": request("POST", "/mot-de-passe-oublie", ANON, FORM,
                             "csrf=$F&email=agent00004%40demo.example"),
    "activation-page": request("GET", "/activation?t=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd"),
    "activation-post": request("POST", "/activation", ANON, FORM,
                               "csrf=$F&t=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd&"
                               "password=correct+horse+battery&confirm=correct+horse+battery&"
                               "question=2&answer=Rex"),
    "password-post": request("POST", "/mot-de-passe", ANON, FORM,
                             "csrf=$F&t=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd&"
                             "password=correct+horse+battery&confirm=correct+horse+battery"),
    "login": request("GET", "/connexion", ANON),
    "login-post": request("POST", "/connexion", ANON, FORM,
                          "csrf=$F&email=agent00005%40demo.example&password=wrong+password",
                          "Origin: http://127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n"),
    "logout": request("POST", "/deconnexion", VOTER, FORM, "csrf=$F"),
    "space": request("GET", "/espace", VOTER),
    "vote": request("GET", "/vote/cap-attaches", VOTER),
    "vote-post": request("POST", "/vote/cap-attaches", VOTER, FORM,
                         "csrf=$F&auth=" + "ab" * 32 + "&ballot=%7B%22version%22%3A1%7D"),
    "code": request("GET", "/code", VOTER),
    "code-post": request("POST", "/code", VOTER, FORM, "csrf=$F&answer=Rex"),
    "account-page": request("GET", "/compte", VOTER),
    "account-password-post": request("POST", "/compte/mot-de-passe", VOTER, FORM,
                                     "csrf=$F&current=x&password=yyyyyyyyyyyyy&confirm=yyyyyyyyyyyyy"),
    "account-defi-post": request("POST", "/compte/defi", VOTER, FORM,
                                 "csrf=$F&password=x&question=3&answer=Lyon"),
    "box": request("GET", "/urne?t=GZHM-ZM4Y-KJ1Q-DP8G"),
    "results": request("GET", "/resultats"),
    "staff-home": request("GET", "/gestion", AGENT),
    "staff-login": request("GET", "/gestion/connexion"),
    "staff-login-post": request("POST", "/gestion/connexion", ANON, FORM,
                                "csrf=$F&login=assistance&password=x&code=123456"),
    "staff-logout": request("POST", "/gestion/deconnexion", AGENT, FORM, "csrf=$F"),
    "support": request("GET", "/gestion/assistance?q=dur", AGENT),
    "support-voter": request("GET", "/gestion/assistance/D00001", AGENT),
    "support-voter-post": request("POST", "/gestion/assistance/D00002", AGENT, FORM,
                                  "csrf=$F&action=lien&reason=Le+courriel+n%27est+pas+arriv%C3%A9"),
    "officer": request("GET", "/gestion/bureau", AGENT),
    "officer-post": request("POST", "/gestion/bureau", AGENT, FORM, "csrf=$F&action=clore"),
    "chunked": b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n",
    "pipelined": request("GET", "/healthz") + request("GET", "/api/v1/election"),
    "too-large": request("POST", "/api/v1/session", ctype=JSON, body="",
                         extra="Content-Length: 99999999\r\n"),
    "options": request("OPTIONS", "/api/v1/session", extra="Origin: https://evil.example\r\n"),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {OUT}", file=sys.stderr)
