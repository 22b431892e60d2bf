// receipt.mjs - the receipt page (page_receipt.c): a print button, and the
// receipt kept on this device (localStorage: its public address only, by
// scrutin and by the opaque tag of the voter the page was shown to), so that
// "Mon espace" on this device links to it. Only the receipt of the ballot
// this tab has just sent, for this voter (the tracker vote.mjs kept), is
// kept: anyone's receipt can be opened at its address, and is not the
// viewer's. Every choice kept for a new login (vote.mjs) is forgotten.
const root = document.getElementById('receipt');

if (root) {
  const d = root.dataset;
  const print = document.getElementById('receipt-print');
  print.hidden = false;
  print.addEventListener('click', () => window.print());
  try {
    const castKey = `votesrv-cast-${d.who}-${d.scrutin}`;
    const cast = d.who ? sessionStorage.getItem(castKey) : null;
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k !== null && (k.startsWith('votesrv-choice-') || k.startsWith('votesrv-cast-')))
        sessionStorage.removeItem(k);
    }
    if (cast !== null && cast === d.tracker) {
      localStorage.setItem(`votesrv-receipt-${d.who}-${d.scrutin}`, JSON.stringify({
        href: d.href, title: d.title, tracker: d.tracker, saved: new Date().toISOString() }));
    }
  } catch (e) {
    // storage refused (private mode, quota): the receipt stays at its address
  }
}
