// votecode.mjs - vote codes as people type them (docs/protocol.md §7, the C
// side is notices/code.c): 27 Crockford base32 symbols and a check symbol
// over GF(32) that catches any single wrong symbol and any swap. Entry ignores
// case, spaces, dashes, dots and underscores, and reads O as 0 and I, L as 1.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_SYMBOLS = 28;

// x^5 + x^2 + 1, alpha = x
const gfMul = (a, b) => {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    b >>= 1;
    a <<= 1;
    if (a & 0x20) a ^= 0x25;
  }
  return r;
};

// { status: 'ok' | 'form' | 'typo', code } - code is the canonical form when ok.
export function codeParse(typed) {
  let out = '';
  for (const ch of String(typed).toUpperCase()) {
    if (' -._\t'.includes(ch)) continue;
    const c = ch === 'O' ? '0' : ch === 'I' || ch === 'L' ? '1' : ch;
    if (!ALPHABET.includes(c) || out.length === CODE_SYMBOLS) return { status: 'form' };
    out += c;
  }
  if (out.length !== CODE_SYMBOLS) return { status: 'form' };
  let sum = 0;
  let weight = 1;
  for (const c of out) {
    sum ^= gfMul(weight, ALPHABET.indexOf(c));
    weight = gfMul(weight, 2);
  }
  return sum === 0 ? { status: 'ok', code: out } : { status: 'typo' };
}
