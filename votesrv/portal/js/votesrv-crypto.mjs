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

  // A point's encoding, decoded strictly (§1): 32 bytes, canonical, on the
  // group; anything else throws, never reads as the identity.
  const checkPoint = (p) => {
    if (!(p instanceof Uint8Array) || p.length !== 32 || !sodium.crypto_core_ristretto255_is_valid_point(p))
      throw new Error('votesrv: not a valid ristretto255 point encoding');
    return p;
  };
  // A key to encrypt under: a valid point other than the identity.
  const checkPublicKey = (pk) => {
    if (isZero(checkPoint(pk))) throw new Error('votesrv: the public key is the identity');
    return pk;
  };

  // Group operations with the identity (32 zero bytes) as an ordinary value;
  // an invalid encoding throws. In a group of prime order, k·P is the
  // identity only when k = 0 or P is: any other failure is an error.
  const base = (k) => (isZero(k) ? zero : sodium.crypto_scalarmult_ristretto255_base(k));
  const mul = (k, p) => {
    if (isZero(checkPoint(p)) || isZero(k)) return zero;
    return sodium.crypto_scalarmult_ristretto255(k, p);
  };
  const add = (p, q) => {
    if (isZero(checkPoint(p))) return checkPoint(q);
    return isZero(checkPoint(q)) ? p : sodium.crypto_core_ristretto255_add(p, q);
  };
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
  // Never a ciphertext with alpha or beta the identity (a bad key or a
  // broken generator would make it show m).
  const encrypt = (pk, m, rng) => {
    checkPublicKey(pk);
    const r = drawScalar(rng);
    const ct = { r, alpha: base(r), beta: add(base(scalarOf(m)), mul(r, pk)) };
    if (isZero(ct.alpha) || isZero(ct.beta)) throw new Error('votesrv: a ciphertext is the identity');
    return ct;
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

  // Disjunctive Chaum-Pedersen proof (§5.2): ct = {alpha, beta} under pk
  // encrypts m in [min, max] with randomness r. Draws: u_j then c_j, for
  // every j in order, whatever m is.
  const disjCreate = (ctx, pk, ct, min, max, m, r, aux, rng) => {
    const n = max - min + 1;
    const u = [], c = [];
    for (let j = 0; j < n; j++) {
      u.push(drawScalar(rng));
      c.push(drawScalar(rng));
    }
    const k = m - min;
    const branches = [];
    const items = [ctx, pk, ct.alpha, ct.beta, le64(n)];
    for (let j = 0; j < n; j++) items.push(le64(min + j));
    for (let j = 0; j < n; j++) {
      const diff = j >= k ? scalarOf(j - k) : sodium.crypto_core_ristretto255_scalar_negate(scalarOf(k - j));
      const a = base(u[j]);
      const b = add(mul(u[j], pk), base(smul(c[j], diff)));
      branches.push({ a, b });
      items.push(a, b);
    }
    items.push(aux);
    let ck = hs('votesrv/v1/disj', items);
    for (let j = 0; j < n; j++) if (j !== k) ck = ssub(ck, c[j]);
    c[k] = ck;
    return branches.map((br, j) => ({ a: br.a, b: br.b, c: c[j], s: sadd(u[j], smul(c[j], r)) }));
  };

  // Vote-code credentials (§7): the authenticator, the signing key of one
  // scrutin (one credential per voter and scrutin), a signature.
  const authenticator = (eid, code) => hb('votesrv/v1/authenticator', [eid, code]);
  const credential = (eid, code, scrutin) => {
    const s = hs('votesrv/v1/credential', [eid, code, scrutin]);
    return { s, pub: base(s) };
  };
  const sign = (ctx, s, pub, digest, rng) => {
    const w = drawScalar(rng);
    const a = base(w);
    const c = hs('votesrv/v1/sig', [ctx, pub, a, digest]);
    return { a, s: sadd(w, smul(c, s)) };
  };

  const concat = (parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const branchBytes = (brs) => concat(brs.flatMap((b) => [b.a, b.b, b.c, b.s]));

  // One scrutin's ballot (§8): choices[i] is 1 for a chosen list. Draws: the
  // k encryptions, each 0/1 proof, the range proof, the signature.
  const ballotCreate = (sc, choices, cred, rng) => {
    const { fp, pk, scrutinId, min, max } = sc;
    checkPublicKey(pk);
    const k = choices.length;
    const chosen = choices.reduce((n, x) => n + x, 0);
    if (choices.some((x) => x !== 0 && x !== 1) || chosen < min || chosen > max)
      throw new Error('votesrv: invalid choice');
    const id = utf8(scrutinId);
    const aux = concat([le64(32), cred.pub, le64(id.length), id]);
    const cts = choices.map((m) => encrypt(pk, m, rng));
    const bits = cts.map((ct, i) => disjCreate(fp, pk, ct, 0, 1, choices[i], ct.r, aux, rng));
    let rsum = new Uint8Array(32), asum = zero, bsum = zero;
    for (const ct of cts) {
      rsum = sadd(rsum, ct.r);
      asum = add(asum, ct.alpha);
      bsum = add(bsum, ct.beta);
    }
    const range = disjCreate(fp, pk, { alpha: asum, beta: bsum }, min, max, chosen, rsum, aux, rng);
    const items = [fp, id, cred.pub, le64(k)];
    cts.forEach((ct, i) => items.push(ct.alpha, ct.beta, branchBytes(bits[i])));
    items.push(le64(min), le64(max), branchBytes(range));
    const digest = hb('votesrv/v1/ballot', items);
    const sig = sign(fp, cred.s, cred.pub, digest, rng);
    return { scrutinId, min, max, cred: cred.pub, cts, bits, range, sig, digest };
  };

  // The ballot's JSON (§14); JSON.stringify of this object, keys in the order
  // written here, is not the canonical form: the server re-encodes it.
  const ballotJson = (b, fp) => {
    const branch = (br) => ({ a: hex(br.a), b: hex(br.b), c: hex(br.c), s: hex(br.s) });
    return {
      version: 1,
      election: hex(fp),
      scrutin: b.scrutinId,
      credential: hex(b.cred),
      lists: b.cts.map((ct, i) => ({ ct: hex(ct.alpha) + hex(ct.beta), proof: b.bits[i].map(branch) })),
      range: { min: b.min, max: b.max, proof: b.range.map(branch) },
      signature: { a: hex(b.sig.a), s: hex(b.sig.s) },
    };
  };
  const hex = (b) => sodium.to_hex(b);

  return {
    checkPoint, checkPublicKey,
    le64, hb, hs, base, mul, add, sadd, ssub, smul, scalarOf, systemRandom, drbg, drawScalar,
    keypair, encrypt, pokCreate, decCreate, disjCreate, authenticator, credential, sign,
    ballotCreate, ballotJson,
  };
}
