// account.mjs - the voter's own history in « Mon compte », the « Données
// personnelles » page and what the mails and the box lookup say (issue 23,
// "The voter's own history", "Messages that tell the truth", "Personal data,
// said plainly"). Called by journey.mjs in the voter phase, logged in as V1
// after her two votes and her code reissue.
import assert from 'node:assert/strict';
import { mailsTo } from './mail.mjs';
import { BASE, MAIL, V1, check } from './lib.mjs';

// « Mon compte »: the history, oldest first, in Paris time, with the votes
// by scrutin title and never a tracker. Ends on /compte, in French.
export async function accountHistory(page, trackers) {
  await page.goto(`${BASE}/compte`);
  const hist = page.locator('section', { has: page.getByRole('heading', { name: 'Historique de mon compte' }) });
  await hist.waitFor();
  const items = (await hist.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  const at = (re) => {
    const i = items.findIndex((t) => re.test(t));
    assert.ok(i >= 0, `history: no ${re} in ${JSON.stringify(items)}`);
    return i;
  };
  const sent = at(/lien d'activation envoyé à vos adresses professionnelles/);
  const activated = at(/compte activé/);
  const asked = at(/nouveau code de vote demandé$/);
  const made = at(/nouveau code de vote établi/);
  const votedCap = at(/a voté au scrutin « .*attachés.* »/);
  const votedCsa = at(/a voté au scrutin « Comité social.* »/);
  assert.ok(sent < activated && activated < votedCap && votedCap < asked && asked < made &&
            made < votedCsa, `history order: ${JSON.stringify(items)}`);
  for (const t of items) assert.match(t, /^\d{1,2} \S+ \d{4} à \d{2}:\d{2} — /);
  const text = await page.locator('main').innerText();
  for (const t of Object.values(trackers)) {
    assert.ok(!text.includes(t) && !text.includes(t.replace(/-/g, '')), 'a tracker in the account page');
  }
  assert.doesNotMatch(text, /Agir ensemble|Syndicat B/);        // never a choice
  await check(page, 'compte-historique');
  // a wrong current password keeps the défi answers and the question typed
  const defi = page.locator('form[action="/compte/defi"]');
  await defi.getByLabel('Mot de passe actuel').fill('pas le bon mot de passe');
  await defi.locator('#f-defi_current').fill(V1.answer);
  await defi.getByLabel('Votre question défi').selectOption('5');
  await defi.getByLabel('Nouvelle réponse').fill('Les Misérables');
  await defi.getByRole('button').click();
  const after = page.locator('form[action="/compte/defi"]');
  await after.locator('#f-defi_password[aria-invalid="true"]').waitFor();
  assert.equal(await after.locator('#f-defi_current').inputValue(), V1.answer);
  assert.equal(await after.getByLabel('Votre question défi').inputValue(), '5');
  assert.equal(await after.getByLabel('Nouvelle réponse').inputValue(), 'Les Misérables');
  assert.equal(await after.getByLabel('Mot de passe actuel').inputValue(), '');
}

// « Données personnelles »: from every footer, controller and officer from
// the configuration, the retention date, and exactly the cookies the portal set.
export async function personalData(page) {
  await page.goto(BASE);
  await page.getByRole('contentinfo').getByRole('link', { name: 'Données personnelles' }).click();
  await page.getByRole('heading', { name: 'Données personnelles', level: 1 }).waitFor();
  const main = page.locator('main');
  await main.getByText('Ministère de l\'Exemple').waitFor();
  await main.getByRole('link', { name: 'dpd@ex.gouv.fr' }).waitFor();
  assert.equal(await main.getByRole('link', { name: 'dpd@ex.gouv.fr' }).getAttribute('href'),
    'mailto:dpd@ex.gouv.fr');
  await main.getByText(/contre l'élection, le \d+ \S+ \d{4} à \d{2}:\d{2} \(heure de Paris\)\. Ensuite, la purge/).waitFor();
  await main.getByRole('heading', { name: 'Vos droits et comment les exercer' }).waitFor();
  const listed = await main.locator('table tbody th code').allInnerTexts();
  const set = (await page.context().cookies()).map((c) => c.name);
  assert.ok(set.length >= 2, `cookies set: ${set}`);
  for (const name of set) assert.ok(listed.includes(name), `cookie ${name} set but not listed`);
  await check(page, 'donnees-personnelles');
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Personal data', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Your rights and how to use them' }).waitFor();
  await check(page, 'personal-data-en');
  await page.getByRole('link', { name: 'Français' }).click();
  // the FAQ answers who sees what, and links here
  await page.goto(`${BASE}/aide`);
  await page.getByRole('heading', { name: 'Qui voit quoi de mes données ?' }).waitFor();
  await page.locator('main').getByRole('link', { name: 'Données personnelles' }).waitFor();
}

// The activation mail: the page above, a Paris time, and no more "never
// mailed" (a reissued code is mailed by the authority).
export function activationMail() {
  const m = mailsTo(MAIL, V1.email).find((x) => /activation\?t=/.test(x.text));
  assert.ok(m, 'no activation mail');
  assert.match(m.text, /\/donnees-personnelles/);
  assert.match(m.text, /\(heure de Paris\)/);
  assert.doesNotMatch(m.text, /jamais\s+envoyé/);
  assert.match(m.text, /\(organisateur : /);
}

// The box lookup names a one-symbol typo (an O for a 0) and a wrong length.
export async function trackerTypos(page, tracker) {
  const i = tracker.search(/[0-9]/);
  const typo = tracker.slice(0, i) + 'O' + tracker.slice(i + 1);
  const pos = tracker.slice(0, i + 1).replace(/-/g, '').length;
  await page.goto(`${BASE}/urne?tracker=${encodeURIComponent(typo)}`);
  await page.getByRole('alert').filter({ hasText: `Le caractère « O » (position ${pos})` }).waitFor();
  await check(page, 'urne-faute-de-frappe');
  await page.goto(`${BASE}/urne?tracker=${encodeURIComponent(tracker.slice(0, -1))}`);
  await page.getByRole('alert').filter({ hasText: 'vous en avez saisi 51' }).waitFor();
}

// A link already used says so when opened, before any form is filled.
export async function deadLinks(page) {
  const m = mailsTo(MAIL, V1.email).find((x) => /activation\?t=/.test(x.text));
  const link = m.text.match(/https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/)[0];
  const u = new URL(link);
  await page.goto(BASE + u.pathname + u.search);
  await page.getByRole('alert').filter({ hasText: 'Ce lien a déjà servi' }).waitFor();
  assert.equal(await page.locator('form input[name="password"]').count(), 0);
  await page.getByRole('main').getByRole('link', { name: 'Se connecter' }).waitFor();
  await check(page, 'lien-deja-utilise');
}
