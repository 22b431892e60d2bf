// vote.mjs - the vote page (page_vote.c): choose, review, type the vote code,
// confirm. The ballot is encrypted, proved and signed here; the form posts
// only the ballot and the code's authenticator. The choice and the code never
// leave this page, except the choice, kept in this tab (sessionStorage) just
// before the ballot is sent: if the session has expired, the login brings the
// voter back here and the choice comes back once (never the code, which is
// typed again, nor the ballot or its authenticator). It is kept under the
// voter's opaque tag (data-who) for ten minutes: another voter logging in on
// this tab never gets it. Every kept choice is forgotten when a vote page is
// shown (after this one's is read), when voting is not allowed here (no
// #vote), and on logging out. Also kept in this tab: the tracker of the
// ballot sent, for receipt.mjs to keep only that receipt on this device.
import sodium from './libsodium-wrappers.mjs';
import { votesrvCrypto } from './votesrv-crypto.mjs';
import { codeParse } from './votecode.mjs';
import { electionCheck } from './votesrv-election.mjs';

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

// The step shown (1 choose, 2 check, 3 code), marked for assistive technology.
function step(n) {
  const items = document.querySelectorAll('#steps li');
  items.forEach((li, i) => {
    if (i + 1 === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
}

const KEPT_MS = 10 * 60 * 1000;
const keptKey = () => `votesrv-choice-${root.dataset.who}-${root.dataset.scrutin}`;

// Every choice kept in this tab, whoever's, and the tracker of a ballot sent
// that did not reach the box (a cast that did goes to its receipt, not here).
function forgetChoices() {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k !== null && (k.startsWith('votesrv-choice-') || k.startsWith('votesrv-cast-')))
        sessionStorage.removeItem(k);
    }
  } catch (e) {
    // storage refused: nothing was kept
  }
}

function keepChoice(value, tracker) {
  try {
    forgetChoices();
    sessionStorage.setItem(keptKey(), JSON.stringify({ value, at: Date.now() }));
    sessionStorage.setItem(`votesrv-cast-${root.dataset.who}-${root.dataset.scrutin}`, tracker);
  } catch (e) {
    // storage refused: the login page still says nothing was recorded
  }
}

// This voter's choice kept before a cast that did not reach the box, less
// than ten minutes ago, read once; every kept choice is then forgotten.
function keptChoice() {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(keptKey()) || 'null');
  } catch (e) {
    kept = null;
  }
  forgetChoices();
  const age = kept === null ? NaN : Date.now() - Number(kept.at);
  return typeof kept?.value === 'string' && age >= 0 && age < KEPT_MS ? kept.value : null;
}

// The canonical form of a ballot's JSON (ballot_json.h: sorted keys, no
// white space) and its tracker, Hb("votesrv/v1/tracker"; canonical form), as
// the receipt writes it (Crockford base32 in groups of 4: ballot_json.c).
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function trackerText(t) {
  const b32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let bits = '';
  for (const x of t) bits += x.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  const syms = bits.match(/.{5}/g).map((g) => b32[parseInt(g, 2)]).join('');
  return syms.match(/.{1,4}/g).join('-');
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
  step(2);
  $('review-title').focus();
}

function toChoose() {
  $('review').hidden = true;
  $('step-choose').hidden = false;
  step(1);
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
    const ballot = vc.ballotCreate(sc, choices, vc.credential(d.eid, parsed.code, d.scrutin),
      vc.systemRandom);
    const cast = $('cast');
    const json = vc.ballotJson(ballot, sc.fp);
    cast.elements.ballot.value = JSON.stringify(json);
    cast.elements.authenticator.value = sodium.to_hex(vc.authenticator(d.eid, parsed.code));
    code.value = '';
    keepChoice(value, trackerText(vc.hb('votesrv/v1/tracker', [canonical(json)])));
    status.textContent = t('Envoi de votre bulletin chiffré…', 'Sending your encrypted ballot…');
    cast.submit();
  } catch (e) {
    button.disabled = false;
    status.textContent = t('Le chiffrement a échoué ; rien n\'a été envoyé. Rechargez la page.',
      'Encryption failed; nothing was sent. Reload the page.');
  }
}

