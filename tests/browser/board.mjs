// board.mjs - the public ballot box as anyone walks it: the list of every
// tracker of a scrutin (by tracker, never by arrival), its pages, the lookup
// naming the scrutin, and the archive's link, in French and English, with and
// without JavaScript (check() and axe need it: the pages have no script of their
// own). Called from journey.mjs (voter phase, then results phase).
import assert from 'node:assert/strict';
import { BASE, newPage, check } from './lib.mjs';

const CAP = 'Commission administrative paritaire des attachés';

// The trackers a list page shows, in its order.
async function listed(page) {
  return (await page.locator('ul.trackers code').allTextContents()).map((t) => t.trim());
}

// While voting is open: the list has the voter's ballot once published, the
// archive's link says when the archive will exist instead of leading to an error.
export async function boardWhileOpen(b, state) {
  const page = await newPage(b);
  await page.goto(`${BASE}/urne`);
  await page.getByRole('heading', { name: "Tous les bulletins de l'urne" }).waitFor();
  await page.getByText(/sera publiée ici à la clôture du vote, après la fin du scrutin le/).waitFor();
  assert.equal(await page.locator('a[href="/api/v1/archive"]').count(), 0);
  // keyboard: the scrutin's link is reached with Tab and followed with Enter
  const link = page.getByRole('link', { name: CAP });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Numéros de suivi du scrutin' }).waitFor();
  await page.getByText(CAP).first().waitFor();
  const shown = await listed(page);
  assert.deepEqual(shown, [...shown].sort(), 'by tracker');
  for (const t of shown) assert.match(t, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){12}$/);
  assert.ok(shown.includes(state.trackers['cap-attaches']), 'the ballot cast is listed (1 s batches)');
  assert.equal(await page.getByRole('link', { name: 'Page suivante' }).count(), 0);
  await check(page, 'urne-liste');
  await page.context().close();
}

// After the count: every tracker is listed, the lookup names the scrutin and
// shows the receipt's grouped form, the archive is a link; English too.
export async function boardAfterCount(b, state) {
  const page = await newPage(b);
  const tracker = state.trackers['cap-attaches'];
  await page.goto(`${BASE}/urne`);
  await page.getByRole('link', { name: /Archive complète de l'élection/ }).waitFor();
  await page.getByRole('link', { name: CAP }).click();
  await page.getByRole('heading', { name: 'Numéros de suivi du scrutin' }).waitFor();
  const shown = await listed(page);
  assert.ok(shown.includes(tracker), `${tracker} is listed`);
  assert.deepEqual(shown, [...shown].sort(), 'by tracker');
  // after the last one: nothing more, and the ways back (the page before it,
  // the first page)
  await page.goto(`${BASE}/urne/cap-attaches?apres=${shown[shown.length - 1]}`);
  await page.getByText('Aucun bulletin publié après ce numéro de suivi.').waitFor();
  const pages = page.getByRole('navigation', { name: 'Pages de la liste' });
  await check(page, 'urne-liste-apres');
  await pages.getByRole('link', { name: 'Page précédente' }).click();
  await page.getByText('Bulletins avant le numéro de suivi').waitFor();
  assert.deepEqual(await listed(page), shown.slice(Math.max(0, shown.length - 101), -1));
  await check(page, 'urne-liste-avant');
  await pages.getByRole('link', { name: 'Première page' }).click();
  assert.deepEqual(await listed(page), shown);
  // the lookup, typed in lower case
  await page.goto(`${BASE}/urne`);
  await page.getByLabel('Numéro de suivi').fill(tracker.toLowerCase());
  await page.getByRole('button', { name: 'Vérifier' }).click();
  await page.getByText('Ce bulletin est dans l\'urne.').waitFor();
  assert.equal((await page.locator('main dl dd').first().textContent()).trim(), CAP);
  assert.equal((await page.locator('main dl dd code').textContent()).trim(), tracker);
  await check(page, 'urne-recherche');
  await page.goto(`${BASE}/urne/cap-attaches?lang=en`);
  await page.getByRole('heading', { name: 'Tracking numbers of the scrutin' }).waitFor();
  assert.ok((await listed(page)).includes(tracker));
  await check(page, 'urne-liste-en');
  await page.context().close();

  // without JavaScript: the lookup form and the list's links work the same
  const nojs = await newPage(b, { javaScriptEnabled: false });
  await nojs.goto(`${BASE}/urne`);
  await nojs.getByLabel('Numéro de suivi').fill(tracker);
  await nojs.getByRole('button', { name: 'Vérifier' }).click();
  await nojs.getByText('Ce bulletin est dans l\'urne.').waitFor();
  await nojs.getByRole('link', { name: CAP }).click();
  assert.ok((await listed(nojs)).includes(tracker));
  await nojs.goto(`${BASE}/urne/cap-attaches?apres=${tracker}`);
  await nojs.getByRole('link', { name: 'Première page' }).click();
  assert.ok((await listed(nojs)).includes(tracker));
  await nojs.context().close();
}
