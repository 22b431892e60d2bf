// support.mjs - the support cell and the auditors in Chromium (issue 23):
// a wrong one-time code said as such; a voter's file with its history from
// the audit log and only the actions that apply; an action confirmed on a
// second page (Annuler changes nothing) and said to be queued, not
// delivered; the auditors' log with its verified chain and its filters.
// Called by journey.mjs in the voter phase, once V1 has voted in both of
// their scrutins. The consoles run no script: every step here is a plain
// form or link, so they work without JavaScript.
import assert from 'node:assert/strict';
import { waitMail } from './mail.mjs';
import { BASE, MAIL, staffLogin, check, newPage } from './lib.mjs';

const TOTP_WRONG = 'Code à usage unique incorrect ou déjà utilisé';

// Log in; if this 30-second step's code was used already (test_portal.c's
// own logins), wait for the next step and log in again.
async function freshLogin(page, login, landing) {
  await staffLogin(page, login);
  const where = page.getByRole('heading', { name: landing });
  const used = page.getByRole('alert').filter({ hasText: TOTP_WRONG });
  await where.or(used).waitFor();
  if (await used.isVisible()) {
    await page.waitForTimeout(30000 - (Date.now() % 30000) + 1000);
    await staffLogin(page, login);
    await where.waitFor();
  }
}

