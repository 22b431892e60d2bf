// election.test.mjs - the voter's browser refuses a bad election handed by a
// dishonest server: the real portal modules (votesrv/portal/js) on libsodium, fed
// the keys and definitions a dishonest server could hand the vote page. Also
// checks canonical JSON, fingerprints and their short form against
// tests/vectors/election.json, which tests/test_definition.c checks in C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { votesrvCrypto } from '../../votesrv/portal/js/votesrv-crypto.mjs';
import { electionCheck, canonicalJson, fingerprintText, ElectionError } from '../../votesrv/portal/js/votesrv-election.mjs';

globalThis.crypto ??= (await import('node:crypto')).webcrypto;
const sodium = (await import('libsodium-wrappers-sumo')).default;
await sodium.ready;
const vc = votesrvCrypto(sodium);
const ec = electionCheck(sodium);
const vec = JSON.parse(readFileSync(new URL('../vectors/election.json', import.meta.url)));
const rist = JSON.parse(readFileSync(new URL('../vectors/ristretto255.json', import.meta.url)));
const hex = (b) => sodium.to_hex(b);
const bin = (h) => sodium.from_hex(h);
const ZERO = '00'.repeat(32);

// What an honest server hands the page for election e and scrutin id.
const honest = (e, scrutinId) => ({ eid: e.eid, definition: e.canonical, publicKey: e.public_key,
  fingerprint: e.fingerprint, scrutinId });
const refused = (input, reason) => assert.throws(() => ec.verify(input),
  (err) => err instanceof ElectionError && err.reason === reason);

test('canonical JSON is jansson\'s (JSON_COMPACT | JSON_SORT_KEYS)', () => {
  assert.equal(vec.canonical.length, 4);
  for (const c of vec.canonical) assert.equal(canonicalJson(JSON.parse(c.json)), c.canonical);
  for (const e of vec.elections) assert.equal(canonicalJson(JSON.parse(e.definition)), e.canonical);
  assert.throws(() => canonicalJson({ a: 1.5 }), ElectionError);
  assert.throws(() => canonicalJson([2 ** 53]), ElectionError);
  assert.throws(() => canonicalJson(['\ud800']), ElectionError);
  assert.throws(() => canonicalJson({ a: undefined }), ElectionError);
});

