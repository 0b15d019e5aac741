import type { ShippingAddress } from '../internal/types.ts';

/*
 * Who the order goes to and where: the reader's entries, this browser's checks of them, and the
 * endpoint's verdict on them — all as data (kinds of problem, not sentences). The shipping step
 * puts the kinds into words in the reader's language when it renders. Pure functions.
 */

export interface Contact {
  email: string;
  shareEmail: boolean;
  address: Partial<ShippingAddress>;
}

/** A field of the contact form. */
export type ContactField = keyof ShippingAddress | 'email';

/**
 * What is wrong with a field: `required` (empty), `invalid_email`, `rejected` (the endpoint
 * refused the value), `does_not_ship` (the seller does not ship to that country).
 */
export type FieldProblem = 'required' | 'invalid_email' | 'rejected' | 'does_not_ship';

export type FieldProblems = Partial<Record<ContactField, FieldProblem>>;

const FIELDS: ReadonlySet<string> = new Set<ContactField>([
  'email',
  'name',
  'line1',
  'line2',
  'city',
  'region',
  'postalCode',
  'country',
  'phone',
]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The fields without which nothing can be sent or shipped, in the form's order. */
export const REQUIRED_FIELDS = ['email', 'name', 'line1', 'city', 'country'] as const;

export interface ContactRules {
  /**
   * False for a signed-in reader: their wallet already identifies them, so an email is theirs to
   * give or not (one that is given must still look like one).
   */
  emailRequired?: boolean;
}

/** This browser's checks, before anything is sent; in the form's order (the first gets focus). */
export function checkContact(contact: Contact, rules: ContactRules = {}): FieldProblems {
  const problems: FieldProblems = {};
  const email = contact.email.trim();
  if (!email) {
    if (rules.emailRequired !== false) problems.email = 'required';
  } else if (!EMAIL.test(email)) problems.email = 'invalid_email';
  for (const name of REQUIRED_FIELDS)
    if (name !== 'email' && !contact.address[name]?.trim()) problems[name] = 'required';
  return problems;
}

/**
 * Once a field was found wanting, it is checked again as the reader corrects it; a field that
 * was fine is not flagged while the reader is still typing.
 */
export function recheck(
  problems: FieldProblems,
  contact: Contact,
  rules: ContactRules = {},
): FieldProblems {
  const now = checkContact(contact, rules);
  const kept = Object.keys(problems).filter((f) => now[f as ContactField]);
  return Object.fromEntries(kept.map((f) => [f, now[f as ContactField]]));
}

/** The endpoint's verdict on the contact fields (its paths: `email`, `shippingAddress.city`). */
export function rejectedFields(
  error: { code: string; fields?: Record<string, string> } | null,
): FieldProblems {
  const problems: FieldProblems = {};
  for (const path of Object.keys(error?.fields ?? {})) {
    // the address as a whole ("shippingAddress") is shown on its first line
    const name = path.replace(/^shippingAddress\.?/, '') || 'line1';
    if (FIELDS.has(name)) problems[name as ContactField] = 'rejected';
  }
  if (error?.code === 'does_not_ship') problems.country = 'does_not_ship';
  return problems;
}

/** The address, if every required field is filled (blank optional fields are left out). */
export function addressFrom(contact: Contact): ShippingAddress | null {
  const a = contact.address;
  const v = (s: string | undefined) => s?.trim() || undefined;
  const [name, line1, city, country] = [v(a.name), v(a.line1), v(a.city), v(a.country)];
  if (!name || !line1 || !city || !country) return null;
  const optional = {
    line2: v(a.line2),
    region: v(a.region),
    postalCode: v(a.postalCode),
    phone: v(a.phone),
  };
  const present = Object.entries(optional).filter(([, s]) => s !== undefined);
  return { name, line1, city, country, ...Object.fromEntries(present) };
}
