// vote.mjs - the vote page and its receipt, walked in Chromium (issue 23,
// "Voters"): the steps and the professions de foi beside the lists; a session
// that expired at "Confirmer mon vote" says nothing was recorded and comes
// back to the same scrutin with the choice kept (the code typed again); the
// receipt at its stable address reloads, prints, downloads as PDF and JSON and
// is linked from "Mon espace" on this device; on a phone the header stays
// small and the tracker wraps between its groups. Called by journey.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, V1, V2, check, codeOf, login, newPage, nextShot, SHOTS } from './lib.mjs';

const current = (page) => page.locator('#steps li[aria-current="step"]').textContent();

// The menu of a logged-in voter (after activation or a password reset too).
export async function loggedInMenu(page) {
  const nav = page.getByRole('navigation', { name: 'Menu principal' });
  await nav.getByRole('link', { name: 'Mon espace de vote' }).waitFor();
  await nav.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Se connecter' }).count(), 0);
}

// "Confirmer mon vote" in cap-attaches, the session having ended (expired,
// or logged out elsewhere) just before: the login page.
async function confirmWithoutSession(page) {
  const ctx = page.context();
  const kept = (await ctx.cookies()).filter((c) => c.name !== 'votesrv_session');
  await ctx.clearCookies();
  await ctx.addCookies(kept);
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
  await page.waitForURL(/\/connexion\?scrutin=cap-attaches&vote=perdu/);
}

// The voter's first vote in cap-attaches, with the session expiring at the
// confirmation; the receipt's tracker.
export async function voteWithExpiredSession(page, code) {
  await page.goto(`${BASE}/vote/cap-attaches`);
  await page.locator('#next:enabled').waitFor();
  assert.match(await current(page), /Choisir/);
  assert.equal(await page.locator('#steps li').count(), 4);
  const prof = page.locator('.choice a.profession');
  assert.equal(await prof.count(), 1);                 // the one list that has one
  assert.equal(await prof.getAttribute('href'), '/professions/cap-attaches/1');
  assert.equal((await page.request.get(BASE + '/professions/cap-attaches/1')).status(), 200);
  await page.getByLabel('Agir ensemble').check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  assert.match(await current(page), /Vérifier/);
  await page.getByLabel('Code de vote').fill(code);
  assert.match(await current(page), /Code de vote/);
  await page.getByLabel(/mon vote est définitif/).check();
  await confirmWithoutSession(page);
  await page.getByRole('alert').filter({ hasText: "Votre vote n'a pas été enregistré" }).waitFor();
  assert.match(await page.title(), /^Se connecter/);
  await check(page, 'vote-session-expiree');
  // a wrong password keeps the way back; the right one leads to the scrutin
  await page.getByLabel('Adresse électronique professionnelle').fill(V1.email);
  await page.getByLabel('Mot de passe « élections »').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').filter({ hasText: 'Identifiant ou mot de passe incorrect' }).waitFor();
  assert.match(await page.title(), /^Erreur : Se connecter/);
  await page.getByLabel('Mot de passe « élections »').fill(V1.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/vote\/cap-attaches$/);
  // the choice came back, the code did not
  await page.locator('#review-title').waitFor();
  assert.ok((await page.locator('#chosen').textContent()).startsWith('Agir ensemble'));
  assert.match(await page.locator('#vote-status').textContent(), /saisissez à nouveau votre code/);
  assert.equal(await page.getByLabel('Code de vote').inputValue(), '');
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await check(page, 'vote-choix-repris');
  await page.getByLabel('Code de vote').fill(code);
  await page.getByLabel(/mon vote est définitif/).check();
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
  await page.getByRole('heading', { name: 'Votre vote est enregistré' }).waitFor();
  return (await page.locator('#tracker').textContent()).trim();
}