test('fingerprints and their short form match the C code\'s', () => {
  for (const e of vec.elections) {
    const fp = ec.fingerprint(e.eid, e.canonical, bin(e.public_key));
    assert.equal(hex(fp), e.fingerprint);
    assert.equal(fingerprintText(fp), e.fingerprint_text);
    assert.equal(hex(ec.fingerprint(e.eid, e.canonical, new Uint8Array(0))), e.draft_fingerprint);
  }
  for (const f of vec.fingerprint_text) assert.equal(fingerprintText(bin(f.fp)), f.text);
  assert.match(vec.elections[0].fingerprint_text, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
});

test('an honest election is accepted, and the ballot\'s shape comes from the definition', () => {
  const [e1, e2] = vec.elections;
  const a = ec.verify(honest(e1, 'cap-attaches'));
  assert.equal(hex(a.fp), e1.fingerprint);
  assert.equal(a.fpText, e1.fingerprint_text);
  assert.deepEqual({ k: a.scrutin.k, min: a.scrutin.min, max: a.scrutin.max }, { k: 3, min: 0, max: 1 });
  assert.equal(a.scrutin.lists[1].name, 'Agir ensemble');
  const b = ec.verify(honest(e2, 'ct-local'));
  assert.deepEqual({ k: b.scrutin.k, min: b.scrutin.min }, { k: 2, min: 1 });   // no blank vote
  assert.equal(b.scrutin.lists[1].union, null);
});

test('dishonest server: the identity as the key is refused, and encrypting under it throws', () => {
  refused({ ...honest(vec.elections[0], 'cap-attaches'), publicKey: ZERO }, 'key');
  // even with a fingerprint recomputed over that key, the key is refused
  const e = vec.elections[0];
  const fp = hex(ec.fingerprint(e.eid, e.canonical, bin(ZERO)));
  refused({ ...honest(e, 'cap-attaches'), publicKey: ZERO, fingerprint: fp }, 'key');
  // before the fix, encrypt returned beta = m·G under this key: a plaintext ballot
  const rng = vc.drbg(new Uint8Array(32));
  assert.throws(() => vc.encrypt(bin(ZERO), 1, rng), /identity/);
  const sc = { fp: bin(e.fingerprint), pk: bin(ZERO), scrutinId: 'cap-attaches', min: 0, max: 1 };
  assert.throws(() => vc.ballotCreate(sc, [0, 1, 0], vc.credential(e.eid, 'X'.repeat(28), sc.scrutinId), rng), /identity/);
});

test('dishonest server: non-canonical and invalid encodings are refused, never read as the identity', () => {
  const e = vec.elections[0];
  const rng = vc.drbg(new Uint8Array(32));
  const bad = rist.invalid_encodings.map((x) => x.encoding);
  assert.ok(bad.length >= 10);
  for (const enc of bad) {
    const fp = hex(ec.fingerprint(e.eid, e.canonical, bin(enc)));
    refused({ ...honest(e, 'cap-attaches'), publicKey: enc, fingerprint: fp }, 'key');
    assert.throws(() => vc.encrypt(bin(enc), 1, rng), /not a valid ristretto255 point/);
    assert.throws(() => vc.mul(vc.scalarOf(5), bin(enc)), /not a valid ristretto255 point/);
    assert.throws(() => vc.add(vc.base(vc.scalarOf(1)), bin(enc)), /not a valid ristretto255 point/);
  }
  // the key's hex must be exact: upper case, short or long forms are refused
  refused({ ...honest(e, 'cap-attaches'), publicKey: e.public_key.toUpperCase() }, 'key');
  refused({ ...honest(e, 'cap-attaches'), publicKey: e.public_key.slice(2) }, 'key');
  refused({ ...honest(e, 'cap-attaches'), publicKey: `${e.public_key}00` }, 'key');
  refused({ ...honest(e, 'cap-attaches'), publicKey: undefined }, 'key');
});

test('dishonest server: a different valid key does not match the fingerprint', () => {
  const e = vec.elections[0];
  const other = hex(vc.base(vc.drawScalar(vc.drbg(new Uint8Array(32).fill(7)))));
  refused({ ...honest(e, 'cap-attaches'), publicKey: other }, 'fingerprint');
  refused({ ...honest(e, 'cap-attaches'), publicKey: vec.elections[1].public_key }, 'fingerprint');
  // a fingerprint recomputed for the other key verifies, but its short form is
  // not the one printed on the notice: that is the voter's comparison
  const fp = ec.fingerprint(e.eid, e.canonical, bin(other));
  const a = ec.verify({ ...honest(e, 'cap-attaches'), publicKey: other, fingerprint: hex(fp) });
  assert.notEqual(a.fpText, e.fingerprint_text);
});

test('dishonest server: a definition with one field changed is refused', () => {
  const e = vec.elections[0];
  const edits = [
    (d) => { d.scrutins[0].lists[1].name = 'Agir ensemble !'; },
    (d) => { d.scrutins[0].blank_allowed = false; },
    (d) => { d.scrutins[0].seats = 7; },
    (d) => { [d.scrutins[0].lists[0], d.scrutins[0].lists[1]] = [d.scrutins[0].lists[1], d.scrutins[0].lists[0]]; },
    (d) => { d.scrutins[0].lists.push({ name: 'Liste fantôme' }); },
    (d) => { d.voting.closes = '2026-12-09T17:00:00+01:00'; },
    (d) => { d.name += ' '; },
  ];
  for (const edit of edits) {
    const d = JSON.parse(e.canonical);
    edit(d);
    refused({ ...honest(e, 'cap-attaches'), definition: canonicalJson(d) }, 'fingerprint');
  }
  // another election id, the draft fingerprint, or a fingerprint of another election
  refused({ ...honest(e, 'cap-attaches'), eid: vec.elections[1].eid }, 'fingerprint');
  refused({ ...honest(e, 'cap-attaches'), fingerprint: e.draft_fingerprint }, 'fingerprint');
  refused({ ...honest(e, 'cap-attaches'), fingerprint: vec.elections[1].fingerprint }, 'fingerprint');
});

test('a definition that is not canonical JSON is refused before anything is hashed', () => {
  const e = vec.elections[0];
  refused({ ...honest(e, 'cap-attaches'), definition: e.definition }, 'definition');   // pretty printed
  refused({ ...honest(e, 'cap-attaches'), definition: e.canonical.replace('"seats":6', '"seats":6.0') }, 'definition');
  refused({ ...honest(e, 'cap-attaches'), definition: e.canonical.replace('{"name":', '{"name":"x","name":') }, 'definition');
  refused({ ...honest(e, 'cap-attaches'), definition: `${e.canonical} ` }, 'definition');
  refused({ ...honest(e, 'cap-attaches'), definition: 'not json' }, 'definition');
  refused({ ...honest(e, 'cap-attaches'), definition: '[]' }, 'definition');
  refused({ ...honest(e, 'no-such-scrutin') }, 'scrutin');
});

test('an honest ballot still encrypts, and no ciphertext is the identity', () => {
  const e = vec.elections[0];
  const a = ec.verify(honest(e, 'cap-attaches'));
  const sc = { fp: a.fp, pk: a.publicKey, scrutinId: 'cap-attaches', min: a.scrutin.min, max: a.scrutin.max };
  const b = vc.ballotCreate(sc, [0, 1, 0], vc.credential(e.eid, 'X'.repeat(28), sc.scrutinId), vc.systemRandom);
  assert.equal(b.cts.length, 3);
  for (const ct of b.cts) {
    assert.ok(sodium.crypto_core_ristretto255_is_valid_point(ct.alpha));
    assert.ok(ct.alpha.some((x) => x) && ct.beta.some((x) => x));
  }
});
