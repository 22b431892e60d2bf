// journey.mjs - a voter's whole journey through the portal in Chromium
// (playwright-core driving Debian's chromium), against a real daemon and the
// SMTP sink; run by tests/test_portal.c, which sets up the election and, after
// this phase, closes it and has the bureau count.
//
//   node tests/browser/journey.mjs voter|close|results
//
// Environment: VOTESRV_URL, VOTESRV_MAIL (the sink's folder), VOTESRV_CODES
// (NUMBER,CODE lines), VOTESRV_CA_MAIL (the folder of the credential
// authority's SMTP sink: votecad, not the server, mails reissued codes), VOTESRV_SHOTS (screenshots), VOTESRV_STATE (a JSON file
// the phases share), VOTESRV_STAFF (the folder holding votectl staff-add's
// output for the accounts c.lemoine, a.roux and p.garnier), VOTESRV_CLOCK_OFFSET (seconds the
// daemon's clock runs ahead, for the TOTP codes). Each step asserts what a voter sees; axe-core checks each
// main page (WCAG 2.1 A and AA rules); a CSP violation fails the run.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { waitMail } from './mail.mjs';
import { fingerprintText } from '../../votesrv/portal/js/votesrv-election.mjs';

const env = (k) => {
  assert.ok(process.env[k], `${k} is not set`);
  return process.env[k];
};
const BASE = env('VOTESRV_URL');
const MAIL = env('VOTESRV_MAIL');
const SHOTS = env('VOTESRV_SHOTS');
const STATE = env('VOTESRV_STATE');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(SHOTS, { recursive: true });

const V1 = { number: 'V1', email: 'v1@ex.fr', password: 'correct horse battery staple',
  question: '2', answer: 'Félix le chat' };
const V2 = { number: 'V2', email: 'v2@ex.fr', password: 'une phrase de passe assez longue' };

function codeOf(number) {
  const line = readFileSync(env('VOTESRV_CODES'), 'utf8').split('\n')
    .find((l) => l.startsWith(`${number},`));
  assert.ok(line, `no code for ${number}`);
  return line.split(',')[1].trim();
}

// The code the credential authority's service (votecad) mailed a voter, from
// its own relay (never the server's), as { match: [line, code] }.
async function authorityMail(who) {
  return waitMail(env('VOTESRV_CA_MAIL'), who.email, /\n {4}([0-9A-Z]{4}(?:-[0-9A-Z]{4})+)\s*\n/);
}

