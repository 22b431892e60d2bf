// vote.mjs - the vote page (pg_vote.c): choose, review, type the vote code,
// confirm. The ballot is encrypted, proved and signed here; the form posts
// only the ballot and the code's authenticator. The choice and the code never
// leave this page.
import sodium from './libsodium-wrappers.mjs';
import { votesrvCrypto } from './votesrv-crypto.mjs';
import { codeParse } from './votecode.mjs';

const root = document.getElementById('vote');
const $ = (id) => document.getElementById(id);
const t = (fr, en) => (document.documentElement.lang === 'en' ? en : fr);

function showError(input, errId, text) {
  const err = $(errId);
  err.textContent = text;
  err.hidden = !text;
  if (input) {
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    if (text) input.focus();
  }
}

function chosenRadio() {
  return root.querySelector('input[name="choice"]:checked');
}

function toReview() {
  const r = chosenRadio();
  if (!r) {
    showError(root.querySelector('input[name="choice"]'), 'choice-err',
      t('Choisissez une liste ou le vote blanc.', 'Choose a list or a blank vote.'));
    return;
  }
  showError(null, 'choice-err', '');
  $('chosen').textContent = root.querySelector(`label[for="${r.id}"]`).textContent;
  $('step-choose').hidden = true;
  $('review').hidden = false;
  $('review-title').focus();
}

function toChoose() {
  $('review').hidden = true;
  $('step-choose').hidden = false;
  chosenRadio()?.focus();
}

async function confirmVote() {
  const code = $('code');
  const parsed = codeParse(code.value);
  if (parsed.status !== 'ok') {
    showError(code, 'code-err', parsed.status === 'typo'
      ? t('Le code saisi comporte une faute de frappe. Vérifiez-le sur votre notice.',
        'The code you typed has a typo. Check it against your notice.')
      : t('Ce n\'est pas un code de vote : il compte 28 caractères, en 7 groupes de 4.',
        'This is not a vote code: it has 28 characters, in 7 groups of 4.'));
    return;
  }
  showError(code, 'code-err', '');
  if (!$('final').checked) {
    showError($('final'), 'final-err', t('Cochez cette case pour confirmer.',
      'Tick this box to confirm.'));
    return;
  }
  showError($('final'), 'final-err', '');
  const status = $('vote-status');
  const button = $('confirm');
  button.disabled = true;
  status.textContent = t('Chiffrement de votre bulletin sur votre appareil…',
    'Encrypting your ballot on your device…');
  try {
    await sodium.ready;
    const vc = votesrvCrypto(sodium);
    const d = root.dataset;
    const k = Number(d.k);
    const value = chosenRadio().value;
    const choices = Array.from({ length: k }, (_, i) => (String(i) === value ? 1 : 0));
    const sc = { fp: sodium.from_hex(d.fp), pk: sodium.from_hex(d.pk), scrutinId: d.scrutin,
      min: Number(d.min), max: Number(d.max) };
    const ballot = vc.ballotCreate(sc, choices, vc.credential(d.eid, parsed.code),
      vc.systemRandom);
    const cast = $('cast');
    cast.elements.ballot.value = JSON.stringify(vc.ballotJson(ballot, sc.fp));
    cast.elements.authenticator.value = sodium.to_hex(vc.authenticator(d.eid, parsed.code));
    code.value = '';
    status.textContent = t('Envoi de votre bulletin chiffré…', 'Sending your encrypted ballot…');
    cast.submit();
  } catch (e) {
    button.disabled = false;
    status.textContent = t('Le chiffrement a échoué ; rien n\'a été envoyé. Rechargez la page.',
      'Encryption failed; nothing was sent. Reload the page.');
  }
}

if (root) {
  $('next').disabled = false;
  $('next').addEventListener('click', toReview);
  $('change').addEventListener('click', toChoose);
  $('confirm').addEventListener('click', confirmVote);
  $('code').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      confirmVote();
    }
  });
}
