// demo.mjs - the README's "Vote in the demo", step by step, in Chromium, on
// a fresh `votectl demo` (tests/test_demo.c starts it and its daemon): the
// voter and code as votectl printed them (VOTESRV_DEMO_OUT), the activation
// link from the demo's mailbox page, activation, login, a vote, the receipt,
// the tracker in the public box. Every page axe-clean (lib.mjs check).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, env, check, browser, newPage, currentPage, setShot } from './lib.mjs';

const printed = readFileSync(env('VOTESRV_DEMO_OUT'), 'utf8');
const portal = printed.match(/portal: +(http:\/\/\S+)\//)[1];
const [, email, code] = printed.match(/a voter: +(\S+@\S+), vote code ([0-9A-Z-]+)/);
const mailPage = printed.match(/their mail: +(http:\/\/\S+\/demo\/courrier)/)[1];
const password = 'une phrase de démonstration';

async function walk() {
  assert.equal(portal, BASE);
  assert.equal(mailPage, `${BASE}/demo/courrier`);
  setShot(80);
  const b = await browser();
  const page = await newPage(b);

  // 1. the portal, and its link to the demo's mail
  await page.goto(`${portal}/`);
  await check(page, 'demo-accueil');
  await page.getByRole('link', { name: 'Courrier de la démonstration' }).click();
  await page.getByRole('heading', { name: 'Courrier de la démonstration' }).waitFor();
  assert.equal(page.url(), mailPage);

  // 2. the voter's messages: the activation mail and its link (the daemon
  //    writes the mails just after it starts: reload until it is there)
  let link;
  for (let i = 0; i < 50 && !link; i++) {
    await page.getByLabel('Adresse du destinataire').fill(email);
    await page.getByRole('button', { name: 'Afficher ses messages' }).click();
    const row = page.getByRole('row', { name: /activez votre compte de vote/ });
    if (await row.count() > 0) link = row.getByRole('link', { name: /\/activation\?t=/ }).first();
    else await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(link, 'no activation mail on the mailbox page');
  await check(page, 'demo-courrier');
  await page.getByRole('cell', { name: email }).first().waitFor();
  await link.click();

  // 3. activation: password, défi question and answer
  await page.getByLabel('Mot de passe « élections »').fill(password);
  await page.getByLabel('Confirmez le mot de passe').fill(password);
  await page.getByLabel('Votre question défi').selectOption({ index: 1 });
  await page.getByLabel('Réponse à la question défi').fill('une réponse de démonstration');
  await check(page, 'demo-activation');
  await page.getByRole('button', { name: 'Activer mon compte' }).click();
  await page.getByText('Votre compte est activé').waitFor();

  // 4. log in: the voting space
  await page.goto(`${portal}/connexion`);
  await page.getByLabel('Adresse électronique professionnelle').fill(email);
  await page.getByLabel('Mot de passe « élections »').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('link', { name: /Voter.*CAP des attachés/ }).waitFor();
  await check(page, 'demo-espace');

  // 5. vote with the printed code
  await page.getByRole('link', { name: /Voter.*CAP des attachés/ }).click();
  await page.getByLabel(/Liste A/).check();
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.getByText('Vous avez choisi :').waitFor();
  await page.getByLabel('Code de vote').fill(code);
  await page.getByLabel(/mon vote est définitif/).check();
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();

  // 6. the receipt, and the tracker in the public box
  await page.getByRole('heading', { name: 'Votre vote est enregistré' }).waitFor();
  const tracker = (await page.locator('#tracker').textContent()).trim();
  assert.ok(tracker.length > 20, 'a tracker on the receipt');
  await check(page, 'demo-recu');
  await page.getByRole('link', { name: "Vérifier mon bulletin dans l'urne" }).click();
  await page.getByText('Ce bulletin est dans l\'urne.').waitFor();

  // the mailbox page in English, for a voter with no message
  const en = await newPage(b);
  await en.goto(`${portal}/demo/courrier?lang=en&a=nobody%40demo.example`);
  await en.getByRole('heading', { name: "The demo's mail" }).waitFor();
  await en.getByText('No message yet.').waitFor();
  await check(en, 'demo-mail-en');
  await b.close();
}

try {
  await walk();
} catch (e) {
  console.error(`demo: ${e.message.slice(0, 1500)}`);
  const current = currentPage();
  if (current && !current.isClosed()) {
    const text = await current.locator('main').innerText().catch(() => '');
    console.error(`at ${current.url()}:\n${text.slice(0, 1500)}`);
  }
  process.exit(1);
}