// The current TOTP code of a staff account (RFC 6238, HMAC-SHA-256), from
// the key votectl staff-add printed; off by one digit if wrong is set.
function totp(login, wrong = false) {
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

async function staffLogin(page, login, wrong = false) {
  await page.goto(`${BASE}/gestion/connexion`);
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill('correct horse battery staple');
  await page.getByLabel('Code à usage unique').fill(totp(login, wrong));
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// The path and query of a mailed link (the mail names the configured portal).
const local = (link) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

let shot = 0;
async function check(page, name) {
  shot += 1;
  await page.screenshot({ path: `${SHOTS}/${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
  await page.evaluate(axeSource); // page.evaluate is outside the page's CSP
  const r = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  assert.deepEqual(problems, [], `${name}: accessibility`);
}

async function browser() {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'] });
  return b;
}

async function newPage(b, options = {}) {
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

async function login(page, who, password) {
  await page.goto(`${BASE}/connexion`);
  await page.getByLabel('Adresse électronique professionnelle').fill(who.email);
  await page.getByLabel('Mot de passe « élections »').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// Vote in a scrutin with the mouse: choose, review, code, confirm. The receipt's tracker.
async function vote(page, scrutin, list, code, expectError) {
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

// The vote page checks the election it is handed (a dishonest server): it
// shows the fingerprint's short form it computed, which is the election's;
// served a bad key, another key, an altered definition or choices that are
// not the definition's, it withdraws the choices, says why, and posts nothing.
async function refusesBadElection(page) {
  const election = await (await page.request.get(`${BASE}/api/v1/election`)).json();
  const fp = Uint8Array.from(Buffer.from(election.fingerprint, 'hex'));
  await page.goto(`${BASE}/vote/cap-attaches`);
  await page.locator('#next:enabled').waitFor();
  assert.equal(await page.locator('#fp-text').textContent(), fingerprintText(fp));
  assert.match(await page.locator('#election-check').innerText(), /imprimée sur votre notice/);

  const url = `${BASE}/vote/cap-attaches`;
  const keyMsg = /clé de chiffrement de l'élection reçue par cette page n'est pas valide/;
  const dataMsg = /ne correspondent pas à son empreinte/;
  const cases = [
    ['identity key', (b) => b.replace(/data-pk="[0-9a-f]{64}"/, `data-pk="${'0'.repeat(64)}"`), keyMsg],
    ['non-canonical key', (b) => b.replace(/data-pk="[0-9a-f]{64}"/, `data-pk="${'f'.repeat(62)}7f"`), keyMsg],
    ['another valid key', (b) => b.replace(/data-pk="[0-9a-f]{64}"/,
      'data-pk="e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"'), dataMsg],
    ['one field changed', (b) => b.replace(/(data-definition="[^"]*)&quot;seats&quot;:6,/,
      '$1&quot;seats&quot;:7,'), dataMsg],
    ['choices not the definition\'s', (b) => b.replace('>Agir ensemble <span', '>Pour les agents <span'), dataMsg],
  ];
  let posted = 0;
  const onRequest = (r) => {
    if (r.method() === 'POST') posted += 1;
  };
  page.on('request', onRequest);
  for (const [name, edit, message] of cases) {
    await page.route(url, async (route) => {
      const res = await route.fetch();
      const body = await res.text();
      const altered = edit(body);
      assert.notEqual(altered, body, `${name}: the page was not altered`);
      await route.fulfill({ response: res, body: altered });
    });
    await page.goto(url);
    await page.getByRole('alert').filter({ hasText: message }).waitFor();
    assert.equal(await page.locator('#step-choose').isHidden(), true, name);
    assert.equal(await page.locator('#next').isDisabled(), true, name);
    assert.equal(await page.locator('#election-check').isHidden(), true, name);
    if (name === 'identity key') await check(page, 'vote-refus');
    await page.unroute(url);
  }
  page.off('request', onRequest);
  assert.equal(posted, 0);
}

async function phaseVoter() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const b = await browser();
  const page = await newPage(b);
  const state = { trackers: {} };

  // home: the election, its scrutins, the profession de foi
  await page.goto(BASE);
  await page.getByRole('heading', { name: 'Les scrutins' }).waitFor();
  const pdf = await page.request.get(`${BASE}/professions/cap-attaches/1`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await check(page, 'accueil');

  // activation from the mail's link: the form tells what is wrong, field by field
  const act = await waitMail(MAIL, V1.email, /https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/);
  await page.goto(BASE + local(act.match[0]));
  await page.getByLabel('Mot de passe « élections »').fill('court');
  await page.getByLabel('Confirmez le mot de passe').fill('court');
  await page.getByLabel('Votre question défi').selectOption(V1.question);
  await page.getByLabel('Réponse à la question défi').fill(V1.answer);
  await page.getByRole('button', { name: 'Activer mon compte' }).click();
  const pw = page.getByLabel('Mot de passe « élections »');
  assert.equal(await pw.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator(`#${(await pw.getAttribute('aria-describedby')).split(' ').pop()}`).textContent(),
    /au moins 12 caractères/);
  await check(page, 'activation-erreurs');
  await pw.fill(V1.password);
  await page.getByLabel('Confirmez le mot de passe').fill(V1.password);
  await page.getByLabel('Votre question défi').selectOption(V1.question);
  await page.getByLabel('Réponse à la question défi').fill(V1.answer);
  await page.getByRole('button', { name: 'Activer mon compte' }).click();
  await page.getByText('Votre compte est activé').waitFor();
  await check(page, 'activation-faite');

  // login: a wrong password says nothing of which field was wrong
  await login(page, V1, 'not the password at all');
  await page.getByRole('alert').filter({ hasText: 'Identifiant ou mot de passe incorrect' }).waitFor();
  await login(page, V1, V1.password);
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  assert.equal(await page.getByText("Vous n'avez pas encore voté.").count(), 2);
  await check(page, 'espace');

  await refusesBadElection(page);

  // first scrutin: a typo in the code is caught on the device, then the vote
  await page.goto(`${BASE}/vote/cap-attaches`);
  await check(page, 'vote-choix');
  await page.getByLabel('Agir ensemble').check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByLabel('Code de vote').fill('ABCD-EFGH');
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
  assert.match(await page.locator('#code-err').textContent(), /28 caractères/);
  await check(page, 'vote-verification');
  const code = codeOf(V1.number);
  state.trackers['cap-attaches'] = await vote(page, 'cap-attaches', 'Agir ensemble', code);
  assert.match(state.trackers['cap-attaches'], /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
  await check(page, 'recu');
  await page.getByRole('link', { name: 'Vérifier mon bulletin dans l\'urne' }).click();
  await page.getByText('Ce bulletin est dans l\'urne.').waitFor();
  await check(page, 'urne');
  await waitMail(MAIL, V1.email, /accusé de réception|Code de vérification/);

  // lost notice: a new code after the défi answer; the old one stops working
  await page.goto(`${BASE}/code`);
  await page.locator('#f-defi_answer').fill('pas la bonne réponse');
  await page.getByRole('button', { name: 'Recevoir un nouveau code' }).click();
  await page.getByText('La réponse à votre question défi ne correspond pas.').waitFor();
  await page.locator('#f-defi_answer').fill('  FELIX le  chat ');
  await page.getByRole('button', { name: 'Recevoir un nouveau code' }).click();
  await page.getByText('Un nouveau code de vote vient').waitFor();
  await check(page, 'code-reassort');
  const mailed = await authorityMail(V1);
  await vote(page, 'csa-ministere', 'Syndicat B', code, "Ce code de vote n'est pas le vôtre.");

  // second scrutin with the keyboard only, and the new code
  await page.goto(`${BASE}/vote/csa-ministere`);
  await page.locator('#next:enabled').waitFor();   // the module is ready
  await page.locator('#c0').focus();
  await page.keyboard.press('ArrowDown');          // Syndicat B
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');              // Continuer
  await page.locator('#review-title').waitFor();
  assert.ok((await page.locator('#chosen').textContent()).startsWith('Syndicat B'));
  await page.keyboard.press('Tab');                // Modifier mon choix
  await page.keyboard.press('Tab');                // the code
  await page.keyboard.type(mailed.match[1].toLowerCase());
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');              // final
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');              // Confirmer
  await page.getByRole('heading', { name: 'Votre vote est enregistré' }).waitFor();
  state.trackers['csa-ministere'] = (await page.locator('#tracker').textContent()).trim();
  await page.goto(`${BASE}/espace`);
  assert.equal(await page.getByText('Vous avez voté. Votre vote est définitif.').count(), 2);
  await page.goto(`${BASE}/vote/csa-ministere`);
  await page.getByText('Vous avez déjà voté à ce scrutin').waitFor();

  // my account, in English too
  await page.goto(`${BASE}/compte`);
  await page.getByText(V1.email).waitFor();
  await check(page, 'compte');
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
  await page.goto(`${BASE}/espace`);
  await page.getByRole('heading', { name: 'My voting space' }).waitFor();
  await check(page, 'space-en');
  await page.getByRole('link', { name: 'Français' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByRole('heading', { name: 'Bienvenue' }).waitFor();

  // password reassort, behind the ALTCHA proof of work
  await page.goto(`${BASE}/mot-de-passe-oublie`);
  await page.getByLabel('Votre adresse électronique professionnelle').fill(V1.email);
  await page.locator('altcha-widget input[type=checkbox]').click();
  await page.locator('altcha-widget [data-state="verified"]').waitFor({ timeout: 30000 });
  await check(page, 'reassort-mot-de-passe');
  await page.getByRole('button', { name: 'Recevoir le lien' }).click();
  await page.getByText('Si cette adresse est celle d\'un électeur').waitFor();
  const reset = await waitMail(MAIL, V1.email, /https?:\/\/\S+\/mot-de-passe\?t=[A-Za-z0-9_-]+/);
  await page.goto(BASE + local(reset.match[0]));
  await page.getByLabel('Nouveau mot de passe « élections »').fill('un tout nouveau mot de passe');
  await page.getByLabel('Confirmez le mot de passe').fill('un tout nouveau mot de passe');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByText('Votre mot de passe est changé.').waitFor();
  await login(page, V1, V1.password);
  await page.getByRole('alert').waitFor();
  await login(page, V1, 'un tout nouveau mot de passe');
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();

  // "no link": a second voter asks for one, and activates without JavaScript
  await page.goto(`${BASE}/acces`);
  await page.getByLabel('Votre adresse électronique professionnelle').fill(V2.email);
  await page.locator('altcha-widget input[type=checkbox]').click();
  await page.locator('altcha-widget [data-state="verified"]').waitFor({ timeout: 30000 });
  const before = (await waitMail(MAIL, V2.email, /activation\?t=/)).n;
  await page.getByRole('button', { name: 'Recevoir le lien' }).click();
  await page.getByText('Si cette adresse est celle d\'un électeur').waitFor();
  const link2 = await waitMail(MAIL, V2.email, /https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/, before);
  const nojs = await newPage(b, { javaScriptEnabled: false });
  await nojs.goto(BASE + local(link2.match[0]));
  await nojs.getByLabel('Mot de passe « élections »').fill(V2.password);
  await nojs.getByLabel('Confirmez le mot de passe').fill(V2.password);
  await nojs.getByLabel('Votre question défi').selectOption('0');
  await nojs.getByLabel('Réponse à la question défi').fill('Lyon');
  await nojs.getByRole('button', { name: 'Activer mon compte' }).click();
  await nojs.getByText('Votre compte est activé').waitFor();
  await login(nojs, V2, V2.password);
  await nojs.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await nojs.goto(`${BASE}/vote/csa-ministere`);
  assert.match(await nojs.locator('main').innerText(), /cette étape a besoin de JavaScript/);
  assert.equal(await nojs.locator('form[action="/vote/csa-ministere"]').isHidden(), true);
  await nojs.screenshot({ path: `${SHOTS}/${String(++shot).padStart(2, '0')}-vote-sans-javascript.png`, fullPage: true });

  // the support cell: Hugo Durand never got his link; the agent sends one
  const staff = await newPage(b);
  await staff.goto(`${BASE}/gestion`);
  await staff.getByRole('heading', { name: 'Console de gestion : connexion' }).waitFor();
  await staffLogin(staff, 'c.lemoine', true);
  await staff.getByRole('alert').filter({ hasText: 'Identifiant ou mot de passe incorrect' }).waitFor();
  await staffLogin(staff, 'c.lemoine');
  await staff.getByRole('heading', { name: "Cellule d'assistance" }).waitFor();
  await staff.getByLabel(/Nom, numéro d'électeur/).fill('dur');
  await staff.getByRole('button', { name: 'Rechercher' }).click();
  await check(staff, 'assistance');
  await staff.getByRole('link', { name: 'V3' }).click();
  await staff.getByRole('heading', { name: "Dossier d'un électeur" }).waitFor();
  assert.match(await staff.locator('dl.status').innerText(), /Compte activé\s+non/);
  const before3 = (await waitMail(MAIL, 'v3@ex.fr', /activation\?t=/)).n;
  const link = staff.locator('form', { has: staff.getByRole('button', { name: 'Envoyer un nouveau lien' }) });
  await link.getByRole('button').click();                    // no reason: refused
  await staff.getByText("Indiquez le motif de l'action").waitFor();
  assert.equal(await staff.locator('#r-lien').getAttribute('aria-invalid'), 'true');
  await check(staff, 'assistance-dossier');
  await staff.locator('#r-lien').fill('Appel du 24/11 : lien jamais reçu');
  await link.getByRole('button').click();
  await staff.getByText("Action effectuée : Envoyer un nouveau lien.").waitFor();
  await waitMail(MAIL, 'v3@ex.fr', /https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/, before3);
  await staff.goto(`${BASE}/gestion/bureau`);                // not the agent's console
  await staff.getByText('Cette page est réservée à un autre rôle.').waitFor();

  writeFileSync(STATE, JSON.stringify(state));
  await b.close();
  console.log(JSON.stringify(state));
}

// The officers close the vote and count, from their console.
async function phaseClose() {
  shot = 40;
  const b = await browser();
  const page = await newPage(b);

  await staffLogin(page, 'a.roux');
  await page.getByRole('heading', { name: 'Tableau de bord du bureau' }).waitFor();
  const cap = page.locator('section.turnout', { has: page.getByRole('heading', { name: /attachés/ }) });
  assert.equal(await cap.locator('meter').first().getAttribute('value'), '1');
  await check(page, 'bureau');
  await page.getByRole('button', { name: 'Clore le vote' }).click();
  await page.getByText('vote clos, en attente du dépouillement').waitFor();
  await page.getByRole('button', { name: 'Dépouiller' }).click();
  await page.getByText('Les sommes chiffrées sont publiées').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Dépouiller' }).count(), 0);
  await check(page, 'bureau-depouille');
  await b.close();
}

async function phaseResults() {
  shot = 50;
  const b = await browser();
  const page = await newPage(b);
  const state = JSON.parse(readFileSync(STATE, 'utf8'));

  await page.goto(`${BASE}/resultats`);
  const cap = page.locator('section', { has: page.getByRole('heading', { name: /attachés/ }) });
  await cap.getByRole('row', { name: /Agir ensemble/ }).getByRole('cell', { name: '1', exact: true }).first().waitFor();
  const csa = page.locator('section', { has: page.getByRole('heading', { name: /Comité social/ }) });
  await csa.getByRole('row', { name: /Syndicat B/ }).getByRole('cell', { name: '1', exact: true }).first().waitFor();
  await check(page, 'resultats');
  for (const t of Object.values(state.trackers)) {
    await page.goto(`${BASE}/urne?tracker=${t}`);
    await page.getByText('Ce bulletin est dans l\'urne.').waitFor();
  }
  await b.close();
}

// On a failure, the page as it was: a screenshot and its text.
let current = null;
const phase = process.argv[2];
const phases = { voter: phaseVoter, close: phaseClose, results: phaseResults };
if (!phases[phase]) throw new Error('usage: journey.mjs voter|close|results');
try {
  await phases[phase]();
} catch (e) {
  console.error(`${phase}: ${e.message.slice(0, 1500)}`);
  if (current && !current.isClosed()) {
    await current.screenshot({ path: `${SHOTS}/failure-${phase}.png`, fullPage: true });
    const text = await current.locator('main').innerText().catch(() => '');
    console.error(`at ${current.url()}:\n${text.slice(0, 1500)}`);
  }
  process.exit(1);
}
