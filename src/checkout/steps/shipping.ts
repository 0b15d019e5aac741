import { html, nothing } from 'lit';
import type { ShippingAddress } from '../../internal/types.ts';
import type { CheckoutFlow } from '../flow.ts';
import { renderError, renderPrimary, renderTotals } from '../view.ts';

type AddressField = keyof ShippingAddress;

interface FieldSpec {
  name: AddressField | 'email';
  autocomplete: string;
  required: boolean;
  type?: string;
  inputmode?: string;
}

const FIELDS: FieldSpec[] = [
  { name: 'email', autocomplete: 'email', required: true, type: 'email', inputmode: 'email' },
  { name: 'name', autocomplete: 'shipping name', required: true },
  { name: 'line1', autocomplete: 'shipping address-line1', required: true },
  { name: 'line2', autocomplete: 'shipping address-line2', required: false },
  { name: 'city', autocomplete: 'shipping address-level2', required: true },
  { name: 'region', autocomplete: 'shipping address-level1', required: false },
  { name: 'postalCode', autocomplete: 'shipping postal-code', required: false },
  { name: 'phone', autocomplete: 'shipping tel', required: false, type: 'tel', inputmode: 'tel' },
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Client-side messages, kept per flow so they survive re-renders. */
const touched = new WeakMap<CheckoutFlow, Record<string, string>>();

function validate(flow: CheckoutFlow): Record<string, string> {
  const { t } = flow.host.i18n;
  const { email, address } = flow.state.contact;
  const errors: Record<string, string> = {};
  const label = (n: string) => (t as unknown as Record<string, string>)[n] ?? n;
  if (!email) errors.email = t.required(t.email);
  else if (!EMAIL.test(email)) errors.email = t.invalidEmail;
  for (const f of FIELDS) {
    if (f.name !== 'email' && f.required && !address[f.name]?.trim())
      errors[f.name] = t.required(label(f.name));
  }
  if (!address.country) errors.country = t.required(t.country);
  return errors;
}

export function renderShippingStep(flow: CheckoutFlow) {
  const { i18n } = flow.host;
  const { t } = i18n;
  const { contact, busy } = flow.state;
  const local = touched.get(flow) ?? {};
  // Server messages arrive as "shippingAddress.city" and the like.
  const server = Object.fromEntries(
    Object.entries(flow.state.error?.fields ?? {}).map(([k, v]) => [
      k.replace(/^shippingAddress\./, ''),
      v,
    ]),
  );
  if (flow.state.error?.code === 'does_not_ship') server.country = t.errors.does_not_ship;
  const message = (name: string) => local[name] ?? server[name];
  const countries = [...flow.product.shipsTo].sort((a, b) =>
    i18n.country(a).localeCompare(i18n.country(b), i18n.locale),
  );

  const submit = (e: Event) => {
    e.preventDefault();
    const errors = validate(flow);
    touched.set(flow, errors);
    flow.host.requestUpdate();
    const first = Object.keys(errors)[0];
    if (first) {
      void flow.host.updateComplete.then(() =>
        flow.host.renderRoot.querySelector<HTMLElement>(`#f-${first}`)?.focus(),
      );
      return;
    }
    void flow.continue();
  };

  const input = (f: FieldSpec) => {
    const id = `f-${f.name}`;
    const value = f.name === 'email' ? contact.email : (contact.address[f.name] ?? '');
    const msg = message(f.name);
    const label = (t as unknown as Record<string, string>)[f.name] ?? f.name;
    return html`<div part="field" class="field">
      <label for=${id}>${label}${f.required ? nothing : html` <span class="optional">(${t.optional})</span>`}</label>
      <input
        id=${id}
        name=${f.name}
        type=${f.type ?? 'text'}
        inputmode=${f.inputmode ?? nothing}
        autocomplete=${f.autocomplete}
        ?required=${f.required}
        ?disabled=${busy}
        dir=${f.name === 'email' || f.name === 'phone' ? 'ltr' : nothing}
        .value=${value}
        aria-invalid=${msg ? 'true' : 'false'}
        aria-describedby=${msg ? `${id}-msg` : nothing}
        @input=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          if (f.name === 'email') flow.setContact({ email: v });
          else flow.setContact({ address: { [f.name]: v } });
        }}
      />
      ${msg ? html`<p class="message" id=${`${id}-msg`}>${msg}</p>` : nothing}
    </div>`;
  };

  return html`<form id="shipping-form" novalidate @submit=${submit}>
      ${input(FIELDS[0]!)}
      <div class="field checkbox">
        <input
          id="f-share"
          type="checkbox"
          .checked=${contact.shareEmail}
          ?disabled=${busy}
          @change=${(e: Event) => flow.setContact({ shareEmail: (e.target as HTMLInputElement).checked })}
        />
        <label for="f-share">${t.shareEmail}</label>
      </div>
      ${FIELDS.slice(1, 7).map(input)}
      <div part="field" class="field">
        <label for="f-country">${t.country}</label>
        <select
          id="f-country"
          name="country"
          autocomplete="shipping country"
          required
          ?disabled=${busy}
          aria-invalid=${message('country') ? 'true' : 'false'}
          aria-describedby=${message('country') ? 'f-country-msg' : nothing}
          @change=${(e: Event) => flow.setContact({ address: { country: (e.target as HTMLSelectElement).value } })}
        >
          <option value="" ?selected=${!contact.address.country}>—</option>
          ${countries.map((c) => html`<option value=${c} ?selected=${contact.address.country === c}>${i18n.country(c)}</option>`)}
        </select>
        ${message('country') ? html`<p class="message" id="f-country-msg">${message('country')}</p>` : nothing}
      </div>
      ${input(FIELDS[7]!)}
    </form>
    ${renderError(flow)} ${renderTotals(flow)} ${renderPrimary(flow, t.continue, { form: 'shipping-form' })}`;
}
