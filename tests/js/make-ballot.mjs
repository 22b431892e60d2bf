// make-ballot.mjs - print a ballot made by the browser's code with fresh
// randomness for the vector election (tests/vectors/protocol.json "ballot"),
// choosing list CHOICE (or blank with -1): test_vectors.c verifies it in C.
import { readFileSync } from 'node:fs';
import { votesrvCrypto } from '../../votesrv/portal/js/votesrv-crypto.mjs';

// libsodium's ESM build wants Web Crypto on globalThis, which Node has by
// default from version 19 (Debian 12 ships 18): give it node:crypto's.
globalThis.crypto ??= (await import('node:crypto')).webcrypto;
const sodium = (await import('libsodium-wrappers-sumo')).default;
await sodium.ready;
const vc = votesrvCrypto(sodium);
const v = JSON.parse(readFileSync(new URL('../vectors/protocol.json', import.meta.url))).ballot;
const choice = Number(process.argv[2] ?? 0);
const choices = Array.from({ length: v.k }, (_, i) => (i === choice ? 1 : 0));
const sc = { fp: sodium.from_hex(v.fp), pk: sodium.from_hex(v.pk), scrutinId: v.scrutin_id,
             min: v.min, max: v.max };
const b = vc.ballotCreate(sc, choices, vc.credential(v.eid, v.code, v.scrutin_id), vc.systemRandom);
process.stdout.write(JSON.stringify(vc.ballotJson(b, sc.fp)));
