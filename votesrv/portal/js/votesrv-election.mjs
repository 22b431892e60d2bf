// votesrv-election.mjs - what the voter's browser checks of the election it
// is handed before it encrypts anything (docs/protocol.md §12): the joint
// public key is a valid ristretto255 point other than the identity, the
// definition is canonical JSON, and the fingerprint recomputed from the
// election id, the definition and the key is the one the page names. The
// fingerprint's short form (20 Crockford base32 symbols) is shown to the
// voter, who compares it with the one printed on the notice. This guards
// against altered election data served to an honest script, not against an
// altered script.
//
//   const ec = electionCheck(sodium);
//   const e = ec.verify({ eid, definition, publicKey, fingerprint, scrutinId });
//   // e.fp, e.fpText, e.publicKey, e.scrutin: { id, k, min, max, lists }; or throws
//
// tests/js/election.test.mjs checks it against tests/vectors/election.json,
// which the C code (election/definition.c, notices/code.c) checks too.
import { votesrvCrypto } from './votesrv-crypto.mjs';

// A refusal, with a reason the page can name: 'key', 'definition',
// 'fingerprint' or 'scrutin'.
export class ElectionError extends Error {
  constructor(reason, message) {
    super(`votesrv: ${message}`);
    this.reason = reason;
  }
}

// Code point order, as strcmp orders UTF-8 (jansson's JSON_SORT_KEYS);
// JavaScript's default sort compares UTF-16 units, which differs above U+FFFF.
const byCodePoint = (a, b) => {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};

// A string as jansson writes it without JSON_ENSURE_ASCII nor
// JSON_ESCAPE_SLASH: UTF-8 as is ("/", DEL, U+2028 included); escaped: '"',
// '\', \b \f \n \r \t, and other characters below U+0020 as \u00XX (upper-case
// hex). A lone surrogate is not text: refused.
const jsonString = (s) => {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (u > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
        throw new ElectionError('definition', 'a string holds a lone surrogate');
      out += s[i] + s[i + 1];
      i++;
      continue;
    }
    const c = s[i];
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (u < 0x20) out += `\\u${u.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
};

// The canonical JSON of §12 (jansson's JSON_COMPACT | JSON_SORT_KEYS) of a
// value holding objects, arrays, strings, integers, booleans and null. A
// definition holds no other number than a small integer: anything else is
// refused rather than written in a form jansson might not share.
export function canonicalJson(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new ElectionError('definition', 'a number is not an integer');
    return String(v);                               // -0 is written 0, as jansson does
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort(byCodePoint);
    return `{${keys.map((k) => `${jsonString(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  throw new ElectionError('definition', `a value of type ${typeof v} is not JSON`);
}

// Crockford's base32 (§14's alphabet), most significant bit first.
const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const FP_TEXT_SYMBOLS = 20;

// The fingerprint's short form (§12): its first 100 bits as 20 symbols, in 5
// groups of 4 separated by '-'; the first 24 characters of §14's text of fp.
export function fingerprintText(fp) {
  if (!(fp instanceof Uint8Array) || fp.length !== 32)
    throw new ElectionError('fingerprint', 'a fingerprint has 32 bytes');
  let acc = 0, bits = 0, at = 0, out = '';
  for (let sym = 0; sym < FP_TEXT_SYMBOLS; sym++) {
    if (bits < 5) {
      acc = ((acc << 8) | fp[at++]) & 0xffff;
      bits += 8;
    }
    if (sym > 0 && sym % 4 === 0) out += '-';
    out += B32[(acc >> (bits - 5)) & 31];
    bits -= 5;
  }
  return out;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function electionCheck(sodium) {
  const vc = votesrvCrypto(sodium);

  // Strict lowercase hex of 32 bytes (§1), or a refusal for that reason.
  const bytes32 = (hex, reason, what) => {
    if (typeof hex !== 'string' || !HEX64.test(hex))
      throw new ElectionError(reason, `${what} is not 64 lowercase hexadecimal digits`);
    return sodium.from_hex(hex);
  };

  // The joint public key: a canonical encoding of a ristretto255 point, not
  // the identity (under which every "ciphertext" is the plaintext m·G).
  const publicKey = (hex) => {
    const pk = bytes32(hex, 'key', 'the public key');
    try {
      vc.checkPublicKey(pk);
    } catch (e) {
      throw new ElectionError('key', e.message.replace(/^votesrv: /, ''));
    }
    return pk;
  };

  // fp = Hb("votesrv/v1/election"; eid, canonical definition, public key).
  const fingerprint = (eid, definition, pk) => vc.hb('votesrv/v1/election', [eid, definition, pk]);

  // The definition's text must be canonical: the bytes hashed are exactly
  // those parsed, and nothing jansson would read otherwise (a duplicate key,
  // a real number, a lone surrogate) slips through.
  const parseDefinition = (text) => {
    let d;
    try {
      d = JSON.parse(text);
    } catch (e) {
      throw new ElectionError('definition', 'the election definition is not JSON');
    }
    if (d === null || typeof d !== 'object' || Array.isArray(d) || canonicalJson(d) !== text)
      throw new ElectionError('definition', 'the election definition is not in canonical form');
    return d;
  };

  // What the ballot of one scrutin needs, from the definition alone (§8):
  // one ciphertext per list; at least one chosen unless blank votes are allowed.
  const scrutinOf = (d, id) => {
    const s = Array.isArray(d.scrutins) ? d.scrutins.find((x) => x && x.id === id) : undefined;
    if (!s || !Array.isArray(s.lists) || s.lists.length < 1)
      throw new ElectionError('scrutin', `the definition has no scrutin "${id}"`);
    return {
      id, k: s.lists.length, min: s.blank_allowed === false ? 1 : 0, max: 1,
      lists: s.lists.map((l) => ({ name: String(l.name), union: l.union === undefined ? null : String(l.union) })),
    };
  };

  // Everything the page was handed, checked; or an ElectionError.
  const verify = ({ eid, definition, publicKey: pkHex, fingerprint: fpHex, scrutinId }) => {
    if (typeof eid !== 'string' || eid.length === 0)
      throw new ElectionError('definition', 'the election id is missing');
    if (typeof definition !== 'string')
      throw new ElectionError('definition', 'the election definition is missing');
    const pk = publicKey(pkHex);
    const d = parseDefinition(definition);
    const fp = fingerprint(eid, definition, pk);
    const claimed = bytes32(fpHex, 'fingerprint', 'the fingerprint');
    if (!sodium.memcmp(fp, claimed))
      throw new ElectionError('fingerprint', 'the fingerprint does not match the definition and key');
    return { fp, fpText: fingerprintText(fp), publicKey: pk, definition: d, scrutin: scrutinOf(d, scrutinId) };
  };

  return { publicKey, fingerprint, parseDefinition, scrutinOf, verify };
}
