// The base of every dashboard page. Pages render into the light DOM, not a shadow root: the
// dashboard is a whole document of its own, styled by one stylesheet (styles.css), and a label's
// `for`, aria-describedby and the browser's form features only work within one tree.
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { LocaleController } from './i18n.ts';
import type { Session } from './session.ts';

export abstract class Page extends LitElement {
  /** The signed-in seller's session (null only on the sign-in page). */
  @property({ attribute: false }) session: Session | null = null;

  protected readonly i18n = new LocaleController(this);
  /** Aborted when the page leaves: its requests stop with it. */
  protected abort = new AbortController();

  protected override createRenderRoot() {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.abort = new AbortController();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort.abort();
  }

  /** The seller's currency (every price of a shop is in it). */
  protected get currency(): string {
    return this.session?.seller.currency ?? 'USD';
  }
}
