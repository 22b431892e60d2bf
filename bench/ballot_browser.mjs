// ballot_browser.mjs - browser.ballot_create_ms: a K=5 ballot made by the
// portal's own script (build/portal: votesrv-crypto.mjs on libsodium.js, as
// vote.mjs does it: credential from the code, encryption, proofs, signature,
// the ballot's JSON) in headless Chromium; the median of 20 after one warm-up.
// The built portal is served from loopback by this script alone.
//
//   node bench/ballot_browser.mjs PORTAL_DIR   (make bench runs it from tests/)
//
// Prints "bench browser.ballot_create_ms <v> ms" (../shared/BENCH.md), or a
// "# skipped" line when Chromium or playwright-core is missing; it measures
// only and never fails on a slow figure.
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';

const ROUNDS = 20;
const dir = process.argv[2] ?? 'build/portal';
const exe = process.env.CHROMIUM ?? '/usr/bin/chromium';

function skip(why) {
  console.log(`# browser.ballot_create_ms skipped: ${why}`);
  process.exit(0);
}

if (!existsSync(exe)) skip(`no Chromium at ${exe} (set CHROMIUM)`);
if (!existsSync(join(dir, 'votesrv-crypto.mjs'))) skip(`no built portal in ${dir} (make portal)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip('playwright-core is not installed (npm ci)');
}

// The portal's files, as the daemon serves them (JavaScript modules by type).
const server = createServer((req, res) => {
  const name = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
  const path = join(dir, name || 'index.html');
  if (name === '' || name === 'index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>bench</title></html>');
  } else if (!name.includes('..') && existsSync(path)) {
    const type = name.endsWith('.mjs') || name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    res.end(readFileSync(path));
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

let browser;
try {
  browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  const times = await page.evaluate(async (rounds) => {
    const { default: sodium } = await import('/libsodium-wrappers.mjs');
    const { votesrvCrypto } = await import('/votesrv-crypto.mjs');
    await sodium.ready;
    const vc = votesrvCrypto(sodium);
    const { pk } = vc.keypair(vc.systemRandom);
    const sc = { fp: sodium.randombytes_buf(32), pk, scrutinId: 'CT', min: 0, max: 1 };
    const eid = '8c0f7a55-3bd1-4c1e-9a55-0d6f1e2b9c11';
    const code = 'ABCDEFGHJKMNPQRSTVWXYZ012345';
    const one = (i) => {
      const choices = [0, 1, 2, 3, 4].map((j) => (j === i % 6 ? 1 : 0)); // a list or blank
      const t0 = performance.now();
      const b = vc.ballotCreate(sc, choices, vc.credential(eid, code, sc.scrutinId), vc.systemRandom);
      JSON.stringify(vc.ballotJson(b, sc.fp));
      return performance.now() - t0;
    };
    one(0); // warm-up: compilation of the module and libsodium's first calls
    return Array.from({ length: rounds }, (_, i) => one(i + 1));
  }, ROUNDS);
  times.sort((a, b) => a - b);
  const median = (times[ROUNDS / 2 - 1] + times[ROUNDS / 2]) / 2;
  console.log(`# K=5 ballot by votesrv-crypto.mjs (libsodium.js, wasm) in headless Chromium ` +
    `${browser.version()}, median of ${ROUNDS} (min ${times[0].toFixed(1)}, max ${times[ROUNDS - 1].toFixed(1)} ms)`);
  console.log(`bench browser.ballot_create_ms ${median.toFixed(1)} ms`);
} finally {
  if (browser) await browser.close();
  server.close();
}
