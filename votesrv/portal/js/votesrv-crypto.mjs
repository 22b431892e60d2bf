// votesrv-crypto.mjs - the voter's side of docs/protocol.md in the browser,
// on libsodium-wrappers-sumo (the same libsodium as the server). Every
// function follows the protocol's text; tests/js/vectors.test.mjs checks
// them byte for byte against tests/vectors/protocol.json.
//
//   import sodiumModule from 'libsodium-wrappers-sumo';
//   await sodiumModule.ready;
//   const vc = votesrvCrypto(sodiumModule);
//
// Randomness: crypto.getRandomValues through libsodium's randombytes_buf, or
// the deterministic generator of protocol §10 (for the vectors only).

export function votesrvCrypto(sodium) {
  const L_BYTES = 32;

  const le64 = (n) => {
    const out = new Uint8Array(8);
    let v = BigInt(n);
    for (let i = 0; i < 8; i++) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  };

  const utf8 = (s) => (typeof s === 'string' ? sodium.from_string(s) : s);

  // enc(x) = le64(len(x)) || x, over the tag then every item (§1, §2).
  const hash = (outlen, tag, items) => {
    const st = sodium.crypto_generichash_init(null, outlen);
    for (const it of [tag, ...items]) {
      const b = utf8(it);
      sodium.crypto_generichash_update(st, le64(b.length));
      sodium.crypto_generichash_update(st, b);
    }
    return sodium.crypto_generichash_final(st, outlen);
  };
  const hb = (tag, items) => hash(32, tag, items);
  const hs = (tag, items) => sodium.crypto_core_ristretto255_scalar_reduce(hash(64, tag, items));

  const zero = new Uint8Array(32);
  const isZero = (b) => b.every((x) => x === 0);

  // Group operations with the identity (32 zero bytes) as an ordinary value.
  const base = (k) => (isZero(k) ? zero : sodium.crypto_scalarmult_ristretto255_base(k));
  const mul = (k, p) => {
    if (isZero(k) || isZero(p)) return zero;
    try {
      return sodium.crypto_scalarmult_ristretto255(k, p);
    } catch (e) {
      return zero; // the product is the identity
    }
  };
  const add = (p, q) => (isZero(p) ? q : isZero(q) ? p : sodium.crypto_core_ristretto255_add(p, q));
  const sadd = (a, b) => sodium.crypto_core_ristretto255_scalar_add(a, b);
  const ssub = (a, b) => sodium.crypto_core_ristretto255_scalar_sub(a, b);
  const smul = (a, b) => sodium.crypto_core_ristretto255_scalar_mul(a, b);
  const scalarOf = (n) => {
    const s = new Uint8Array(L_BYTES);
    s.set(le64(n));
    return s;
  };

  // Randomness (§4, §10): a generator is a function giving 64 bytes per call.
  const systemRandom = () => sodium.randombytes_buf(64);
  const drbg = (seed) => {
    let n = 0;
    return () => {
      const sub = sodium.crypto_generichash(32, le64(n++), seed);
      return sodium.randombytes_buf_deterministic(64, sub);
    };
  };
  const drawScalar = (rng) => {
    const s = sodium.crypto_core_ristretto255_scalar_reduce(rng());
    if (isZero(s)) throw new Error('votesrv: the random generator failed');
    return s;
  };

  // Exponential ElGamal (§3).
  const keypair = (rng) => {
    const sk = drawScalar(rng);
    return { sk, pk: base(sk) };
  };
  const encrypt = (pk, m, rng) => {
    const r = drawScalar(rng);
    return { r, alpha: base(r), beta: add(base(scalarOf(m)), mul(r, pk)) };
  };

  // Schnorr proof of knowledge (§5.1).
  const pokCreate = (ctx, x, X, aux, rng) => {
    const w = drawScalar(rng);
    const a = base(w);
    const c = hs('votesrv/v1/pok', [ctx, X, a, aux]);
    return { a, s: sadd(w, smul(c, x)) };
  };

  // Proof of correct decryption (§5.3).
  const decCreate = (ctx, x, X, alpha, rng) => {
    const d = mul(x, alpha);
    const w = drawScalar(rng);
    const a = base(w);
    const b = mul(w, alpha);
    const c = hs('votesrv/v1/dec', [ctx, X, alpha, d, a, b]);
    return { d, proof: { a, b, s: sadd(w, smul(c, x)) } };
  };

  return {
    le64, hb, hs, base, mul, add, sadd, ssub, smul, scalarOf, systemRandom, drbg, drawScalar,
    keypair, encrypt, pokCreate, decCreate,
  };
}
