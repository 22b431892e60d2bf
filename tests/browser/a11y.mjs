// a11y.mjs - accessibility beyond axe (docs/accessibility.md): the
// accessibility statement, linked from every page's footer, whose rate is the
// audit grid's; the site map, every link of which leads somewhere; reflow at
// 320 CSS pixels (RGAA 10.11) on the pages of a voter's journey; the skip link
// first in the tab order; the ALTCHA widget's states said in a status message
// and its drawings hidden from assistive technologies.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { BASE, SHOTS, check, newPage } from './lib.mjs';

// The audit grid's totals: rows "| 1.1 | ... | C |", status C, NC or NA.
function gridTotals() {
  const grid = readFileSync(new URL('../../docs/accessibility.md', import.meta.url), 'utf8');
  const t = { C: 0, NC: 0, NA: 0 };
  for (const line of grid.split('\n')) {
    const m = line.match(/^\| *(\d+)\.(\d+) *\|[^|]*\| *(C|NC|NA) *\|/);
    if (m) t[m[3]] += 1;
  }
  assert.equal(t.C + t.NC + t.NA, 106, 'the grid holds the 106 criteria of RGAA 4.1');
  return t;
}

// No horizontal scrolling at 320 CSS pixels wide (RGAA 10.11, WCAG 1.4.10).
// The page's source is kept in SHOTS/html/ for a markup check (RGAA 8.2:
// docs/accessibility.md says how).
async function reflows(page, path) {
  const res = await page.goto(`${BASE}${path}`);
  mkdirSync(`${SHOTS}/html`, { recursive: true });
  writeFileSync(`${SHOTS}/html/${path.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'accueil'}.html`,
    await res.text());
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 320, `${path}: ${wide} pixels wide at 320`);
}

// voter: a page of a logged-in voter (its viewport is put back).
export async function accessibility(b, voter) {
  const page = await newPage(b);

  // every page's footer links to the statement, whose state it says
  for (const path of ['/', '/connexion', '/urne', '/aide']) {
    await page.goto(`${BASE}${path}`);
    assert.equal(await page.locator('footer a[href="/accessibilite"]').innerText(),
      'Accessibilité : partiellement conforme');
  }
  await page.locator('footer').getByRole('link', { name: 'Accessibilité : partiellement conforme' }).click();
  await page.getByRole('heading', { name: "Déclaration d'accessibilité", level: 1 }).waitFor();
  const t = gridTotals();
  const rate = Math.round((100 * t.C) / (t.C + t.NC));
  const text = await page.locator('main').innerText();
  assert.ok(text.includes(`révèle que ${rate} % des critères du RGAA version 4.1 sont respectés : `
    + `${t.C} critères conformes et ${t.NC} non conformes sur les ${t.C + t.NC} qui s'appliquent `
    + `au portail (${t.NA} critères ne s'y appliquent pas)`), text);
  assert.equal(await page.locator('main li').filter({ hasText: /^Critère \d+\.\d+/ }).count(), t.NC);
  for (const h of ['État de conformité', 'Contenus non accessibles', 'Établissement de cette déclaration',
    "Retour d'information et contact", 'Voies de recours']) {
    await page.getByRole('heading', { name: h, level: 2 }).waitFor();
  }
  assert.match(text, /partiellement conforme avec le référentiel général d'amélioration de l'accessibilité \(RGAA\), version 4\.1/);
  assert.match(text, /Chromium/);
  assert.match(text, /axe-core/);
  assert.match(text, /clavier/);
  assert.equal(await page.locator('main a[href="mailto:support-elections@exemple.gouv.fr"]').count(), 1);
  assert.equal(await page.locator('main a[href^="tel:+33"]').count(), 1);
  assert.equal(await page.locator('main a[href="https://formulaire.defenseurdesdroits.fr/"]').count(), 1);
  assert.match(text, /Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07/);
  // the keyboard: the skip link comes first and leads to the content
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#contenu');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
  await check(page, 'accessibilite');
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Accessibility statement', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), new RegExp(`shows that ${rate}% of the RGAA 4.1 criteria are met`));
  assert.equal(await page.locator('footer a[href="/accessibilite"]').innerText(), 'Accessibility: partially compliant');
  await check(page, 'accessibility-en');
  await page.getByRole('link', { name: 'Français' }).click();

  // the site map: a second way to every page, each of which answers
  await page.locator('footer').getByRole('link', { name: 'Plan du site' }).click();
  await page.getByRole('heading', { name: 'Plan du site', level: 1 }).waitFor();
  const links = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.length >= 10, links.join(' '));
  for (const href of links) {
    const r = await page.request.get(`${BASE}${href}`);
    assert.equal(r.status(), 200, href);
  }
  await check(page, 'plan-du-site');

  // the ALTCHA widget: its states said, its spinner hidden, and still if asked
  await page.goto(`${BASE}/acces`);
  const spins = () => page.evaluate(() => {
    const box = document.createElement('div');
    box.className = 'altcha';
    box.innerHTML = '<svg class="altcha-spinner"></svg>';
    document.body.append(box);
    const name = getComputedStyle(box.firstChild).animationName;
    box.remove();
    return name;
  });
  assert.equal(await spins(), 'altcha-spinner');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await spins(), 'none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  const status = page.locator('altcha-widget + p[role="status"]');
  assert.equal(await status.count(), 1);
  await page.locator('altcha-widget input[type=checkbox]').click();
  await page.locator('altcha-widget [data-state="verified"]').waitFor({ timeout: 30000 });
  assert.match(await status.textContent(), /Vérification anti-robot terminée/);
  assert.equal(await page.locator('altcha-widget svg:not([aria-hidden="true"])').count(), 0);

  // reflow at 320 pixels, public pages and the voter's
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/acces', '/connexion', '/urne', '/aide', '/resultats', '/accessibilite', '/plan-du-site']) {
    await reflows(page, path);
  }
  await check(page, 'plan-du-site-320');
  await page.close();
  const size = voter.viewportSize();
  await voter.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/espace', '/compte', '/code', '/vote/cap-attaches']) {
    await reflows(voter, path);
  }
  await voter.setViewportSize(size);
}