// Hugo Durand (V3) never got his link; the agent sends one, confirming it.
async function supportCell(b) {
  const staff = await newPage(b);
  await staff.goto(`${BASE}/gestion`);
  await staff.getByRole('heading', { name: 'Console de gestion : connexion' }).waitFor();
  await staffLogin(staff, 'c.lemoine', true);             // the right password, a wrong code
  await staff.getByRole('alert').filter({ hasText: TOTP_WRONG }).waitFor();
  assert.doesNotMatch(await staff.locator('main').innerText(), /Identifiant ou mot de passe incorrect/);
  await check(staff, 'console-code-incorrect');
  await freshLogin(staff, 'c.lemoine', "Cellule d'assistance");
  await staff.getByLabel(/Nom, numéro d'électeur/).fill('dur');
  await staff.getByRole('button', { name: 'Rechercher' }).click();
  await check(staff, 'assistance');
  await staff.getByRole('link', { name: 'V3' }).click();
  await staff.getByRole('heading', { name: "Dossier d'un électeur" }).waitFor();
  const status = await staff.locator('dl.status').innerText();
  assert.match(status, /Compte activé\s+non/);
  assert.match(status, /Courriels en attente d'envoi\s+aucun/);
  // not activated: no défi to reset, nothing locked; said why
  assert.equal(await staff.getByRole('button', { name: 'Réinitialiser le défi' }).count(), 0);
  assert.equal(await staff.getByRole('button', { name: 'Débloquer' }).count(), 0);
  await staff.getByText('Réinitialiser le défi : aucun défi choisi.').waitFor();
  await staff.getByRole('table', { name: /Historique tiré du journal d'audit/ }).waitFor();

  const supportLinks = () => staff.getByRole('cell', { name: 'Assistance : nouveau lien' }).count();
  const earlier = await supportLinks();                      // test_portal.c's own
  const before3 = (await waitMail(MAIL, 'v3@ex.fr', /activation\?t=/)).n;
  const link = staff.locator('form', { has: staff.getByRole('button', { name: 'Envoyer un nouveau lien' }) });
  await link.getByRole('button').click();                    // no reason: refused
  await staff.getByText("Indiquez le motif de l'action").waitFor();
  assert.equal(await staff.locator('#r-lien').getAttribute('aria-invalid'), 'true');
  await check(staff, 'assistance-dossier');
  const reason = 'Appel du 24/11 : lien jamais reçu';
  await staff.locator('#r-lien').fill(reason);
  await link.getByRole('button').click();
  // the confirmation: what, to whom, why; Annuler does nothing
  await staff.getByRole('heading', { name: 'Confirmer : envoyer un nouveau lien à V3 (Durand Hugo)' }).waitFor();
  await staff.getByText(reason).waitFor();
  await check(staff, 'assistance-confirmation');
  await staff.getByRole('link', { name: 'Annuler' }).click();
  await staff.getByRole('heading', { name: "Dossier d'un électeur" }).waitFor();
  assert.equal(await supportLinks(), earlier);
  await staff.locator('#r-lien').fill(reason);
  await link.getByRole('button').click();
  await staff.getByRole('button', { name: 'Confirmer' }).click();
  // done, and said to be queued rather than delivered
  await staff.getByRole('status').filter({ hasText: "Fait : un nouveau lien d'activation est en file d'envoi" }).waitFor();
  assert.match(await staff.getByRole('status').first().innerText(), /pas encore remis/);
  assert.equal(await supportLinks(), earlier + 1);
  const row = staff.getByRole('row', { name: /Assistance : nouveau lien/ }).first();   // newest first
  assert.match(await row.innerText(), /c\.lemoine/);
  assert.match(await row.innerText(), /lien jamais reçu/);
  await check(staff, 'assistance-fait');
  await waitMail(MAIL, 'v3@ex.fr', /https?:\/\/\S+\/activation\?t=[A-Za-z0-9_-]+/, before3);

  // Camille Martin (V1) voted in both scrutins: no new vote code offered
  await staff.goto(`${BASE}/gestion/assistance/V1`);
  await staff.getByRole('heading', { name: "Dossier d'un électeur" }).waitFor();
  assert.equal(await staff.getByRole('button', { name: 'Envoyer un nouveau code de vote' }).count(), 0);
  await staff.getByText("Envoyer un nouveau code de vote : l'électeur a voté dans chacun de ses scrutins.").waitFor();
  await staff.goto(`${BASE}/gestion/bureau`);                // not the agent's console
  await staff.getByText('Cette page est réservée à un autre rôle.').waitFor();
  await staff.goto(`${BASE}/gestion/journal`);
  await staff.getByText('Cette page est réservée à un autre rôle.').waitFor();
}

// The auditor reads the log: the chain verified, then the support action
// found by kind and voter number, with its reason.
async function auditors(b) {
  const page = await newPage(b);
  await freshLogin(page, 'p.garnier', 'Tableau de bord du bureau');
  await page.getByRole('link', { name: "Journal d'audit" }).click();
  await auditLogPage(page, 'journal-audit');
  await page.getByLabel("Type d'événement").selectOption('support-link');
  await page.getByLabel("Numéro d'électeur").fill('V3');
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  await page.getByLabel('Du (inclus)').fill(today);
  await page.getByRole('button', { name: 'Appliquer' }).click();
  const rows = page.locator('table.log tbody tr');
  await rows.first().waitFor();
  for (const r of await rows.all()) {
    const text = await r.innerText();
    assert.match(text, /support-link/);
    assert.match(text, /V3/);
  }
  await page.getByRole('row', { name: /lien jamais reçu/ }).first().waitFor();
  await check(page, 'journal-audit-filtre');
  const exported = await page.request.get(`${BASE}/gestion/journal/export`);
  assert.equal(exported.status(), 200);
  assert.equal((await exported.body()).subarray(0, 15).toString(), 'SQLite format 3');
}

export async function supportAndAuditors(b) {
  await supportCell(b);
  await auditors(b);
}

// The auditor's log page as it stands (also in the other theme: theme.mjs),
// from a page logged in as the auditor.
export async function auditLogPage(page, name) {
  await page.goto(`${BASE}/gestion/journal`);
  await page.getByRole('heading', { name: "Journal d'audit", level: 1 }).waitFor();
  await page.getByRole('status').filter({ hasText: /Chaîne vérifiée jusqu'à l'entrée \d+/ }).waitFor();
  await check(page, name);
}
