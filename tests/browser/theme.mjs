// theme.mjs - the portal in the dsfr theme (the State's design system), run by
// journey.mjs's "theme" phase against a daemon test_portal.c restarted with
// "portal": {"theme": "dsfr"} after the voter phase (V1 has voted, V2 is
// activated and has not, V3 has a fresh activation link). Every voter page
// and the consoles' login and dashboard, on a desktop and a phone, with the
// keyboard only and without JavaScript: axe at zero, no CSP report, every
// /static/ file found, the DSFR's style sheet and Marianne font in use.
// Screenshots: build/screenshots/NN-dsfr-*.png. Nothing here casts a vote or
// changes an account: the close and results phases count what the voter
// phase cast.
import assert from 'node:assert/strict';
import { waitMail } from './mail.mjs';
import { BASE, MAIL, SHOTS, V2, check, browser, newPage, login, local, staffLogin, setShot, nextShot } from './lib.mjs';
import { auditLogPage } from './support.mjs';

// Every file the page loads from /static/ is there; the page is in DSFR.
function watchStatic(page) {
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/static/')) {
      assert.ok(r.status() < 400, `${r.url()}: ${r.status()}`);
    }
  });
}

async function isDsfr(page) {
  assert.equal(await page.locator('link[href="/static/dsfr.min.css"][integrity^="sha384-"]').count(), 1);
  assert.equal(await page.locator('header.fr-header').count(), 1);
  assert.equal(await page.locator('footer.fr-footer').count(), 1);
  const font = await page.evaluate(async () => {
    await document.fonts.ready;
    return [getComputedStyle(document.body).fontFamily, document.fonts.check('1rem Marianne')];
  });
  assert.match(font[0], /Marianne/);
  assert.equal(font[1], true, 'the Marianne font is loaded');
}

async function visit(page, path, name, status = 200) {
  const r = await page.goto(BASE + path);
  assert.equal(r.status(), status, path);
  await check(page, `dsfr-${name}`);
}

