// login-wait.mjs - the login form (page_login.c) in an opening rush. When the
// server is too busy to check a password now it answers 503 with Retry-After
// (Argon2id's queue is full). Sent by fetch, the form keeps the password in
// its field after such a refusal (never in the address, never stored): the
// page says in its status region when it will try again, with a button to
// cancel, and sends the form again by itself after Retry-After. Any other
// answer is shown as the browser would show it (a redirect is followed, a
// refusal replaces the page). The 503 keeps the voter's place in the queue:
// its ticket is the HttpOnly cookie votesrv_wait (Path=/connexion), which
// this fetch (same-origin credentials) and the plain form alike send back,
// and the notice shown in the status region says her position. Without this
// script the form posts as usual and the server's 503 page, the form again,
// says when to try.
const MAX_TRIES = 30;      // then the voter decides: the form stays as it is
let tries = 0;

function bind(form) {
  const status = document.getElementById('login-wait');
  if (!form || !status || !window.fetch || !window.DOMParser || !form.requestSubmit) return;
  let timer = null;
  let sending = false;
  let cancel = null;

  const stop = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (cancel !== null) cancel.remove();
    cancel = null;
  };

  const wait = (seconds, doc) => {
    const token = doc.querySelector('form#login input[name="csrf"]');
    const mine = form.querySelector('input[name="csrf"]');
    if (token && mine) mine.value = token.value;   // the answer set a new pair
    const notice = doc.querySelector('main [role="alert"]');
    status.textContent = `${notice ? `${notice.textContent.trim()} ` : ''}${
      form.dataset.auto.replace('{s}', String(seconds))}`;
    cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = form.dataset.cancel;
    cancel.addEventListener('click', () => {
      stop();
      status.textContent = form.dataset.cancelled;
      form.querySelector('input[name="password"]')?.focus();
    });
    status.after(cancel);
    timer = setTimeout(() => {
      timer = null;
      form.requestSubmit();
    }, seconds * 1000);
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (sending) return;
    stop();
    sending = true;
    let r;
    let text;
    try {
      r = await fetch(form.action, { method: 'POST', credentials: 'same-origin',
        body: new URLSearchParams(new FormData(form)) });
      text = await r.text();
    } catch (err) {
      sending = false;
      HTMLFormElement.prototype.submit.call(form);   // the browser's own way
      return;
    }
    sending = false;
    const after = Number(r.headers.get('Retry-After'));
    const doc = new DOMParser().parseFromString(text, 'text/html');
    if (r.status === 503 && Number.isInteger(after) && after >= 1 && tries < MAX_TRIES &&
        doc.querySelector('form#login')) {
      tries += 1;
      wait(after, doc);
    } else if (r.redirected) {
      window.location.assign(r.url);
    } else {
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      window.scrollTo(0, 0);
      bind(document.getElementById('login'));
    }
  });
}

bind(document.getElementById('login'));
