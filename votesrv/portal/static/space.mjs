// space.mjs - the voting space (page_space.c): for each scrutin voted in,
// the receipt this device kept (receipt.mjs), if any, as a link.
const t = (fr, en) => (document.documentElement.lang === 'en' ? en : fr);

for (const li of document.querySelectorAll('li.scrutin[data-voted]')) {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(
      `votesrv-receipt-${li.dataset.who}-${li.dataset.scrutin}`) || 'null');
  } catch (e) {
    saved = null;
  }
  if (saved && typeof saved.href === 'string' && saved.href.startsWith('/recu?')) {
    const p = document.createElement('p');
    const a = document.createElement('a');
    a.href = saved.href;
    a.className = 'receipt-link';
    a.textContent = t('Voir mon reçu (gardé sur cet appareil)', 'See my receipt (kept on this device)');
    p.append(a);
    li.append(p);
  }
}
