// access.mjs - the pages behind the ALTCHA proof of work (/acces,
// /mot-de-passe-oublie): the widget, with its French strings registered first.
import './altcha-fr-fr.js';
import './altcha.js';

// RGAA 1.2 and 7.5 (docs/accessibility.md): the widget draws its spinner as an
// SVG that assistive technologies would announce, and changes its label
// ("Vérification en cours...", "Vérifié") without telling them. The spinner is
// hidden from them, and each state is said in a status message.
const fr = document.documentElement.lang !== 'en';
const said = {
  verifying: fr ? 'Vérification anti-robot en cours…' : 'Anti-robot check in progress…',
  verified: fr ? 'Vérification anti-robot terminée : vous pouvez envoyer le formulaire.'
    : 'Anti-robot check done: you can send the form.',
  error: fr ? 'La vérification anti-robot a échoué : cochez la case pour réessayer.'
    : 'The anti-robot check failed: tick the box to try again.',
  expired: fr ? 'La vérification anti-robot a expiré : cochez la case de nouveau.'
    : 'The anti-robot check expired: tick the box again.',
};
for (const widget of document.querySelectorAll('altcha-widget')) {
  const status = document.createElement('p');
  status.className = 'sr';
  status.setAttribute('role', 'status');
  widget.after(status);
  widget.addEventListener('statechange', (e) => {
    status.textContent = said[e.detail?.state] ?? '';
  });
  new MutationObserver(() => {
    for (const svg of widget.querySelectorAll('svg:not([aria-hidden])')) svg.setAttribute('aria-hidden', 'true');
  }).observe(widget, { subtree: true, childList: true });
}