// The page's choices as the definition names them: list i's label is its
// name, then its union in brackets; a blank vote exactly when allowed.
function choicesMatch(sc) {
  const radios = Array.from(root.querySelectorAll('input[name="choice"]'));
  const lists = radios.filter((r) => r.value !== 'blank');
  const label = (r) => root.querySelector(`label[for="${r.id}"]`)?.textContent;
  return lists.length === sc.k && radios.length - lists.length === (sc.min === 0 ? 1 : 0) &&
    lists.every((r, i) => r.value === String(i) &&
      label(r) === (sc.lists[i].union === null ? sc.lists[i].name : `${sc.lists[i].name} (${sc.lists[i].union})`));
}

// Before anything can be chosen: the key is a valid point other than the
// identity, the definition is canonical, the fingerprint recomputed from the
// election id, definition and key is the page's, and the page's scrutin and
// choices are the definition's (docs/protocol.md section 12). Then the
// fingerprint's short form is shown, for the voter to compare with the
// notice. Otherwise the choices are withdrawn and nothing can be encrypted.
async function checkElection() {
  const d = root.dataset;
  try {
    await sodium.ready;
    const e = electionCheck(sodium).verify({ eid: d.eid, definition: d.definition, publicKey: d.pk,
      fingerprint: d.fp, scrutinId: d.scrutin });
    if (Number(d.k) !== e.scrutin.k || Number(d.min) !== e.scrutin.min ||
      Number(d.max) !== e.scrutin.max || !choicesMatch(e.scrutin))
      throw new Error('votesrv: the page\'s choices are not the definition\'s');
    // in its groups, which wrap between groups only (as page_receipt.c's trackers)
    const groups = e.fpText.split('-');
    $('fp-text').replaceChildren(...groups.flatMap((g, i) => {
      const span = document.createElement('span');
      span.className = 'group';
      span.textContent = i + 1 < groups.length ? `${g}-` : g;
      return i + 1 < groups.length ? [span, document.createElement('wbr')] : [span];
    }));
    $('election-check').hidden = false;
    return true;
  } catch (err) {
    $('step-choose').hidden = true;
    $('review').hidden = true;
    const bad = $('election-err');
    bad.textContent = err.reason === 'key'
      ? t('La clé de chiffrement de l\'élection reçue par cette page n\'est pas valide : votre '
        + 'bulletin ne serait pas secret. Rien n\'a été chiffré ni envoyé. Ne votez pas et '
        + 'prévenez la cellule d\'assistance.',
      'The election\'s encryption key this page received is not valid: your ballot would not '
        + 'be secret. Nothing was encrypted or sent. Do not vote, and tell the support cell.')
      : t('Les données de l\'élection reçues par cette page ne correspondent pas à son '
        + 'empreinte. Rien n\'a été chiffré ni envoyé. Ne votez pas et prévenez la cellule '
        + 'd\'assistance.',
      'The election data this page received do not match its fingerprint. Nothing was '
        + 'encrypted or sent. Do not vote, and tell the support cell.');
    bad.hidden = false;
    return false;
  }
}

// Logging out forgets every kept choice.
for (const f of document.querySelectorAll('form[action="/deconnexion"]')) {
  f.addEventListener('submit', forgetChoices);
}
if (!root) {
  forgetChoices();          // voting is not allowed here (already voted, closed…)
} else {
  checkElection().then((ok) => {
    if (!ok) {
      forgetChoices();
      return;
    }
    $('next').disabled = false;
    $('next').addEventListener('click', toReview);
    $('change').addEventListener('click', toChoose);
    $('confirm').addEventListener('click', confirmVote);
    $('code').addEventListener('focus', () => step(3));
    const kept = keptChoice();
    const radio = kept === null ? null
      : Array.from(root.querySelectorAll('input[name="choice"]')).find((r) => r.value === kept);
    if (radio) {
      radio.checked = true;
      toReview();
      $('vote-status').textContent = t('Votre choix, gardé sur cet appareil, est repris : '
        + 'vérifiez-le, puis saisissez à nouveau votre code de vote.',
      'Your choice, kept on this device, is back: check it, then type your vote code again.');
    }
    $('code').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        confirmVote();
      }
    });
  });
}
