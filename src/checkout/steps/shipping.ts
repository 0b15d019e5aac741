import { html, nothing } from 'lit';
import type { ShippingAddress } from '../../internal/types.ts';
import type { CheckoutFlow } from '../flow.ts';
import type { Contact } from '../machine.ts';
import { renderError, renderFooter, renderTotals, type StepView } from './common.ts';

type FieldName = Exclude<keyof ShippingAddress, 'country'> | 'email';

interface FieldSpec {
  name: FieldName;
  /** The autofill token (https://html.spec.whatwg.org/#autofill-field). */
  autocomplete: string;
  required: boolean;
  type?: 'email' | 'tel';
}

const FIELDS: Record<FieldName, FieldSpec> = {
  email: { name: 'email', autocomplete: 'email', required: true, type: 'email' },
  name: { name: 'name', autocomplete: 'name', required: true },
  line1: { name: 'line1', autocomplete: 'address-line1', required: true },
  line2: { name: 'line2', autocomplete: 'address-line2', required: false },
  city: { name: 'city', autocomplete: 'address-level2', required: true },
  region: { name: 'region', autocomplete: 'address-level1', required: false },
  postalCode: { name: 'postalCode', autocomplete: 'postal-code', required: false },
  phone: { name: 'phone', autocomplete: 'tel', required: false, type: 'tel' },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FORM_ID = 'shipping-form';

/** Messages of this browser's checks, per flow, so they survive re-renders. */
const checked = new WeakMap<CheckoutFlow, Partial<Record<FieldName | 'country', string>>>();

function label(flow: CheckoutFlow, name: FieldName | 'country'): string {
  return flow.host.i18n.t[name];
}

/** This browser's checks, in the reader's language, before anything is sent. */
function validate(flow: CheckoutFlow, contact: Contact) {
  const { t } = flow.host.i18n;
  const errors: Partial<Record<FieldName | 'country', string>> = {};
  const email = contact.email.trim();
  if (!email) errors.email = t.required(t.email);
  else if (!EMAIL.test(email)) errors.email = t.invalidEmail;
  for (const f of Object.values(FIELDS)) {
    if (f.name !== 'email' && f.required && !contact.address[f.name]?.trim())
      errors[f.name] = t.required(label(flow, f.name));
  }
  if (!contact.address.country) errors.country = t.required(t.country);
  return errors;
}

/** The endpoint's field errors ("shippingAddress.city"), in the reader's language. */
function serverMessages(flow: CheckoutFlow): Partial<Record<string, string>> {
  const { t } = flow.host.i18n;
  const error = flow.state.error;
  const out: Partial<Record<string, string>> = {};
  for (const path of Object.keys(error?.fields ?? {})) {
    const name = path.replace(/^shippingAddress\.?/, '') || 'line1';
    if (name in FIELDS || name === 'country')
      out[name] = t.checkField(label(flow, name as FieldName));
  }
  if (error?.code === 'does_not_ship') out.country = t.errors.does_not_ship;
  return out;
}

/** Step 2 (physical goods): who it goes to and where. */
export function renderShippingStep(flow: CheckoutFlow): StepView {
  const { i18n } = flow.host;
  const { t } = i18n;
  const { contact, busy } = flow.state;
  const local = checked.get(flow) ?? {};
  const server = serverMessages(flow);
  const message = (name: FieldName | 'country') => local[name] ?? server[name];
  const countries = [...flow.product.shipsTo].sort((a, b) =>
    i18n.country(a).localeCompare(i18n.country(b), i18n.locale),
  );

  const submit = (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const errors = validate(flow, flow.state.contact);
    checked.set(flow, errors);
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

  /** Once a field was found wanting, it is checked again as the reader corrects it. */
  const recheck = (name: FieldName | 'country') => {
    if (!local[name]) return;
    const again = validate(flow, flow.state.contact)[name];
    checked.set(flow, { ...local, [name]: again });
  };

  const describedBy = (id: string, msg: string | undefined, extra?: string) =>
    [msg ? `${id}-msg` : '', extra ?? ''].filter(Boolean).join(' ') || nothing;

  const input = (f: FieldSpec) => {
    const id = `f-${f.name}`;
    const value = f.name === 'email' ? contact.email : (contact.address[f.name] ?? '');
    const msg = message(f.name);
    return html`<div part="field" class="field">
      <label for=${id}>
        ${label(flow, f.name)}${f.required ? nothing : html` <span class="optional">(${t.optional})</span>`}
      </label>
      <input
        id=${id}
        name=${f.name}
        type=${f.type ?? 'text'}
        autocomplete=${f.autocomplete}
        ?required=${f.required}
        ?readonly=${busy}
        dir=${f.type ? 'ltr' : nothing}
        .value=${value}
        aria-invalid=${msg ? 'true' : 'false'}
        aria-describedby=${describedBy(id, msg)}
        @input=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          flow.setContact(f.name === 'email' ? { email: v } : { address: { [f.name]: v } });
          recheck(f.name);
        }}
      />
      ${msg ? html`<p class="message" id=${`${id}-msg`}>${msg}</p>` : nothing}
    </div>`;
  };

  const countryMsg = message('country');
  const body = html`<form id=${FORM_ID} novalidate @submit=${submit}>
      ${input(FIELDS.email)}
      <div class="field checkbox">
        <input
          id="f-share"
          type="checkbox"
          .checked=${contact.shareEmail}
          ?disabled=${busy}
          aria-describedby="f-share-help"
          @change=${(e: Event) => flow.setContact({ shareEmail: (e.target as HTMLInputElement).checked })}
        />
        <label for="f-share">${t.shareEmail}</label>
        <p class="help" id="f-share-help">${t.shareEmailHelp}</p>
      </div>
      ${[FIELDS.name, FIELDS.line1, FIELDS.line2, FIELDS.city, FIELDS.region, FIELDS.postalCode].map(input)}
      <div part="field" class="field">
        <label for="f-country">${t.country}</label>
        <select
          id="f-country"
          name="country"
          autocomplete="country"
          required
          ?disabled=${busy}
          aria-invalid=${countryMsg ? 'true' : 'false'}
          aria-describedby=${describedBy('f-country', countryMsg)}
          @change=${(e: Event) => {
            flow.setContact({ address: { country: (e.target as HTMLSelectElement).value } });
            recheck('country');
          }}
        >
          <option value="" ?selected=${!contact.address.country}>${t.choose(t.country)}</option>
          ${countries.map(
            (c) =>
              html`<option value=${c} ?selected=${contact.address.country === c}>${i18n.country(c)}</option>`,
          )}
        </select>
        ${countryMsg ? html`<p class="message" id="f-country-msg">${countryMsg}</p>` : nothing}
      </div>
      ${input(FIELDS.phone)}
    </form>
    ${renderError(flow)} ${renderTotals(flow)}`;
  return { body, footer: renderFooter(flow, t.continue, { form: FORM_ID }) };
}
