// rush.mjs - the login in an opening rush (issue 25), run by journey.mjs at the
// end of the voter phase and after the theme walk (dsfr: the waiting state
// with JavaScript only, for the time make check has): V2 logs in while a
// flood of other logins (unknown addresses, through the API) holds every
// place the daemon admits at once, so that hers is answered 503 with a
// Retry-After. With JavaScript (login-wait.mjs) the form
// stays with the password in its field, the status says when it tries again;
// cancelled with the keyboard it waits for the voter, left alone it logs her
// in by itself. Without JavaScript the 503 page is the form again, the
// address kept, saying when to try and her place in the queue, whose ticket
// the votesrv_wait cookie brings back with the form (removed at login). Every page is axe-clean, and no address
// the browser asks for carries the password or the address.
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { BASE, V2, check, browser, newPage } from './lib.mjs';

const BURST = 48;      // more than the daemon admits at once (2 cores: 18)
const TRIES = 6;       // the flood may let the voter's login through now and then

// A flood of logins of unknown addresses through the API (each its own
// account: none is slowed down; test_portal.c lifts the network's window),
// BURST of them in flight at every moment until stopped: `refusing` settles
// at its first refusal (503: the daemon admits no more now), stop() ends it.
let sent = 0;
function flood(api) {
  let running = true;
  let refused;
  const refusing = new Promise((resolve) => { refused = resolve; });
  const one = async () => {
    while (running) {
      sent += 1;
      const status = await api.post(`${BASE}/api/v1/session`, {
        data: { identifier: `rush.${sent}@ex.fr`, password: 'pas le bon mot de passe' },
        failOnStatusCode: false,
      }).then((r) => r.status(), () => 0);
      if (status === 503) refused();
    }
  };
  const all = Promise.all(Array.from({ length: BURST }, one));
  return { refusing, stop: () => { running = false; return all; } };
}

// Fill the form, send it with Enter while a flood is being refused: the
// waiting page's 503 (the flood may let it through, now and then: again).
async function sendDuringBurst(page, api) {
  for (let i = 0; i < TRIES; i++) {
    await page.context().clearCookies();
    await page.goto(`${BASE}/connexion`);
    await page.getByLabel('Adresse électronique professionnelle').fill(V2.email);
    await page.getByLabel('Mot de passe « élections »').fill(V2.password);
    const others = flood(api);
    await others.refusing;
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/connexion' &&
      r.request().method() === 'POST');
    await page.getByLabel('Mot de passe « élections »').press('Enter');
    const status = (await answer).status();
    await others.stop();
    if (status === 503) return;
    await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor(); // admitted
  }
  assert.fail(`${TRIES} floods of ${BURST} logins at once and the form was never answered 503`);
}

function noSecretInAddresses(page) {
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  return () => {
    for (const u of seen) {
      const d = decodeURIComponent(u);
      assert.ok(!d.includes(V2.password) && !d.includes(V2.email), `a secret in ${u}`);
    }
  };
}

export async function rushWalk(theme = '') {
  const name = (s) => (theme ? `${theme}-${s}` : s);
  const b = await browser();
  const api = await request.newContext();

  // with JavaScript: the wait announced, cancelled with the keyboard
  const page = await newPage(b);
  const clean = noSecretInAddresses(page);
  await sendDuringBurst(page, api);
  const status = page.locator('#login-wait');
  await status.filter({ hasText: /Nouvel essai automatique dans \d+ s/ }).waitFor();
  assert.match(await status.textContent(), /De nombreux électeurs se connectent/);
  assert.equal(await page.getByLabel('Mot de passe « élections »').inputValue(), V2.password);
  const cancel = page.getByRole('button', { name: 'Annuler le nouvel essai automatique' });
  for (let i = 0; i < 4 && !(await cancel.evaluate((e) => e === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await status.filter({ hasText: 'Nouvel essai automatique annulé' }).waitFor();
  assert.equal(await cancel.count(), 0);
  await check(page, name('connexion-attente'));
  assert.equal(new URL(page.url()).pathname, '/connexion');
  await page.getByLabel('Mot de passe « élections »').press('Enter'); // the voter's own retry
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();

  if (theme) {              // another theme: the same page's markup and style only
    clean();
    await api.dispose();
    await b.close();
    return;
  }

  // left alone, the page logs in by itself after Retry-After
  await sendDuringBurst(page, api);
  await status.filter({ hasText: /Nouvel essai automatique dans \d+ s/ }).waitFor();
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor({ timeout: 130000 });
  clean();

  // without JavaScript: the 503 page is the form again, saying when to try
  const nojs = await newPage(b, { javaScriptEnabled: false });
  const cleanNojs = noSecretInAddresses(nojs);
  await sendDuringBurst(nojs, api);
  await nojs.getByRole('alert').filter({ hasText: /Réessayez dans \d+ seconde/ }).waitFor();
  // her place: its position said on the page, its ticket in a cookie the
  // page's script cannot read, sent back only to /connexion
  await nojs.getByRole('alert').filter({ hasText: /Votre place dans la file d'attente : \d+\./ })
    .waitFor();
  const wait = (await nojs.context().cookies()).find((c) => c.name === 'votesrv_wait');
  assert.ok(wait && wait.httpOnly && wait.sameSite === 'Strict' && wait.path === '/connexion',
    `the place's cookie: ${JSON.stringify(wait)}`);
  assert.equal(await nojs.getByLabel('Adresse électronique professionnelle').inputValue(), V2.email);
  assert.equal(await nojs.getByLabel('Mot de passe « élections »').inputValue(), '');
  assert.equal(new URL(nojs.url()).pathname, '/connexion');
  // axe needs JavaScript: the same page, as the server sent it, in a page with it
  const html = await nojs.content();
  await page.route(`${BASE}/connexion`, (route) => route.fulfill({ status: 503, body: html,
    contentType: 'text/html; charset=utf-8' }));
  await page.goto(`${BASE}/connexion`);
  await check(page, name('connexion-attente-sans-js'));
  await page.unroute(`${BASE}/connexion`);
  // the voter types her password again: admitted once the flood is over
  // (or told again when to come back, as long as it takes)
  for (let i = 0; i < 5; i++) {
    await nojs.getByLabel('Mot de passe « élections »').fill(V2.password);
    const answer = nojs.waitForResponse((r) => new URL(r.url()).pathname === '/connexion' &&
      r.request().method() === 'POST');
    await nojs.getByLabel('Mot de passe « élections »').press('Enter');
    const r = await answer;
    if (r.status() !== 503) break;
    await nojs.waitForTimeout(1000 * Number(r.headers()['retry-after']));
  }
  await nojs.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  assert.ok(!(await nojs.context().cookies()).some((c) => c.name === 'votesrv_wait'),
    'the place\'s cookie removed at login');
  cleanNojs();

  await api.dispose();
  await b.close();
}
