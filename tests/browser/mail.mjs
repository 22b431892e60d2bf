// mail.mjs - the messages the SMTP sink wrote (tests/smtp_sink.py: DIR/N.eml),
// as votesrv composes them: a multipart message whose text/plain part is
// base64. Enough to find a voter's link or code; not a general MIME reader.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function textPart(raw) {
  const m = raw.match(/Content-Type: text\/plain[^\r\n]*\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/);
  return m ? Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8') : '';
}

// Every message to `to` (oldest first) as { n, subject, text }.
export function mailsTo(dir, to) {
  return readdirSync(dir)
    .filter((f) => /^\d+\.eml$/.test(f))
    .map((f) => ({ n: Number(f.split('.')[0]), raw: readFileSync(join(dir, f), 'latin1') }))
    .filter((m) => new RegExp(`^To: .*${to.replace(/[.]/g, '\\.')}`, 'mi').test(m.raw))
    .sort((a, b) => a.n - b.n)
    .map((m) => ({ n: m.n, text: textPart(m.raw) }));
}

// Wait up to 10 s for a message to `to` whose text matches re; the match.
export async function waitMail(dir, to, re, after = -1) {
  for (let i = 0; i < 100; i++) {
    for (const m of mailsTo(dir, to)) {
      const hit = m.n > after && m.text.match(re);
      if (hit) return { n: m.n, match: hit };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${re}`);
}