// The receipt reloads at its address, downloads, prints, and "Mon espace"
// links to it; an unknown receipt is a clear 404.
export async function receiptLasts(page, url, tracker) {
  await page.goto(url);
  assert.match(url, /\/recu\?t=[0-9A-Z-]+&n=\d+&d=[0-9a-f]{64}&s=[0-9a-f]{128}$/);
  assert.equal(new URL(url).searchParams.get('t'), tracker);
  assert.match(await current(page), /Reçu/);
  const again = await page.reload();
  assert.equal(again.status(), 200);
  assert.equal((await page.locator('#tracker').textContent()).trim(), tracker);
  assert.equal(await page.getByText('Vous avez déjà voté').count(), 0);
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-pdf').click()]);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
  const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#receipt-json').click()]);
  const r = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.equal(r.tracker_text, tracker);
  assert.equal(r.scrutin, 'cap-attaches');
  assert.match(r.signature, /^[0-9a-f]{128}$/);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header nav').isHidden(), true);
  assert.equal(await page.locator('#tracker').isVisible(), true);
  await page.screenshot({ path: `${SHOTS}/${nextShot()}-recu-impression.png`, fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  // kept on this device: "Mon espace" links to it
  await page.goto(`${BASE}/espace`);
  await page.getByRole('link', { name: 'Voir mon reçu (gardé sur cet appareil)' }).click();
  await page.waitForURL(url);
  // a receipt nobody signed
  const bad = await page.goto(url.replace(/s=[0-9a-f]/, (m) => (m.endsWith('0') ? 's=1' : 's=0')));
  assert.equal(bad.status(), 404);
  assert.match(await page.title(), /^Erreur : /);
  await page.getByRole('alert').filter({ hasText: 'Cette adresse ne correspond à aucun reçu' }).waitFor();
  await check(page, 'recu-inconnu');
}

// Each group of a tracker on one line; how many lines they take.
async function groupsWhole(groups) {
  const tops = new Set();
  assert.ok(await groups.count() > 1);
  for (let i = 0; i < await groups.count(); i++) {
    const rects = await groups.nth(i).evaluate((g) => g.getClientRects().length);
    assert.equal(rects, 1, `group ${i} is cut`);
    tops.add(Math.round((await groups.nth(i).boundingBox()).y));
  }
  return tops.size;
}

// On a phone: the header under a fifth of the first screen, the tracker
// wrapping between its groups, the support's number a tel: link.
export async function onAPhone(b, page, receiptUrl) {
  const phone = await newPage(b, { viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, storageState: await page.context().storageState() });
  await phone.goto(`${BASE}/vote/csa-ministere`);
  await phone.locator('#next:enabled').waitFor();
  const header = await phone.locator('header').boundingBox();
  assert.ok(header.height < 844 / 5, `header ${header.height}px high`);
  assert.match(await phone.locator('footer a[href^="tel:"]').getAttribute('href'), /^tel:\+?[0-9]+$/);
  await groupsWhole(phone.locator('#fp-text .group'));
  await check(phone, 'vote-telephone');
  await phone.goto(receiptUrl);
  assert.ok(await groupsWhole(phone.locator('#tracker .group')) > 1,
    'the tracker fits on one line: nothing to wrap');
  await check(phone, 'recu-telephone');
  await phone.context().close();
}

// Up to "Confirmer mon vote" in cap-attaches, the session ending just before:
// the login page, the choice kept in this tab.
async function expireAtConfirm(page, list, code) {
  await page.goto(`${BASE}/vote/cap-attaches`);
  await page.locator('#next:enabled').waitFor();
  await page.getByLabel(list).check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByLabel('Code de vote').fill(code);
  await page.getByLabel(/mon vote est définitif/).check();
  await confirmWithoutSession(page);
}

async function loginHere(page, who) {
  await page.getByLabel('Adresse électronique professionnelle').fill(who.email);
  await page.getByLabel('Mot de passe « élections »').fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/vote\/cap-attaches$/);
}

const storedKeys = (page, storage, prefix) => page.evaluate(([s, p]) =>
  Object.keys(globalThis[s]).filter((k) => k.startsWith(p)), [storage, prefix]);

// One voter's kept choice and receipt stay hers (security review of issue
// 23): V2's session expires at the confirmation and V1 logs in on the same
// tab: nothing of V2's choice is shown or left (V1 has voted: no ballot form
// either); V2 logging in again within ten minutes gets hers, not after, nor
// one kept under another voter's tag; V2
// opening V1's receipt keeps nothing of it on this device. v1 has V1's
// current password; receiptUrl is V1's receipt in cap-attaches.
export async function choiceStaysWithItsVoter(b, v1, receiptUrl) {
  const page = await newPage(b);
  const code = codeOf(V2.number);
  await login(page, V2, V2.password);
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await expireAtConfirm(page, 'Agir ensemble', code);
  assert.equal((await storedKeys(page, 'sessionStorage', 'votesrv-choice-')).length, 1);
  await loginHere(page, v1);
  await page.getByText('Vous avez déjà voté à ce scrutin').waitFor();
  assert.equal(await page.locator('#chosen').count(), 0);
  assert.equal(await page.getByText(/gardé sur cet appareil, est repris/).count(), 0);
  assert.deepEqual(await storedKeys(page, 'sessionStorage', 'votesrv-choice-'), []);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByRole('heading', { name: 'Bienvenue' }).waitFor();

  // V2 again, back within ten minutes: her choice; after ten, nothing
  await login(page, V2, V2.password);
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await expireAtConfirm(page, 'Agir ensemble', code);
  await loginHere(page, V2);
  await page.locator('#review-title').waitFor();
  assert.ok((await page.locator('#chosen').textContent()).startsWith('Agir ensemble'));
  assert.match(await page.locator('#vote-status').textContent(), /est repris/);
  // a choice kept under another voter's tag: not shown, forgotten
  await expireAtConfirm(page, 'Agir ensemble', code);
  await page.evaluate(() => {
    for (const k of Object.keys(sessionStorage).filter((x) => x.startsWith('votesrv-choice-'))) {
      sessionStorage.setItem(k.replace(/^votesrv-choice-[0-9a-f]{32}-/, `votesrv-choice-${'0'.repeat(32)}-`),
        sessionStorage.getItem(k));
      sessionStorage.removeItem(k);
    }
  });
  await loginHere(page, V2);
  await page.locator('#next:enabled').waitFor();
  assert.equal(await page.locator('input[name="choice"]:checked').count(), 0);
  assert.deepEqual(await storedKeys(page, 'sessionStorage', 'votesrv-choice-'), []);
  await expireAtConfirm(page, 'Agir ensemble', code);
  await page.evaluate(() => {
    for (const k of Object.keys(sessionStorage).filter((x) => x.startsWith('votesrv-choice-'))) {
      const kept = JSON.parse(sessionStorage.getItem(k));
      sessionStorage.setItem(k, JSON.stringify({ ...kept, at: kept.at - 11 * 60 * 1000 }));
    }
  });
  await loginHere(page, V2);
  await page.locator('#next:enabled').waitFor();
  assert.equal(await page.locator('#review').isHidden(), true);
  assert.equal(await page.locator('input[name="choice"]:checked').count(), 0);
  assert.equal(await page.locator('#vote-status').textContent(), '');

  // V1's receipt, opened by V2: shown, not kept as hers
  await page.goto(receiptUrl);
  await page.getByRole('heading', { name: 'Votre vote est enregistré' }).waitFor();
  assert.deepEqual(await storedKeys(page, 'localStorage', 'votesrv-receipt-'), []);
  await page.goto(`${BASE}/espace`);
  assert.equal(await page.getByRole('link', { name: 'Voir mon reçu (gardé sur cet appareil)' }).count(), 0);
  await page.context().close();
}
