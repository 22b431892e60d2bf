// vectors.test.mjs - the browser's crypto (votesrv/portal/js) reproduces
// tests/vectors/protocol.json byte for byte. Run by make check (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { votesrvCrypto } from '../../votesrv/portal/js/votesrv-crypto.mjs';
import { codeParse } from '../../votesrv/portal/js/votecode.mjs';

// libsodium's ESM build wants Web Crypto on globalThis, which Node has by
// default from version 19 (Debian 12 ships 18): give it node:crypto's.
globalThis.crypto ??= (await import('node:crypto')).webcrypto;
const sodium = (await import('libsodium-wrappers-sumo')).default;
await sodium.ready;
const vc = votesrvCrypto(sodium);
const vec = JSON.parse(readFileSync(new URL('../vectors/protocol.json', import.meta.url)));
const hex = (b) => sodium.to_hex(b);
const bin = (h) => sodium.from_hex(h);

test('deterministic generator (§10)', () => {
  const rng = vc.drbg(bin(vec.drbg.seed));
  for (const draw of vec.drbg.draws) assert.equal(hex(rng()), draw);
});

test('Hs and Hb (§2)', () => {
  const items = vec.hash.items.map(bin);
  assert.equal(hex(vc.hs(vec.hash.tag, items)), vec.hash.hs);
  assert.equal(hex(vc.hb(vec.hash.tag, items)), vec.hash.hb);
});

test('exponential ElGamal (§3)', () => {
  const v = vec.elgamal;
  const rng = vc.drbg(bin(v.seed));
  const { sk, pk } = vc.keypair(rng);
  assert.equal(hex(sk), v.sk);
  assert.equal(hex(pk), v.pk);
  for (const e of v.encryptions) {
    const ct = vc.encrypt(pk, e.m, rng);
    assert.equal(hex(ct.r), e.r);
    assert.equal(hex(ct.alpha) + hex(ct.beta), e.ct);
  }
});

test('proof of knowledge (§5.1)', () => {
  const v = vec.pok;
  const rng = vc.drbg(bin(v.seed));
  const x = vc.drawScalar(rng);
  assert.equal(hex(x), v.x);
  assert.equal(hex(vc.base(x)), v.X);
  const p = vc.pokCreate(bin(v.ctx), x, bin(v.X), bin(v.aux), rng);
  assert.equal(hex(p.a), v.proof.a);
  assert.equal(hex(p.s), v.proof.s);
});

test('proof of correct decryption (§5.3), and a changed input changes it', () => {
  const v = vec.dec;
  const rng = vc.drbg(bin(v.seed));
  const x = vc.drawScalar(rng);
  const a = vc.drawScalar(rng);
  assert.equal(hex(vc.base(a)), v.alpha);
  const { d, proof } = vc.decCreate(bin(v.ctx), x, bin(v.X), bin(v.alpha), rng);
  assert.equal(hex(d), v.d);
  assert.deepEqual([hex(proof.a), hex(proof.b), hex(proof.s)], [v.proof.a, v.proof.b, v.proof.s]);
  const other = vc.decCreate(bin(v.X), x, bin(v.X), bin(v.alpha), vc.drbg(bin(v.seed)));
  assert.notEqual(hex(other.proof.s), v.proof.s);
});

test('disjunctive proofs (§5.2): 0/1 and ranges, every branch', () => {
  for (const v of vec.disj) {
    const rng = vc.drbg(bin(v.seed));
    const { pk } = vc.keypair(rng);
    assert.equal(hex(pk), v.pk);
    const ct = vc.encrypt(pk, v.m, rng);
    assert.equal(hex(ct.alpha) + hex(ct.beta), v.ct);
    const proof = vc.disjCreate(bin(v.ctx), pk, ct, v.min, v.max, v.m, ct.r, bin(v.aux), rng);
    assert.deepEqual(proof.map((b) => ({ a: hex(b.a), b: hex(b.b), c: hex(b.c), s: hex(b.s) })),
                     v.proof);
  }
});

test('credentials and a whole ballot (§7, §8), byte for byte', () => {
  const v = vec.ballot;
  const rng = vc.drbg(bin(v.seed));
  const { pk } = vc.keypair(rng);
  assert.equal(hex(pk), v.pk);
  // a real vote code (§7), hashed in the canonical form the page parses it to
  assert.deepEqual(codeParse(v.code), { status: 'ok', code: v.code });
  assert.equal(hex(vc.authenticator(v.eid, v.code)), v.auth);
  const cred = vc.credential(v.eid, v.code, v.scrutin_id);
  assert.equal(hex(cred.s), v.credential_secret);
  assert.equal(hex(cred.pub), v.credential);
  const sc = { fp: bin(v.fp), pk, scrutinId: v.scrutin_id, min: v.min, max: v.max };
  const b = vc.ballotCreate(sc, v.choices, cred, rng);
  assert.equal(hex(b.digest), v.digest);
  assert.deepEqual(b.cts.map((ct) => hex(ct.alpha) + hex(ct.beta)), v.ballot.ct);
  const branch = (br) => ({ a: hex(br.a), b: hex(br.b), c: hex(br.c), s: hex(br.s) });
  assert.deepEqual(b.bits.map((bs) => bs.map(branch)), v.ballot.bits);
  assert.deepEqual(b.range.map(branch), v.ballot.range);
  assert.deepEqual({ a: hex(b.sig.a), s: hex(b.sig.s) }, v.ballot.sig);
  assert.throws(() => vc.ballotCreate(sc, [1, 1, 0], cred, rng), /invalid choice/);
  const j = vc.ballotJson(b, sc.fp);
  assert.equal(j.lists.length, 3);
  assert.equal(j.credential, v.credential);
});
