// receipt.mjs - the receipt page (page_receipt.c): a print button, and the
// receipt kept on this device (localStorage: its public address only, by
// scrutin and by the opaque tag of the voter the page was shown to), so that
// "Mon espace" on this device links to it. The vote is in the box: the choice
// kept for a new login (vote.mjs) is forgotten.
const root = document.getElementById('receipt');

if (root) {
  const d = root.dataset;
  const print = document.getElementById('receipt-print');
  print.hidden = false;
  print.addEventListener('click', () => window.print());
  try {
    sessionStorage.removeItem(`votesrv-choice-${d.scrutin}`);
    if (d.who) {
      localStorage.setItem(`votesrv-receipt-${d.who}-${d.scrutin}`, JSON.stringify({
        href: d.href, title: d.title, tracker: d.tracker, saved: new Date().toISOString() }));
    }
  } catch (e) {
    // storage refused (private mode, quota): the receipt stays at its address
  }
}
