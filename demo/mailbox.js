// The demo's mailbox: lists what GET /v1/dev/mailbox holds (development only), and looks again
// every two seconds while the page is visible. A file, not inline: the demo pages run under a
// Content-Security-Policy with no 'unsafe-inline'.
const list = document.querySelector('#mails');
const status = document.querySelector('#status');
let shown = '';

function mail(m) {
  const li = document.createElement('li');
  const title = document.createElement('h2');
  title.textContent = m.subject;
  const meta = document.createElement('p');
  meta.textContent = `To ${m.to} · ${new Date(m.sentAt).toLocaleTimeString()}`;
  const text = document.createElement('pre');
  text.textContent = m.text;
  li.append(title, meta, text);
  return li;
}

async function refresh() {
  try {
    const res = await fetch('/v1/dev/mailbox', { cache: 'no-store' });
    if (res.status === 404) {
      status.textContent =
        'No mailbox: the endpoint is not in development mode (or mails go out by SMTP).';
      return;
    }
    const { messages } = await res.json();
    const key = messages.map((m) => m.sentAt + m.subject).join('|');
    if (key === shown) return;
    shown = key;
    list.replaceChildren(...messages.map(mail));
    status.textContent = messages.length
      ? `${messages.length} mail${messages.length === 1 ? '' : 's'}; the newest: ${messages[0].subject}`
      : 'No mail yet. Ask for a sign-in code in a checkout.';
  } catch {
    status.textContent = 'The endpoint cannot be reached.';
  }
}

await refresh();
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh();
}, 2000);
