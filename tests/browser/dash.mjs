// dash.mjs - the officers' dashboard as an observer (a délégué de liste) sees
// it, once the voters of the journey have voted: the figures read at a given
// time, account activation, turnout hour by hour as a chart drawn by the
// server (an SVG image with its title and description, the figures in a
// table), the incidents; no action, no staff login, no support console. In
// French and English, axe-clean, screenshots. Called from journey.mjs's close
// phase, before the officers close the vote.
import assert from 'node:assert/strict';
import { BASE, staffLogin, check, newPage } from './lib.mjs';

export async function dashboardObserver(b) {
  const page = await newPage(b);

  await staffLogin(page, 'o.blanc');
  await page.getByRole('heading', { name: 'Tableau de bord du bureau', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /Chiffres lus le \d+ \S+ \d{4} à \d\d:\d\d \(heure de Paris\)/);
  await page.getByRole('heading', { name: 'Activation des comptes' }).waitFor();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
  // the chart of a scrutin where the journey's voter voted: an image named by its title
  const cap = page.locator('section.turnout', { has: page.getByRole('heading', { name: /attachés/ }) });
  const chart = cap.getByRole('img', { name: /^Participation heure par heure — / });
  await chart.waitFor();
  assert.equal(await chart.locator('polyline.chart-line').count(), 1);
  assert.match(await chart.locator('desc').textContent(), /: 1 \/ \d+ \([\d,]+ %\) à la fin/);
  // its figures, in a table behind a disclosure
  await cap.getByText('Émargements heure par heure').click();
  const rows = cap.locator('details table tbody tr');
  assert.ok(await rows.count() >= 1);
  assert.equal(await rows.last().getByRole('cell').first().textContent(), '1');
  // read only: no action, no staff login
  assert.equal(await page.getByRole('button', { name: 'Clore le vote' }).count(), 0);
  assert.equal(await page.locator('form.action').count(), 0);
  assert.equal(await page.locator('#staff-alerts').count(), 0);
  await check(page, 'bureau-observateur');
  await page.goto(`${BASE}/gestion/bureau?lang=en`);
  await page.getByRole('heading', { name: "Officers' dashboard", level: 1 }).waitFor();
  await cap.getByRole('img', { name: /^Turnout hour by hour — / }).waitFor();
  await check(page, 'bureau-observateur-en');
  await page.goto(`${BASE}/gestion/bureau?lang=fr`);
  // the support console is not theirs
  await page.goto(`${BASE}/gestion/assistance`);
  await page.getByText('Cette page est réservée à un autre rôle.').waitFor();
  await page.context().close();
}
