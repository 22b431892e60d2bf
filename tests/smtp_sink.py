#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on loopback.

smtp_sink.py DIR CERT KEY [USER:PASSWORD]

STARTTLS is required (the certificate is made by openssl at test time). Every
message accepted is written to DIR/N.eml, and its envelope recipients, one a
line, to DIR/N.rcpt (written first). A recipient whose local part starts
with "reject" is refused with 550. With USER:PASSWORD, AUTH is required.
Prints the port on stdout, then serves until stdin closes."""
import os
import logging
import warnings
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.split("@")[0].startswith("reject"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.directory, "%d.eml" % self.count)
        with open(path[:-4] + ".rcpt", "w") as f:
            f.write("".join(r + "\n" for r in envelope.rcpt_tos))
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    directory, cert, key = sys.argv[1:4]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    kwargs = dict(tls_context=context, require_starttls=True)
    if len(sys.argv) > 4:
        user, password = sys.argv[4].split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok)

        kwargs.update(auth_required=True, authenticator=check)
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(port, flush=True)
    sys.stdout = sys.stderr          # the pipe carries the port and nothing else
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
