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
import { waitMail } from './mail.mjs';
import * as account from './account.mjs';
import { BASE, MAIL, SHOTS, STATE, V1, V2, env, codeOf, authorityMail, staffLogin, local, check, browser,
  newPage, login, vote, setShot, nextShot, currentPage } from './lib.mjs';
import { voteWithExpiredSession, receiptLasts, onAPhone, loggedInMenu, choiceStaysWithItsVoter } from './vote.mjs';
import { boardWhileOpen, boardAfterCount } from './board.mjs';
import { fingerprintText } from '../../votesrv/portal/js/votesrv-election.mjs';
import { supportAndAuditors } from './support.mjs';
import { accessibility } from './a11y.mjs';
import { themeWalk } from './theme.mjs';
import { rushWalk } from './rush.mjs';
import { dashboardObserver } from './dash.mjs';

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
  assert.equal(await page.getByLabel('Réponse à la question défi').inputValue(), V1.answer); // kept
  await pw.fill(V1.password);
  await page.getByLabel('Confirmez le mot de passe').fill(V1.password);
  await page.getByLabel('Votre question défi').selectOption(V1.question);
  await page.getByLabel('Réponse à la question défi').fill(V1.answer);
  await page.getByRole('button', { name: 'Activer mon compte' }).click();
  await page.getByText('Votre compte est activé').waitFor();
  await loggedInMenu(page);
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
  state.trackers['cap-attaches'] = await voteWithExpiredSession(page, code);
  const receiptUrl = page.url();
  assert.match(state.trackers['cap-attaches'], /^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
  await check(page, 'recu');
  await page.getByRole('link', { name: 'Vérifier mon bulletin dans l\'urne' }).click();
  await page.getByText('Ce bulletin est dans l\'urne.').waitFor();
  await check(page, 'urne');
  await receiptLasts(page, receiptUrl, state.trackers['cap-attaches']);
  await onAPhone(b, page, receiptUrl);
  await waitMail(MAIL, V1.email, /Numéro de suivi de votre bulletin/);

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
  await vote(page, 'csa-ministere', 'Syndicat B', code, /votre code a été remplacé le \d+ \S+ \d{4} à/);
  assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');

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
  await account.accountHistory(page, state.trackers); account.activationMail(); await account.deadLinks(page); await account.personalData(page); await account.trackerTypos(page, state.trackers['cap-attaches']); await page.goto(`${BASE}/compte`);
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
  await loggedInMenu(page);
  await login(page, V1, V1.password);
  await page.getByRole('alert').waitFor();
  await login(page, V1, 'un tout nouveau mot de passe');
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await accessibility(b, page);                     // the statement, site map, reflow

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
  await nojs.screenshot({ path: `${SHOTS}/${nextShot()}-vote-sans-javascript.png`, fullPage: true });
  await choiceStaysWithItsVoter(b, { ...V1, password: 'un tout nouveau mot de passe' }, receiptUrl);

  // the support cell and the auditors (support.mjs)
  await supportAndAuditors(b);

  await boardWhileOpen(b, state);
  await rushWalk();
  writeFileSync(STATE, JSON.stringify(state));
  await b.close();
  console.log(JSON.stringify(state));
}

// The officers close the vote and count, from their console.
async function phaseClose() {
  setShot(40);
  const b = await browser();
  await dashboardObserver(b);
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
  await page.getByText("C'est fait : les bulletins sont vérifiés et additionnés").waitFor();
  assert.equal(await page.getByRole('button', { name: 'Dépouiller' }).count(), 0);
  await check(page, 'bureau-depouille');
  await b.close();
}

async function phaseResults() {
  setShot(50);
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
  await boardAfterCount(b, state);
  await b.close();
}

// On a failure, the page as it was: a screenshot and its text.
const phase = process.argv[2];
const phases = { voter: phaseVoter, close: phaseClose, results: phaseResults, theme: async () => { await themeWalk(); await rushWalk('dsfr'); } };
if (!phases[phase]) throw new Error('usage: journey.mjs voter|close|results|theme');
try {
  await phases[phase]();
} catch (e) {
  console.error(`${phase}: ${e.message.slice(0, 1500)}`);
  const current = currentPage();
  if (current && !current.isClosed()) {
    await current.screenshot({ path: `${SHOTS}/failure-${phase}.png`, fullPage: true });
    const text = await current.locator('main').innerText().catch(() => '');
    console.error(`at ${current.url()}:\n${text.slice(0, 1500)}`);
  }
  process.exit(1);
}
