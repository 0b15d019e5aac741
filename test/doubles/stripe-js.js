// A fake Stripe.js for the browser tests. The test browser gets this file for every
// https://js.stripe.com/** request (see web-test-runner.config.mjs); `@stripe/stripe-js/pure`
// injects it, then finds `window.Stripe` and checks `Stripe.version` against its release train.
//
// It behaves like the real Stripe.js where the element depends on it — the Elements group, the
// Payment Element, the Express Checkout Element and its event order, confirmPayment with 3-D
// Secure — and talks to the fake Stripe REST API (server/test/doubles/stripe-api.ts), whose base
// URL the test server writes in place of the placeholder below. Where the real one draws in an
// iframe, this draws plain light-DOM controls, so tests can type, click and run axe. Only the
// methods below exist: calling any other Stripe.js method fails loudly.
//
// For assertions, `window.__fakeStripe` records `instances` ({publishableKey, options}) and
// `calls` ({method, args}): 'Stripe', '_registerWrapper', 'elements', 'elements.create',
// 'elements.update', 'elements.fetchUpdates', 'elements.submit', '<type>.mount' (args: the
// node), '<type>.update', 'expressCheckout.<event>.resolve|reject|timeout',
// 'expressCheckout.paymentFailed', 'confirmPayment', 'retrievePaymentIntent', 'handleNextAction'.
// Knobs: `window.__fakeStripeWallets` (this device's wallets: 'apple_pay', 'google_pay', 'link')
// and `window.__fakeStripeWalletAddress` (what the wallet sheet hands over).
//
// With `customerSessionClientSecret` (a signed-in buyer's Customer Session), the Payment Element
// loads the customer's saved cards from the fake API (`GET /v1/elements/sessions`), lists them
// first with the most recent chosen, a "Remove" button each when the session allows it
// (`POST /_fake/customer_sessions/payment_methods/:id/detach`), and a save box under a new card
// when the session allows saving; confirmPayment then pays with the chosen saved card
// (`payment_method`), or saves the new one (`setup_future_usage` + `allow_redisplay: always`).
// `confirmPayment({clientSecret, confirmParams: {payment_method}})` pays a saved card with no
// Payment Element at all, as real Stripe.js does.
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: a classic script, not a module
  'use strict';

  /** The fake Stripe REST API (the test server writes its base URL here). */
  const API = '__FAKE_STRIPE_API__';
  /** The release train @stripe/stripe-js 10 expects (it warns about any other). */
  const VERSION = 'endive';
  /** A wallet hands Stripe a tokenised card; in test mode it is this one. */
  const WALLET_CARD = '4242424242424242';
  /** Real Stripe cancels the wallet sheet when a `click` handler does not resolve within 1 s. */
  const CLICK_TIMEOUT_MS = 1000;
  /** …and when an address change is never answered (Apple Pay allows about 30 s). */
  const SHEET_TIMEOUT_MS = 20_000;

  window.__fakeStripe ??= { instances: [], calls: [] };
  const record = window.__fakeStripe;
  const note = (method, ...args) => record.calls.push({ method, args });

  /** What real Stripe.js throws for misuse (a wrong argument, a shadow-root mount…). */
  class IntegrationError extends Error {
    name = 'IntegrationError';
  }
  const misuse = (message) => {
    throw new IntegrationError(message);
  };

  // ---- small helpers ---------------------------------------------------------------------------

  /** An element with attributes and children: h('label', {for: id}, 'Card number'). */
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  // Ids must collide neither with the host page's nor with those of another copy of this file.
  let seq = 0;
  const uid = () => `fake-stripe-${Math.random().toString(36).slice(2, 8)}-${++seq}`;

  /** The PaymentIntent id is the part of its client secret before `_secret_`. */
  const intentIdOf = (clientSecret) => String(clientSecret).split('_secret_')[0];

  /** Stripe's form encoding: {a: {b: 1}} → a[b]=1. */
  function formOf(params, form = new URLSearchParams(), prefix = '') {
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === null) continue;
      const name = prefix ? `${prefix}[${key}]` : key;
      if (typeof value === 'object') formOf(value, form, name);
      else form.append(name, String(value));
    }
    return form;
  }

  /**
   * One call to the fake API as Stripe.js makes it, with the publishable key in the params: GET
   * with a query, POST with a form. Resolves `{status, body}`, or `{error}` when the network
   * failed or the reply was not JSON.
   */
  async function callApi(method, path, params) {
    const form = formOf(params);
    const post = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form };
    let res;
    try {
      res = await (method === 'GET'
        ? fetch(`${API}${path}?${form}`)
        : fetch(`${API}${path}`, { method, ...post }));
    } catch {
      const message =
        'An error occurred with our connection to Stripe. Request was retried 2 times.';
      return { error: { type: 'api_connection_error', message } };
    }
    const body = await res.json().catch(() => null);
    if (!body) return { error: { type: 'api_error', message: `Stripe answered ${res.status}.` } };
    return { status: res.status, body };
  }

  /** `{paymentIntent}` from a 2xx reply, `{error}` from anything else. */
  function intentResult(reply) {
    if (reply.error) return { error: reply.error };
    if (reply.status >= 400) return { error: reply.body.error ?? { type: 'api_error' } };
    return { paymentIntent: reply.body };
  }

  /** Stripe's `on`/`once`/`off`, each returning `self()` (the element) for chaining. */
  function emitter(self) {
    const handlers = new Map();
    const list = (type) => handlers.get(type) ?? [];
    const remove = (type, keep) => handlers.set(type, list(type).filter(keep));
    const add = (type, fn, once) => {
      handlers.set(type, [...list(type), { fn, once }]);
      return self();
    };
    return {
      on: (type, fn) => add(type, fn, false),
      once: (type, fn) => add(type, fn, true),
      off(type, fn) {
        if (fn) remove(type, (e) => e.fn !== fn);
        else handlers.delete(type);
        return self();
      },
      has: (type) => list(type).length > 0,
      emit(type, payload) {
        for (const entry of list(type)) {
          if (entry.once) remove(type, (e) => e !== entry);
          try {
            entry.fn(payload);
          } catch (err) {
            reportError(err); // a throwing handler shows up as an uncaught error, as in real life
          }
        }
      },
    };
  }

  // ---- look: labels, appearance ----------------------------------------------------------------

  const TEXT = {
    en: {
      number: 'Card number',
      expiry: 'Expiration date',
      cvc: 'Security code',
      saved: 'Saved cards',
      newCard: 'New card',
      save: 'Save this card for future purchases',
      remove: 'Remove',
    },
    ar: {
      number: 'رقم البطاقة',
      expiry: 'تاريخ الانتهاء',
      cvc: 'رمز الأمان',
      saved: 'البطاقات المحفوظة',
      newCard: 'بطاقة جديدة',
      save: 'احفظ هذه البطاقة للمشتريات القادمة',
      remove: 'إزالة',
    },
  };
  const BRANDS = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express' };
  const RTL = new Set(['ar']);
  /** What real Stripe answers to submitting with a field left incomplete. */
  const INCOMPLETE = {
    number: { code: 'incomplete_number', message: 'Your card number is incomplete.' },
    expiry: { code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." },
    cvc: { code: 'incomplete_cvc', message: "Your card's security code is incomplete." },
  };

  /** The language of the Elements group's `locale` ('auto': the browser's), if this fake has it. */
  function langOf(locale) {
    const tag = !locale || locale === 'auto' ? navigator.language : locale;
    const lang = String(tag).slice(0, 2).toLowerCase();
    return TEXT[lang] ? lang : 'en';
  }

  /** One stylesheet for all this fake draws (in the light DOM, so the document's styles apply). */
  function ensureStyles() {
    if (document.querySelector('style[data-fake-stripe]')) return;
    const css = `
      .FakeStripeElement { display: grid; gap: 12px; padding: 4px; color: #000; background: #fff;
        font: 16px/1.4 system-ui, sans-serif; }
      .FakeStripeElement label { display: block; margin-block-end: 4px; }
      .FakeStripeElement input { box-sizing: border-box; inline-size: 100%; padding: 10px 12px;
        font: inherit; color: inherit; background: inherit; border: 1px solid #767676;
        border-radius: var(--fake-border-radius, 4px); }
      .FakeStripeElement input:focus { outline: 2px solid var(--fake-color-primary, #0570de);
        outline-offset: 1px; border-color: var(--fake-color-primary, #0570de); }
      .FakeStripeElement input[aria-invalid="true"] { border-color: #c0123c; }
      .FakeStripeElement-row { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
      .FakeStripeElement button { min-block-size: 44px; padding: 0 16px; font: inherit;
        font-weight: 600; color: #fff; background: #000; border: 0; cursor: pointer;
        border-radius: var(--fake-border-radius, 4px); }
      .FakeStripeElement button:focus-visible { outline: 2px solid #0570de; outline-offset: 2px; }
      dialog.FakeStripeElement { max-inline-size: 360px; padding: 24px; border: 0; }`;
    document.head.append(h('style', { 'data-fake-stripe': '' }, css));
  }

  /** The Appearance API, as far as a test can see that it arrived. */
  function applyAppearance(node, appearance = {}) {
    const v = appearance.variables ?? {};
    const night = appearance.theme === 'night';
    const set = (property, value) =>
      value ? node.style.setProperty(property, value) : node.style.removeProperty(property);
    node.dataset.theme = appearance.theme ?? 'stripe';
    set('--fake-color-primary', v.colorPrimary);
    set('--fake-border-radius', v.borderRadius);
    set('font-family', v.fontFamily);
    set('background-color', v.colorBackground ?? (night ? '#30313d' : ''));
    set('color', v.colorText ?? (night ? '#ffffff' : ''));
  }

  // ---- what every element shares ---------------------------------------------------------------

  /** The node `mount()` was given (an element or a selector), checked as real Stripe does. */
  function mountTarget(target) {
    const node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!(node instanceof HTMLElement)) misuse(`mount(): no DOM element for ${String(target)}.`);
    // Real Stripe's iframe and its messaging need the light DOM.
    if (node.getRootNode() instanceof ShadowRoot) {
      misuse('Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.');
    }
    return node;
  }

  /**
   * An element with Stripe's base methods. `draw` makes it concrete: `build()` returns its node
   * (null: nothing to show), `restyle()` applies the group's options to it, `readyEvent()`,
   * `focusable()`, `clear()`.
   */
  function baseElement(group, type, options, draw) {
    const events = emitter(() => api);
    const state = { options: { ...options }, node: null, host: null, destroyed: false };
    const api = {
      mount(target) {
        if (state.destroyed) misuse('This Element has already been destroyed.');
        if (state.host) misuse('This Element is already mounted. Use `unmount()` first.');
        const host = mountTarget(target);
        note(`${type}.mount`, host);
        ensureStyles();
        state.host = host;
        state.node ??= draw.build();
        if (state.node) {
          draw.restyle();
          host.append(state.node);
        }
        // A real Element is ready once its iframe (and what it loads) is: never synchronously.
        setTimeout(async () => {
          await handle.ready;
          if (state.host === host) events.emit('ready', draw.readyEvent());
        });
      },
      unmount() {
        state.node?.remove();
        state.host = null;
      },
      destroy() {
        api.unmount();
        state.destroyed = true;
        group.elements.delete(type);
      },
      on: events.on,
      once: events.once,
      off: events.off,
      focus: () => draw.focusable()?.focus(),
      blur: () => state.node?.contains(document.activeElement) && document.activeElement.blur(),
      clear: () => draw.clear(),
      update(update) {
        note(`${type}.update`, update);
        Object.assign(state.options, update);
        if (state.node) draw.restyle();
        return api;
      },
    };
    const restyle = () => state.node && draw.restyle();
    /** `ready`: what the element still loads before it is ready (saved cards), if anything. */
    const handle = { api, state, events, restyle, mounted: () => !!state.host, ready: null };
    return handle;
  }

  /** Emits `focus` / `blur` when focus enters or leaves the element's node as a whole. */
  function trackFocus(node, events, elementType) {
    node.addEventListener('focusin', (e) => {
      if (!node.contains(e.relatedTarget)) events.emit('focus', { elementType });
    });
    node.addEventListener('focusout', (e) => {
      if (!node.contains(e.relatedTarget)) events.emit('blur', { elementType });
    });
  }

  // ---- the Payment Element: a small card form -------------------------------------------------

  function paymentElement(group, options) {
    const fields = {};
    const value = (key) => fields[key]?.input.value.trim() ?? '';
    const digits = () => value('number').replace(/\s+/g, '');
    /** The signed-in buyer's saved cards (Customer Session), once loaded; the one chosen. */
    const saved = {
      loaded: false,
      cards: [],
      chosen: null,
      canRemove: false,
      canSave: false,
      list: null,
    };
    /** The new card's fields and save box: hidden while a saved card is chosen. */
    let newCard = null;
    let saveBox = null;
    /** The first field still to fill in, or null when the card is complete. */
    const incomplete = () =>
      (!/^\d{12,19}$/.test(digits()) && 'number') ||
      (!value('expiry') && 'expiry') ||
      (!value('cvc') && 'cvc') ||
      null;
    const changed = () =>
      el.events.emit('change', {
        elementType: 'payment',
        empty: !saved.chosen && !value('number') && !value('expiry') && !value('cvc'),
        complete: saved.chosen !== null || incomplete() === null,
        value: { type: 'card', ...(saved.chosen ? { payment_method: { id: saved.chosen } } : {}) },
        collapsed: false,
      });

    /** Draws the saved cards (radios, each removable) and "New card" above the card form. */
    function drawSaved() {
      saveBox.hidden = !saved.canSave;
      if (saved.cards.length === 0) {
        saved.list?.remove();
        saved.list = null;
        newCard.hidden = false;
        return;
      }
      const lang = langOf(group.options.locale);
      const t = TEXT[lang];
      const name = uid();
      const radio = (id, label, extra) => {
        const input = h('input', { type: 'radio', name, id: `${name}-${id}`, value: id });
        input.checked = (saved.chosen ?? 'new') === id;
        input.addEventListener('change', () => {
          saved.chosen = id === 'new' ? null : id;
          newCard.hidden = saved.chosen !== null;
          changed();
        });
        return h(
          'div',
          { 'data-saved-card': id },
          input,
          h('label', { for: input.id }, label),
          ...extra,
        );
      };
      const rows = saved.cards.map((pm) => {
        const label = `${BRANDS[pm.card.brand] ?? pm.card.brand} •••• ${pm.card.last4}`;
        const extra = [];
        if (saved.canRemove) {
          const remove = h(
            'button',
            { type: 'button', 'aria-label': `${t.remove} ${label}` },
            t.remove,
          );
          remove.addEventListener('click', () => void removeCard(pm.id));
          extra.push(remove);
        }
        return radio(pm.id, label, extra);
      });
      const list = h(
        'fieldset',
        { class: 'FakeStripeElement-saved', 'data-fake-stripe': 'saved-cards' },
        h('legend', {}, t.saved),
        ...rows,
        radio('new', t.newCard, []),
      );
      if (saved.list) saved.list.replaceWith(list);
      else el.state.node.prepend(list);
      saved.list = list;
      newCard.hidden = saved.chosen !== null;
    }

    /** The customer's cards, from the Customer Session (as real Stripe.js loads them). */
    async function loadSaved() {
      const secret = group.options.customerSessionClientSecret;
      if (!secret) return;
      const reply = await callApi('GET', '/v1/elements/sessions', {
        key: group.key,
        client_secret: group.options.clientSecret,
        customer_session_client_secret: secret,
      });
      if (reply.error || reply.status >= 400) return; // shown as a plain card form
      const features =
        reply.body.customer?.customer_session?.components?.payment_element?.features ?? {};
      saved.cards = reply.body.customer?.payment_methods ?? [];
      saved.canRemove = features.payment_method_remove === 'enabled';
      saved.canSave = features.payment_method_save === 'enabled';
      saved.chosen = saved.cards[0]?.id ?? null;
      saved.loaded = true;
      if (el.state.node) drawSaved();
      changed();
    }

    async function removeCard(id) {
      note('payment.removeSavedCard', id);
      const reply = await callApi('POST', `/_fake/customer_sessions/payment_methods/${id}/detach`, {
        key: group.key,
        customer_session_client_secret: group.options.customerSessionClientSecret,
      });
      if (reply.error || reply.status >= 400) return;
      saved.cards = saved.cards.filter((pm) => pm.id !== id);
      if (saved.chosen === id) saved.chosen = saved.cards[0]?.id ?? null;
      drawSaved();
      // the focus stays in the form: on the card now chosen, or the new card's number
      (saved.list?.querySelector('input:checked') ?? fields.number.input).focus();
      changed();
    }

    const el = baseElement(group, 'payment', options, {
      build() {
        const id = uid();
        const field = (key, attrs) => {
          const input = h('input', {
            id: `${id}-${key}`,
            type: 'text',
            inputmode: 'numeric',
            ...attrs,
          });
          input.addEventListener('input', () => {
            input.removeAttribute('aria-invalid');
            changed();
          });
          fields[key] = { label: h('label', { for: input.id }), input };
          return h('div', {}, fields[key].label, input);
        };
        const number = field('number', { name: 'cardnumber', autocomplete: 'cc-number' });
        const expiry = field('expiry', {
          name: 'exp-date',
          autocomplete: 'cc-exp',
          placeholder: 'MM / YY',
        });
        const cvc = field('cvc', { name: 'cvc', autocomplete: 'cc-csc' });
        const box = h('input', { type: 'checkbox', id: `${id}-save`, name: 'save' });
        fields.save = { label: h('label', { for: box.id }), input: box };
        saveBox = h('div', { class: 'FakeStripeElement-save' }, box, fields.save.label);
        saveBox.hidden = true;
        newCard = h(
          'div',
          { class: 'FakeStripeElement-new' },
          number,
          h('div', { class: 'FakeStripeElement-row' }, expiry, cvc),
          saveBox,
        );
        // No <form>: the host may have put the mount node inside its own.
        const node = h(
          'div',
          { class: 'FakeStripeElement', 'data-fake-stripe': 'payment' },
          newCard,
        );
        trackFocus(node, el.events, 'payment');
        return node;
      },
      restyle() {
        const lang = langOf(group.options.locale);
        for (const [key, { label }] of Object.entries(fields)) label.textContent = TEXT[lang][key];
        el.state.node.lang = lang;
        el.state.node.dir = RTL.has(lang) ? 'rtl' : 'ltr';
        if (saved.loaded) drawSaved();
        applyAppearance(el.state.node, group.options.appearance);
      },
      readyEvent: () => ({ elementType: 'payment' }),
      focusable: () =>
        saved.chosen ? saved.list?.querySelector('input:checked') : fields.number?.input,
      clear() {
        if (!fields.number) return;
        for (const { input } of Object.values(fields)) {
          input.value = '';
          input.removeAttribute('aria-invalid');
        }
        changed();
      },
    });
    el.ready = loadSaved();

    /**
     * What to pay with: the saved card chosen (`{paymentMethod}`), or the new card's number (and
     * whether to save it) — or `{error}` (and the field marked invalid) if incomplete.
     */
    function card() {
      if (saved.chosen) return { paymentMethod: saved.chosen };
      const missing = incomplete();
      if (!missing) return { number: digits(), save: saved.canSave && fields.save.input.checked };
      fields[missing]?.input.setAttribute('aria-invalid', 'true');
      return { error: { type: 'validation_error', ...INCOMPLETE[missing] } };
    }
    return { ...el, card };
  }

  // ---- the Express Checkout Element: wallet buttons --------------------------------------------

  const WALLETS = {
    apple_pay: { key: 'applePay', name: 'Apple Pay' },
    google_pay: { key: 'googlePay', name: 'Google Pay' },
    link: { key: 'link', name: 'Link' },
  };
  /** Every key of `availablePaymentMethods` (this fake's device has no Amazon Pay, PayPal…). */
  const AVAILABLE_KEYS = ['applePay', 'googlePay', 'link', 'amazonPay', 'paypal', 'klarna'];
  const WALLET_ADDRESS = {
    name: 'Sam Rivera',
    address: {
      line1: '1 Main St',
      line2: '',
      city: 'Springfield',
      state: 'IL',
      postal_code: '62701',
      country: 'US',
    },
  };

  function expressCheckoutElement(group, options) {
    const base = { elementType: 'expressCheckout' };
    /** This device's wallets, read at mount, less those the options say `never` to. */
    let wallets = [];
    let sheetOpen = false;

    const el = baseElement(group, 'expressCheckout', options, {
      build() {
        const allowed = (w) => el.state.options.paymentMethods?.[WALLETS[w].key] !== 'never';
        wallets = (window.__fakeStripeWallets ?? []).filter((w) => WALLETS[w] && allowed(w));
        if (wallets.length === 0) return null; // no wallet on this device: nothing shows
        const buttons = wallets.map((w) => {
          const button = h('button', { type: 'button', 'data-wallet': w }, WALLETS[w].name);
          button.addEventListener('click', () => pay(w));
          return button;
        });
        const attrs = { class: 'FakeStripeElement', 'data-fake-stripe': 'expressCheckout' };
        const node = h('div', attrs, ...buttons);
        trackFocus(node, el.events, 'expressCheckout');
        return node;
      },
      restyle() {
        el.state.node.dir = RTL.has(langOf(group.options.locale)) ? 'rtl' : 'ltr';
      },
      readyEvent() {
        const keys = wallets.map((w) => WALLETS[w].key);
        const available = Object.fromEntries(AVAILABLE_KEYS.map((k) => [k, keys.includes(k)]));
        return { ...base, availablePaymentMethods: keys.length ? available : undefined };
      },
      focusable: () => el.state.node?.querySelector('button'),
      clear() {},
    });

    /**
     * Emits an event carrying `resolve(details)` and `reject()` and waits for one: resolves the
     * details ({} when nobody listens: the sheet goes on), or null on reject or timeout.
     */
    function ask(type, payload, timeoutMs) {
      if (!el.events.has(type)) return Promise.resolve({});
      return new Promise((settle) => {
        let timer;
        const finish = (how, details) => {
          if (!timer) return;
          clearTimeout(timer);
          timer = null;
          note(`expressCheckout.${type}.${how}`, ...(how === 'resolve' ? [details] : []));
          settle(how === 'resolve' ? (details ?? {}) : null);
        };
        timer = setTimeout(() => finish('timeout'), timeoutMs);
        const resolve = (details) => finish('resolve', details);
        el.events.emit(type, { ...payload, resolve, reject: () => finish('reject') });
      });
    }

    /** The wallet sheet: click → (shipping address change) → confirm, or cancel on the way. */
    async function pay(wallet) {
      if (sheetOpen) return;
      sheetOpen = true;
      try {
        const cancel = () => el.events.emit('cancel', { ...base });
        const event = { ...base, expressPaymentType: wallet };
        const clicked = await ask('click', event, CLICK_TIMEOUT_MS);
        if (!clicked) return cancel();
        const sheet = { ...el.state.options, ...clicked };
        const { name, address } = window.__fakeStripeWalletAddress ?? WALLET_ADDRESS;
        if (sheet.shippingAddressRequired) {
          // Until the buyer authorises, the page sees only part of the address.
          const { city, state, postal_code, country } = address;
          const change = { ...base, name, address: { city, state, postal_code, country } };
          if (!(await ask('shippingaddresschange', change, SHEET_TIMEOUT_MS))) return cancel();
        }
        // A test may have the buyer close the sheet instead of authorising.
        if (window.__fakeStripeWalletDismiss) return cancel();
        // Authorised: the group's next confirmPayment pays with this wallet.
        const billingDetails = { name, email: 'sam@example.com', address };
        group.wallet = { type: wallet, billingDetails };
        el.events.emit('confirm', {
          ...event,
          paymentFailed(payload) {
            note('expressCheckout.paymentFailed', payload);
            group.wallet = null;
          },
          billingDetails,
          // Only a sheet that asked for a shipping address hands one over.
          ...(sheet.shippingAddressRequired ? { shippingAddress: { name, address } } : {}),
        });
      } finally {
        sheetOpen = false;
      }
    }

    return el;
  }

  // ---- the Elements group ----------------------------------------------------------------------

  /** Each Elements group's inner state, for confirmPayment; unreachable from outside. */
  const groups = new WeakMap();
  const FACTORIES = { payment: paymentElement, expressCheckout: expressCheckoutElement };

  function createElements(stripe, options) {
    const group = {
      options: { ...options },
      /** The publishable key (the Payment Element's saved cards are read with it). */
      key: stripe.key,
      /** The live elements by type (real Stripe allows one of each per group). */
      elements: new Map(),
      /** The wallet the buyer authorised in the Express Checkout sheet, until it is used. */
      wallet: null,
      /** The mounted Payment Element, if any. */
      payment: () => {
        const payment = group.elements.get('payment');
        return payment?.mounted() ? payment : null;
      },
    };
    const updateEnd = [];
    const api = {
      create(type, createOptions = {}) {
        note('elements.create', type, createOptions);
        if (!FACTORIES[type]) misuse(`elements.create('${type}') is unsupported in fake Stripe.js`);
        if (group.elements.has(type)) misuse(`Can only create one Element of type ${type}.`);
        const element = FACTORIES[type](group, createOptions);
        group.elements.set(type, element);
        return element.api;
      },
      getElement: (type) => group.elements.get(type)?.api ?? null,
      /** Shallow merge, like real Stripe; appearance and locale show at once. */
      async update(update) {
        note('elements.update', update);
        Object.assign(group.options, update);
        for (const element of group.elements.values()) element.restyle();
        for (const handler of updateEnd) handler();
      },
      on(event, handler) {
        if (event !== 'update-end') misuse(`elements.on('${event}'): no such Elements event.`);
        updateEnd.push(handler);
      },
      async fetchUpdates() {
        note('elements.fetchUpdates');
        const result = await stripe.retrieve(group.options.clientSecret);
        return result.error ? { error: result.error } : {};
      },
      async submit() {
        note('elements.submit');
        if (group.wallet) return {};
        const payment = group.payment() ?? misuse('elements.submit(): no Payment Element mounted.');
        const { error } = payment.card();
        return error ? { error } : {};
      },
    };
    groups.set(api, group);
    return api;
  }

  // ---- 3-D Secure ------------------------------------------------------------------------------

  /**
   * Stripe's challenge, as real Stripe.js shows it: a fixed <div> on <body> with the highest
   * z-index — not in the top layer. So, as with the real one, a host's modal <dialog> would
   * cover it and make it inert (stripe/stripe-js#599): the page must leave the top layer while
   * Stripe confirms. `choice` resolves 'success' or 'failure' (Escape fails, like closing
   * Stripe's modal); `close()` removes it and gives focus back to where it was.
   */
  function showChallenge() {
    ensureStyles();
    const complete = h('button', { type: 'button' }, 'Complete authentication');
    const fail = h('button', { type: 'button' }, 'Fail authentication');
    const before = document.activeElement;
    const dialog = h(
      'div',
      {
        class: 'FakeStripeElement',
        style:
          'position:fixed;inset:15% 5% auto;z-index:2147483647;padding:24px;background:#fff;color:#000;border:2px solid #000',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-label': 'Authenticate your payment',
        'data-fake-stripe': 'challenge',
      },
      h('p', {}, 'Test 3-D Secure: your bank asks you to confirm this payment.'),
      complete,
      fail,
    );
    document.body.append(dialog);
    complete.focus();
    const choice = new Promise((resolve) => {
      const choose = (outcome) => {
        complete.disabled = fail.disabled = true;
        resolve(outcome);
      };
      complete.addEventListener('click', () => choose('success'));
      fail.addEventListener('click', () => choose('failure'));
      dialog.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') choose('failure');
      });
    });
    const close = () => {
      dialog.remove();
      if (before instanceof HTMLElement) before.focus();
    };
    return { choice, close };
  }

  const AUTHENTICATION_FAILURE = {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message:
      'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
  };

  // ---- the Stripe object -----------------------------------------------------------------------

  function createStripe(key, options = {}) {
    note('Stripe', key, options);
    if (typeof key !== 'string' || !key) misuse('Please call Stripe() with your publishable key.');
    record.instances.push({ publishableKey: key, options });

    async function retrieve(clientSecret) {
      if (!clientSecret) misuse('A PaymentIntent client secret is required.');
      const path = `/v1/payment_intents/${intentIdOf(clientSecret)}`;
      return intentResult(await callApi('GET', path, { client_secret: clientSecret, key }));
    }

    /** A confirm's result, taken through the 3-D Secure challenge when the bank asks for one. */
    async function settle(result, clientSecret) {
      if (result.paymentIntent?.status !== 'requires_action') return result;
      const challenge = showChallenge();
      try {
        const outcome = await challenge.choice;
        const path = `/_fake/payment_intents/${intentIdOf(clientSecret)}/authenticate`;
        const reply = await callApi('POST', path, { key, client_secret: clientSecret, outcome });
        const done = intentResult(reply);
        const failed = done.paymentIntent && done.paymentIntent.status !== 'succeeded';
        if ((reply.status === 402 && !reply.body.error) || (failed && outcome === 'failure')) {
          return { error: { ...AUTHENTICATION_FAILURE, payment_intent: reply.body } };
        }
        return done;
      } finally {
        challenge.close();
      }
    }

    /**
     * What pays: a saved card named in `confirmParams.payment_method`, the wallet the buyer just
     * authorised (once), else the Payment Element's card (a saved one chosen there, or new).
     */
    function source(group, confirmParams) {
      if (typeof confirmParams.payment_method === 'string')
        return { paymentMethod: confirmParams.payment_method };
      if (group?.wallet) {
        const { billingDetails } = group.wallet;
        group.wallet = null;
        return { number: WALLET_CARD, billingDetails };
      }
      const payment = group?.payment() ?? misuse('confirmPayment(): no Payment Element mounted.');
      return payment.card();
    }

    return {
      elements(elementsOptions = {}) {
        note('elements', elementsOptions);
        return createElements({ retrieve, key }, { locale: options.locale, ...elementsOptions });
      },

      async confirmPayment(params = {}) {
        note('confirmPayment', params);
        const { elements, confirmParams = {}, redirect = 'always' } = params;
        const group = elements && (groups.get(elements) ?? misuse('`elements` is not Elements.'));
        const clientSecret = params.clientSecret ?? group?.options.clientSecret;
        if (!clientSecret) misuse('stripe.confirmPayment(): a `clientSecret` is required.');
        if (redirect !== 'if_required' && !confirmParams.return_url) {
          misuse("confirmPayment(): `return_url` is required unless `redirect: 'if_required'`.");
        }
        const card = source(group, confirmParams);
        if (card.error) return { error: card.error };
        const data = confirmParams.payment_method_data ?? {};
        const path = `/v1/payment_intents/${intentIdOf(clientSecret)}/confirm`;
        const pay = card.paymentMethod
          ? { payment_method: card.paymentMethod }
          : {
              payment_method_data: {
                ...data,
                type: 'card',
                card: { number: card.number },
                billing_details: data.billing_details ?? card.billingDetails,
                // the save box ticked: the buyer may be shown this card again
                ...(card.save ? { allow_redisplay: 'always' } : {}),
              },
              ...(card.save ? { setup_future_usage: 'on_session' } : {}),
            };
        const reply = await callApi('POST', path, {
          key,
          client_secret: clientSecret,
          return_url: confirmParams.return_url,
          ...pay,
        });
        const result = await settle(intentResult(reply), clientSecret);
        if (!result.paymentIntent || redirect === 'if_required') return result;
        // Paid, and asked to always redirect: the page leaves, so the promise never settles.
        const url = new URL(confirmParams.return_url, location.href);
        url.searchParams.set('payment_intent', result.paymentIntent.id);
        url.searchParams.set('payment_intent_client_secret', clientSecret);
        const status = result.paymentIntent.status === 'processing' ? 'processing' : 'succeeded';
        url.searchParams.set('redirect_status', status);
        location.assign(url.href);
        return new Promise(() => {});
      },

      async retrievePaymentIntent(clientSecret) {
        note('retrievePaymentIntent', clientSecret);
        return retrieve(clientSecret);
      },

      async handleNextAction({ clientSecret } = {}) {
        note('handleNextAction', { clientSecret });
        const result = await retrieve(clientSecret);
        const status = result.paymentIntent?.status;
        if (status && status !== 'requires_action') {
          misuse(`handleNextAction: the PaymentIntent is ${status}, not requires_action.`);
        }
        return settle(result, clientSecret);
      },

      /** @stripe/stripe-js announces itself here; nothing to do but note it. */
      _registerWrapper(wrapper) {
        note('_registerWrapper', wrapper);
      },
    };
  }

  /** `Stripe(key, options)`, with or without `new` (a returned object replaces `this`). */
  function Stripe(publishableKey, options) {
    return createStripe(publishableKey, options);
  }
  Stripe.version = VERSION;
  window.Stripe = Stripe;
})();
