import { html, nothing } from 'lit';
import type { Messages } from '../../i18n/messages.ts';
import {
  type ContactField,
  type FieldProblem,
  REQUIRED_FIELDS,
  rejectedFields,
} from '../contact.ts';
import { addressText } from '../wallet/labels.ts';
import { buyerOf } from '../wallet/model.ts';
import { renderError, renderFooter, renderTotals } from './common.ts';
import type { StepContext, StepView } from './context.ts';

/** The fields drawn as text inputs (the country is a select). */
type FieldName = Exclude<ContactField, 'country'>;

interface FieldSpec {
  name: FieldName;
  /** The autofill token (https://html.spec.whatwg.org/#autofill-field). */
  autocomplete: string;
  type?: 'email' | 'tel';
}

const FIELDS: Record<FieldName, FieldSpec> = {
  email: { name: 'email', autocomplete: 'email', type: 'email' },
  name: { name: 'name', autocomplete: 'name' },
  line1: { name: 'line1', autocomplete: 'address-line1' },
  line2: { name: 'line2', autocomplete: 'address-line2' },
  city: { name: 'city', autocomplete: 'address-level2' },
  region: { name: 'region', autocomplete: 'address-level1' },
  postalCode: { name: 'postalCode', autocomplete: 'postal-code' },
  phone: { name: 'phone', autocomplete: 'tel', type: 'tel' },
};

/** Marked required and checked as such (contact.ts decides which). */
const requiredField = (name: ContactField) => (REQUIRED_FIELDS as readonly string[]).includes(name);

const FORM_ID = 'shipping-form';

/** A field's problem (contact.ts), in the reader's language. */
function say(t: Messages, name: ContactField, problem: FieldProblem): string {
  switch (problem) {
    case 'required':
      return t.required(t[name]);
    case 'invalid_email':
      return t.invalidEmail;
    case 'rejected':
      return t.checkField(t[name]);
    case 'does_not_ship':
      return t.errors.does_not_ship;
  }
}

/** Step 2 (physical goods): who it goes to and where. */
export function renderShippingStep(ctx: StepContext): StepView {
  const { i18n, actions } = ctx;
  const { t } = i18n;
  const { contact, busy, contactProblems } = ctx.state;
  // A signed-in reader's wallet already says who they are: the email is theirs to give or not.
  const signedIn = buyerOf(ctx.state.checkout) !== null;
  const required = (name: ContactField) => requiredField(name) && !(signedIn && name === 'email');
  // this browser's checks first; then what the endpoint said of the values it was sent
  const problems = { ...rejectedFields(ctx.state.error), ...contactProblems };
  const message = (name: ContactField) => {
    const problem = problems[name];
    return problem ? say(t, name, problem) : undefined;
  };
  const countries = [...ctx.product.shipsTo].sort((a, b) =>
    i18n.country(a).localeCompare(i18n.country(b), i18n.locale),
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const first = actions.submitContact();
    // once its message is rendered, so that it is read with the field
    if (first)
      void ctx.rendered().then(() => form.querySelector<HTMLElement>(`#f-${first}`)?.focus());
  };
  const describedBy = (id: string, msg: string | undefined, extra?: string) =>
    [msg ? `${id}-msg` : '', extra ?? ''].filter(Boolean).join(' ') || nothing;

  const input = (f: FieldSpec) => {
    const id = `f-${f.name}`;
    const value = f.name === 'email' ? contact.email : (contact.address[f.name] ?? '');
    const msg = message(f.name);
    return html`<div part="field" class="field">
      <label for=${id}>
        ${t[f.name]}${required(f.name) ? nothing : html` <span class="optional">(${t.optional})</span>`}
      </label>
      <input
        id=${id}
        name=${f.name}
        type=${f.type ?? 'text'}
        autocomplete=${f.autocomplete}
        ?required=${required(f.name)}
        ?readonly=${busy}
        dir=${f.type ? 'ltr' : nothing}
        .value=${value}
        aria-invalid=${msg ? 'true' : 'false'}
        aria-describedby=${describedBy(id, msg)}
        @input=${(e: Event) => {
          const v = (e.target as HTMLInputElement).value;
          actions.setContact(f.name === 'email' ? { email: v } : { address: { [f.name]: v } });
        }}
      />
      ${msg ? html`<p class="message" id=${`${id}-msg`}>${msg}</p>` : nothing}
    </div>`;
  };

  const countryMsg = message('country');
  // A signed-in reader ships to one of their saved addresses, or types a new one.
  const saved = buyerOf(ctx.state.checkout)?.addresses ?? [];
  const chosen = saved.some((a) => a.id === ctx.state.savedAddressId)
    ? ctx.state.savedAddressId
    : null;
  const savedChoice = (id: string | null, label: string) => {
    const inputId = id ? `adr-${id}` : 'adr-new';
    return html`<div class="saved-choice">
      <input
        type="radio"
        name="saved-address"
        id=${inputId}
        .checked=${chosen === id}
        ?disabled=${busy}
        @change=${() => actions.chooseSavedAddress(id)}
      />
      <label for=${inputId}>${label}</label>
    </div>`;
  };
  const savedAddresses = saved.length
    ? html`<fieldset class="saved-choices">
        <legend>${t.shipTo}</legend>
        ${saved.map((a) => savedChoice(a.id, addressText(a, i18n)))}
        ${savedChoice(null, t.newAddress)}
      </fieldset>`
    : nothing;
  const addressFields = html`${[FIELDS.name, FIELDS.line1, FIELDS.line2, FIELDS.city, FIELDS.region, FIELDS.postalCode].map(input)}
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
            actions.setContact({ address: { country: (e.target as HTMLSelectElement).value } });
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
      ${input(FIELDS.phone)}`;
  const body = html`<form id=${FORM_ID} novalidate @submit=${submit}>
      ${input(FIELDS.email)}
      <div class="field checkbox">
        <input
          id="f-share"
          type="checkbox"
          .checked=${contact.shareEmail}
          ?disabled=${busy}
          aria-describedby="f-share-help"
          @change=${(e: Event) => actions.setContact({ shareEmail: (e.target as HTMLInputElement).checked })}
        />
        <label for="f-share">${t.shareEmail}</label>
        <p class="help" id="f-share-help">${t.shareEmailHelp}</p>
      </div>
      ${savedAddresses} ${chosen ? nothing : addressFields}
    </form>
    ${renderError(ctx)} ${renderTotals(ctx)}`;
  return { body, footer: renderFooter(ctx, t.continue, { form: FORM_ID }) };
}
