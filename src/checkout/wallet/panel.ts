import type { nothing, TemplateResult } from 'lit';
import type { I18n } from '../../i18n/locale.ts';
import type { Messages } from '../../i18n/messages.ts';
import type { BuyerAccount } from './account.ts';

/*
 * The seam between the dialog and the wallet's panels (sign-in, saved details), types only. A
 * panel takes the dialog's place over the current step — header title, body, footer — and hands
 * back to the step with `close()`; the step's state is untouched meanwhile.
 */

export type PanelName = 'sign-in' | 'saved-details';

/** What a panel renders in the dialog. */
export interface PanelView {
  title: string;
  body: TemplateResult;
  footer: TemplateResult | typeof nothing;
}

/** What a panel may use of the checkout around it. */
export interface PanelHost {
  readonly account: BuyerAccount;
  readonly i18n: I18n<Messages>;
  /** The element: events are dispatched on it. */
  readonly element: HTMLElement;
  requestUpdate(): void;
  /** Resolves once the element has rendered what is pending (to move the focus into it). */
  rendered(): Promise<unknown>;
  /** Says `text` in the dialog's polite live region. */
  announce(text: string): void;
  /** Back to the step (its heading takes the focus). */
  close(): void;
  /** Opens the other panel. */
  open(panel: PanelName): void;
  /** The reader signed in here: the checkout may use their wallet now. */
  signedIn(): void;
  /** Saved details went away (`ids`; all of them when absent): undo choices that used them. */
  gone(ids?: readonly string[]): void;
}

/** Moves the focus to `selector` in the dialog once rendered (after a removal, say). */
export async function focusAfterRender(host: PanelHost, selector: string) {
  await host.rendered();
  host.element.shadowRoot?.querySelector<HTMLElement>(selector)?.focus();
}