export async function themeWalk() {
  setShot(60);
  const b = await browser();

  // the public pages, on a desktop
  const page = await newPage(b, { viewport: { width: 1280, height: 900 } });
  watchStatic(page);
  await visit(page, '/', 'accueil');
  await isDsfr(page);
  await visit(page, '/aide', 'aide');
  await visit(page, '/accessibilite', 'accessibilite');
  await visit(page, '/plan-du-site', 'plan-du-site');
  await visit(page, '/urne', 'urne');
  await visit(page, '/resultats', 'resultats');
  await visit(page, '/acces', 'acces');
  await page.locator('altcha-widget input[type=checkbox]').waitFor();
  await visit(page, '/mot-de-passe-oublie', 'mot-de-passe-oublie');
  await visit(page, '/nulle-part', 'erreur', 404);
  assert.equal(await page.getByRole('alert').count(), 1);
  await visit(page, '/connexion?lang=en', 'login-en');
  await page.goto(`${BASE}/connexion?lang=fr`);

  // activation (V3's link from the support cell): a too short password is
  // refused field by field (the link stays valid)
  const act = await waitMail(MAIL, 'v3@ex.fr', /https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/);
  await page.goto(BASE + local(act.match[0]));
  await page.getByLabel('Mot de passe « élections »').fill('court');
  await page.getByLabel('Confirmez le mot de passe').fill('court');
  await page.getByLabel('Votre question défi').selectOption('0');
  await page.getByLabel('Réponse à la question défi').fill('Quimper');
  await page.getByRole('button', { name: 'Activer mon compte' }).click();
  const pw = page.getByLabel('Mot de passe « élections »');
  assert.equal(await pw.getAttribute('aria-invalid'), 'true');
  assert.match(await pw.getAttribute('class'), /fr-input--error/);
  await check(page, 'dsfr-activation-erreurs');

  // a wrong password: the DSFR's error alert
  await login(page, V2, 'pas le bon mot de passe');
  await page.locator('.fr-alert--error[role=alert]').waitFor();
  await check(page, 'dsfr-connexion-erreur');

  // the keyboard only: the skip links first, then the login form
  await page.goto(`${BASE}/connexion`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#contenu');
  await check(page, 'dsfr-lien-evitement');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'identifier');
  await page.keyboard.type(V2.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(V2.password);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await isDsfr(page);
  await check(page, 'dsfr-espace');
  // a scrutin V2 has not voted in: choose and review with the keyboard, not cast
  await page.goto(`${BASE}/vote/cap-attaches`);
  await page.locator('#next:enabled').waitFor();
  await check(page, 'dsfr-vote-choix');
  await page.locator('#c0').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#review-title').waitFor();
  await check(page, 'dsfr-vote-verification');
  await visit(page, '/compte', 'compte');
  await visit(page, '/code', 'code');

  // a phone: the menu and the language switch in view (the DSFR's mobile
  // menu is a dialog its script opens: the theme does without that script)
  const phone = await newPage(b, { viewport: { width: 390, height: 800 } });
  watchStatic(phone);
  await phone.goto(`${BASE}/`);
  await phone.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Se connecter' }).waitFor({ state: 'visible' });
  await phone.getByRole('link', { name: 'English' }).click();
  await phone.getByRole('heading', { name: 'Welcome' }).waitFor();
  await phone.getByRole('link', { name: 'Français' }).click();
  await check(phone, 'dsfr-telephone-accueil');
  // reflow (WCAG 1.4.10): at 320 CSS pixels nothing scrolls sideways
  await phone.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/connexion', '/urne', '/acces', '/gestion/connexion']) {
    await phone.goto(BASE + path);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 320), `${path} at 320 px`);
  }

  // without JavaScript: log in, the voting space, the vote page says why it
  // needs JavaScript, log out (screenshots: axe-core runs from outside the
  // page, which a context without JavaScript refuses; it checked these pages
  // above)
  const nojs = await newPage(b, { javaScriptEnabled: false });
  watchStatic(nojs);
  await login(nojs, V2, V2.password);
  await nojs.getByRole('heading', { name: 'Mon espace de vote' }).waitFor();
  await nojs.screenshot({ path: `${SHOTS}/${nextShot()}-dsfr-sans-js-espace.png`, fullPage: true });
  await nojs.goto(`${BASE}/vote/csa-ministere`);
  assert.match(await nojs.locator('main').innerText(), /cette étape a besoin de JavaScript/);
  assert.equal(await nojs.locator('form[action="/vote/csa-ministere"]').isHidden(), true);
  await nojs.screenshot({ path: `${SHOTS}/${nextShot()}-dsfr-sans-js-vote.png`, fullPage: true });
  await nojs.getByRole('button', { name: 'Se déconnecter' }).click();
  await nojs.getByRole('heading', { name: 'Bienvenue' }).waitFor();

  // the consoles: login and the dashboard (the auditor's: the officer and the
  // agent log in in other phases, and a TOTP code opens one session only)
  const staff = await newPage(b);
  watchStatic(staff);
  await visit(staff, '/gestion/connexion', 'console-connexion');
  await staffLogin(staff, 'p.garnier');
  const dashboard = staff.getByRole('heading', { name: 'Tableau de bord du bureau' });
  if (!(await dashboard.waitFor({ timeout: 5000 }).then(() => true, () => false))) {
    // test_portal's test_consoles used this account's code: the next one
    await staff.waitForTimeout(30000 - (Date.now() % 30000) + 500);
    await staffLogin(staff, 'p.garnier');
  }
  await dashboard.waitFor();
  await isDsfr(staff);
  await check(staff, 'dsfr-bureau');
  await auditLogPage(staff, 'dsfr-journal-audit');            // support.mjs
  await b.close();
}
