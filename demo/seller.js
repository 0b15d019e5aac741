// The seller's orders view (a file, not inline: the demo pages run under a CSP with no
// 'unsafe-inline', and this page may not be framed).
const $ = (s) => document.querySelector(s);
const key = () => sessionStorage.getItem('bip-seller-key') ?? '';
const api = (path, init = {}) =>
  fetch(`/v1/seller${path}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${key()}`,
      'Content-Type': 'application/json',
      ...init.headers,
    },
  }).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.detail ?? body.title);
    return body;
  });
const money = (m) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(
    m.amount / 100,
  );
const text = (v) => document.createTextNode(v ?? '');
async function load() {
  try {
    const { orders } = await api('/orders');
    const body = $('#orders tbody');
    body.replaceChildren();
    for (const o of orders) {
      const tr = document.createElement('tr');
      const cells = [
        `${o.number}\n${new Date(o.createdAt).toLocaleString()}`,
        `${o.productTitle} ${Object.values(o.variantOptions).join(' / ')} × ${o.quantity}`,
        money(o.total),
        o.shippingAddress
          ? `${o.shippingAddress.name}, ${o.shippingAddress.city}, ${o.shippingAddress.country}`
          : 'digital',
        o.postRef ?? '',
      ];
      for (const c of cells) tr.appendChild(document.createElement('td')).appendChild(text(c));
      const status = tr.appendChild(document.createElement('td'));
      if (o.status === 'fulfilled')
        status.append(text(`shipped · ${o.fulfillments[0]?.trackingNumber ?? ''}`));
      else {
        const form = document.createElement('form');
        form.innerHTML =
          '<label>Tracking <input name="t" required size="12"></label> <button>Mark shipped</button>';
        form.onsubmit = async (e) => {
          e.preventDefault();
          await api(`/orders/${o.id}/fulfillments`, {
            method: 'POST',
            body: JSON.stringify({ trackingNumber: form.t.value }),
          });
          load();
        };
        status.append(form);
      }
      body.append(tr);
    }
    $('#orders').hidden = false;
    $('#status').textContent = `${orders.length} order(s)`;
  } catch (err) {
    $('#status').textContent = err.message;
  }
}
$('#login').onsubmit = (e) => {
  e.preventDefault();
  sessionStorage.setItem('bip-seller-key', $('#key').value.trim());
  load();
};
if (key()) load();
