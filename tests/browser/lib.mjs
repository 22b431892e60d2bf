// lib.mjs - what every walk of the portal in Chromium shares (journey.mjs and
// the walks it calls): the environment test_portal.c sets, axe-core and
// screenshots on each page, logins, a vote. See journey.mjs for the variables.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { waitMail } from './mail.mjs';

export const env = (k) => {
  assert.ok(process.env[k], `${k} is not set`);
  return process.env[k];
};
export const BASE = env('VOTESRV_URL');
export const MAIL = env('VOTESRV_MAIL');
export const SHOTS = env('VOTESRV_SHOTS');
export const STATE = env('VOTESRV_STATE');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(SHOTS, { recursive: true });

export const V1 = { number: 'V1', email: 'v1@ex.fr', password: 'correct horse battery staple',
  question: '2', answer: 'Félix le chat' };
export const V2 = { number: 'V2', email: 'v2@ex.fr', password: 'une phrase de passe assez longue' };

export function codeOf(number) {
  const line = readFileSync(env('VOTESRV_CODES'), 'utf8').split('\n')
    .find((l) => l.startsWith(`${number},`));
  assert.ok(line, `no code for ${number}`);
  return line.split(',')[1].trim();
}

// The code the credential authority's service (votecad) mailed a voter, from
// its own relay (never the server's), as { match: [line, code] }.
export async function authorityMail(who) {
  return waitMail(env('VOTESRV_CA_MAIL'), who.email, /\n {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4})+)\s*\n/);
}

// The current TOTP code of a staff account (RFC 6238, HMAC-SHA-256), from
// the key votectl staff-add printed; off by one digit if wrong is set.
export function totp(login, wrong = false) {
  const out = readFileSync(`${env('VOTESRV_STAFF')}/${login}.txt`, 'utf8');
  const secret = out.match(/TOTP key \(shown once\): ([A-Z2-7]+)/)[1];
  let bits = '';
  for (const c of secret) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  const now = Date.now() + 1000 * Number(process.env.VOTESRV_CLOCK_OFFSET || 0);
  msg.writeBigUInt64BE(BigInt(Math.floor(now / 30000)));
  const mac = createHmac('sha256', key).update(msg).digest();
  const v = (mac.readUInt32BE(mac[mac.length - 1] & 15) & 0x7fffffff) % 1000000 + (wrong ? 1 : 0);
  return String(v % 1000000).padStart(6, '0');
}

export async function staffLogin(page, login, wrong = false) {
  await page.goto(`${BASE}/gestion/connexion`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill('correct horse battery staple');
  await page.getByLabel('Code à usage unique').fill(totp(login, wrong));
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// The path and query of a mailed link (the mail names the configured portal).
export const local = (link) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

// Screenshots are numbered in the order they are taken (a phase may start
// its numbering further on: setShot).
let shot = 0;
export const setShot = (n) => { shot = n; };
export const nextShot = () => String(++shot).padStart(2, '0');
export async function check(page, name) {
  await page.screenshot({ path: `${SHOTS}/${nextShot()}-${name}.png`, fullPage: true });
  await page.evaluate(axeSource); // page.evaluate is outside the page's CSP
  const r = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(problems, [], `${name}: accessibility`);
}

// Behind the TLS front (test_portal), Chromium trusts the test server's key
// and nothing else (VOTESRV_SPKI: its SPKI's SHA-256, base64): every other
// certificate error still fails the page. Node's own requests (page.request)
// trust the test CA through NODE_EXTRA_CA_CERTS.
export async function browser() {
  const args = ['--no-sandbox'];
  if (process.env.VOTESRV_SPKI) args.push(`--ignore-certificate-errors-spki-list=${process.env.VOTESRV_SPKI}`);
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
  return b;
}

export async function newPage(b, options = {}) {
  const ctx = await b.newContext({ locale: 'fr-FR', ...options });
  const page = await ctx.newPage();
  current = page;
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) throw new Error(`CSP: ${m.text()}`);
  });
  page.on('requestfailed', (r) => console.error(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('pageerror', (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  return page;
}

export async function login(page, who, password) {
  await page.goto(`${BASE}/connexion`);
  await page.getByLabel('Adresse électronique professionnelle').fill(who.email);
  await page.getByLabel('Mot de passe « élections »').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// Vote in a scrutin with the mouse: choose, review, code, confirm. The receipt's tracker.
export async function vote(page, scrutin, list, code, expectError) {
  await page.goto(`${BASE}/vote/${scrutin}`);
  await page.getByLabel(list).check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await assert.doesNotReject(page.getByText(`Vous avez choisi :`).waitFor());
  assert.ok((await page.locator('#chosen').textContent()).startsWith(list));
  await page.getByLabel('Code de vote').fill(code);
  await page.getByLabel(/mon vote est définitif/).check();
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
  if (expectError) {
    await page.getByRole('alert').filter({ hasText: expectError }).waitFor();
    return null;
  }
  await page.getByRole('heading', { name: 'Votre vote est enregistré' }).waitFor();
  return (await page.locator('#tracker').textContent()).trim();
}


// The page a failure is shown from (the last one opened).
let current = null;
export const currentPage = () => current;
