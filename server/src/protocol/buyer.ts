import { z } from '@hono/zod-openapi';
import { Email } from './checkouts.ts';
import { Timestamp } from './common.ts';
import { BuyerConsent, SavedAddress, SavedPaymentMethod } from './saved-details.ts';

export { BuyerConsent, SavedAddress, SavedPaymentMethod };

/** The buyer's wallet (docs/wallet.md): sign-in, masked saved details, deletion. */

export const RequestBuyerCodeBody = z
  .object({ email: Email })
  .strict()
  .openapi('RequestBuyerCode', { example: { email: 'reader@example.com' } });
export type RequestBuyerCodeBody = z.infer<typeof RequestBuyerCodeBody>;

/** The same answer whether or not the address has a wallet. */
export const BuyerCodeRequested = z
  .object({
    /** When the code stops working. */
    expiresAt: Timestamp,
    codeLength: z.literal(6),
  })
  .openapi('BuyerCodeRequested');
export type BuyerCodeRequested = z.infer<typeof BuyerCodeRequested>;

/** Six digits; spaces a buyer pasted along are ignored. */
export const BuyerCode = z
  .string()
  .max(20)
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'must be the 6 digits of the code'))
  .openapi({ example: '042917' });

export const HostToken = z
  .string()
  .min(1)
  .max(8192)
  .openapi({ description: 'A buyer token (JWT) signed by a host platform the endpoint trusts' });

/**
 * Sign in with `{email, code}` (an emailed code), `{hostToken}` (a host platform's buyer token),
 * or `{hostToken, email, code}` (also links the host's user to that email's wallet: only a
 * code proves the email).
 */
export const CreateBuyerSessionBody = z
  .object({
    email: Email.optional(),
    code: BuyerCode.optional(),
    hostToken: HostToken.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.email !== undefined && b.code === undefined)
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'required with email' });
    if (b.code !== undefined && b.email === undefined)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'required with code' });
    if (b.email === undefined && b.code === undefined && b.hostToken === undefined)
      ctx.addIssue({ code: 'custom', path: [], message: 'send email and code, or hostToken' });
  })
  .openapi('CreateBuyerSession', { example: { email: 'reader@example.com', code: '042917' } });
export type CreateBuyerSessionBody = z.infer<typeof CreateBuyerSessionBody>;

export const BuyerWallet = z
  .object({
    /** Masked: `a•••@example.com`; null for a wallet opened by a host sign-in alone. */
    email: z.string().nullable(),
    /** Host platforms (token issuers) whose sign-in opens this wallet. */
    hosts: z.array(z.string()),
    addresses: z.array(SavedAddress),
    paymentMethods: z.array(SavedPaymentMethod),
    /** Sellers the buyer lets see their email; withdrawn with `DELETE /v1/buyer/consents/{sellerId}`. */
    consents: z.array(BuyerConsent),
  })
  .openapi('BuyerWallet', {
    example: {
      email: 'r•••@example.com',
      hosts: [],
      addresses: [
        {
          id: 'adr_x1',
          name: 'Layla Haddad',
          line1: '•• Harbour St',
          city: 'Beirut',
          country: 'LB',
        },
      ],
      paymentMethods: [{ id: 'tpm_x1', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 }],
      consents: [
        { sellerId: 'sel_x1', sellerName: 'Nour Ceramics', grantedAt: '2026-12-01T10:00:00.000Z' },
      ],
    },
  });
export type BuyerWallet = z.infer<typeof BuyerWallet>;

export const BuyerSession = z
  .object({
    /** `Authorization: Bearer <sessionToken>` on the other buyer calls. Shown once. */
    sessionToken: z.string().openapi({ example: 'bip_sess_…' }),
    expiresAt: Timestamp,
    buyer: BuyerWallet,
  })
  .openapi('BuyerSession');
export type BuyerSession = z.infer<typeof BuyerSession>;

/**
 * The seller webhook sent when a buyer who let the seller see their email erases their wallet
 * (GDPR Art. 19): the seller should erase that email from its own records of these orders. It
 * names the orders, never the email.
 */
export const BuyerErasedEvent = z
  .object({
    id: z.string(),
    type: z.literal('buyer.erased'),
    createdAt: Timestamp,
    data: z.object({
      orders: z.array(z.object({ id: z.string(), number: z.string() })),
    }),
  })
  .openapi('BuyerErasedEvent');
export type BuyerErasedEvent = z.infer<typeof BuyerErasedEvent>;
