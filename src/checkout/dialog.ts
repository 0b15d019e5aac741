import { html, nothing, type TemplateResult } from 'lit';
import type { I18n } from '../i18n/locale.ts';
import type { Messages } from '../i18n/messages.ts';
import type { CheckoutHost } from '../internal/checkout-port.ts';
import type { Step } from './machine.ts';
import type { StepContext, StepView } from './steps/context.ts';
import { renderDoneStep } from './steps/done.ts';
import { renderPaymentStep } from './steps/payment.ts';
import { renderProductStep } from './steps/product.ts';
import { renderReviewStep } from './steps/review.ts';
import { renderShippingStep } from './steps/shipping.ts';
import { renderWalletBar } from './wallet/bar.ts';
import type { PanelName, PanelView } from './wallet/panel.ts';

const STEPS: Record<Step, (ctx: StepContext) => StepView> = {
  product: renderProductStep,
  shipping: renderShippingStep,
  payment: renderPaymentStep,
  review: renderReviewStep,
  done: renderDoneStep,
};

export function stepTitle({ t }: I18n<Messages>, step: Step): string {
  return {
    product: t.stepProduct,
    shipping: t.stepShipping,
    payment: t.stepPayment,
    review: t.stepReview,
    done: t.stepDone,
  }[step];
}

/** "Step 2 of 4" — the confirmation is not a step the reader has to take, so it is not counted. */
export function stepProgress(ctx: Pick<StepContext, 'steps' | 'state' | 'i18n'>): string {
  const steps: readonly Step[] = ctx.steps.filter((s) => s !== 'done');
  const n = steps.indexOf(ctx.state.step) + 1;
  return n > 0 ? ctx.i18n.t.stepOf(n, steps.length) : '';
}

/** A wallet panel shown over the step (sign-in, saved details), and how to leave it. */
export interface OpenPanel {
  name: PanelName;
  view: PanelView;
  close(): void;
}

/**
 * The dialog: header (back, progress, title, close), the step's body and footer — or a wallet
 * panel's, over the step — and a polite live region. `dir` and `lang` sit on the dialog itself:
 * it is in the top layer, but its styles and direction still come from the tree it is in.
 */
export function renderDialog(
  ctx: StepContext,
  dialog: CheckoutDialog,
  panel: OpenPanel | null = null,
): TemplateResult {
  const { i18n, actions } = ctx;
  const { t } = i18n;
  const { step } = ctx.state;
  const busy = ctx.state.busy && !panel;
  const stepView = panel ? null : STEPS[step](ctx);
  const view = panel?.view ?? stepView!;
  const title = panel?.view.title ?? stepTitle(i18n, step);
  const progress = panel ? '' : stepProgress(ctx);
  const canGoBack = !!panel || (step !== 'product' && step !== 'done');
  const bar = panel ? nothing : renderWalletBar(ctx);
  return html`<dialog
    part="dialog"
    dir=${i18n.dir}
    lang=${i18n.locale}
    aria-labelledby="step-heading"
    aria-describedby=${progress ? 'step-progress' : nothing}
    @cancel=${dialog.handleCancel}
    @close=${dialog.handleClose}
  >
    <header part="header">
      ${
        canGoBack
          ? html`<button
              type="button"
              class="icon back"
              part="back"
              aria-label=${t.back}
              aria-disabled=${busy ? 'true' : nothing}
              @click=${panel ? panel.close : actions.back}
            >
              <span aria-hidden="true">${i18n.dir === 'rtl' ? '→' : '←'}</span>
            </button>`
          : nothing
      }
      <div class="titles">
        ${progress ? html`<p class="progress" id="step-progress">${progress}</p>` : nothing}
        <h2 id="step-heading" tabindex="-1" data-step-heading>${title}</h2>
      </div>
      <button type="button" class="icon close" part="close" aria-label=${t.close} @click=${actions.close}>
        <span aria-hidden="true">×</span>
      </button>
    </header>
    <div part="body" class="body" data-step=${panel?.name ?? step} aria-busy=${busy ? 'true' : 'false'}>
      ${bar}${view.body}
    </div>
    ${view.footer}
    <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      ${dialog.announcement}
    </div>
  </dialog>`;
}

/**
 * The native <dialog>'s life: opened with showModal() (focus trap, Escape and inertness come
 * with it), every way of closing routed through one path that ends in `host.checkoutClosed()`
 * (the element then gives the focus back to its Buy button), headings focused on each step, and
 * a polite live region. No document listeners: everything listens on the dialog, which goes
 * away with it.
 */
export class CheckoutDialog {
  /** Said once by the polite live region. */
  announcement = '';
  /** 'close' events of our own making (leaving the top layer), not the reader closing. */
  private ownCloses = 0;

  constructor(
    private readonly host: CheckoutHost,
    /** Called once the dialog has closed (the flow stops waiting, then tells the host). */
    private readonly closed: () => void,
  ) {}

  get element(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog');
  }

  /** Shows the dialog the element rendered once it set `open`. */
  show() {
    const dialog = this.element;
    if (dialog && !dialog.open) dialog.showModal();
  }

  close() {
    const dialog = this.element;
    if (dialog?.open)
      dialog.close(); // → 'close' → handleClose
    else this.handleClose();
  }

  /** Escape: closes through the same path as the close button. */
  handleCancel = (e: Event) => {
    e.preventDefault();
    this.close();
  };

  /**
   * Runs `work` with the dialog out of the top layer: still open, fixed on screen, but not
   * modal. Stripe's 3-D Secure challenge is an ordinary fixed iframe on <body>; a modal dialog
   * would cover it and make it inert (stripe/stripe-js#599). Modal again afterwards.
   *
   * Meanwhile the host's `content-visibility: auto` (core styles) is lifted: it contains its
   * layout and paint, so the fixed dialog would be placed in the host's box and clipped to it.
   * In the top layer the dialog escapes it.
   */
  async outOfTopLayer<T>(work: () => Promise<T>): Promise<T> {
    const dialog = this.element;
    if (!dialog?.open || !dialog.matches(':modal')) return work();
    const { style } = this.host.element;
    const contentVisibility = style.contentVisibility;
    style.contentVisibility = 'visible';
    this.reopen(dialog, 'show');
    try {
      return await work();
    } finally {
      const now = this.element;
      if (this.host.open && now?.open && !now.matches(':modal')) this.reopen(now, 'showModal');
      style.contentVisibility = contentVisibility;
    }
  }

  private reopen(dialog: HTMLDialogElement, how: 'show' | 'showModal') {
    const focused = this.host.renderRoot.activeElement;
    this.ownCloses++;
    dialog.close();
    dialog[how]();
    if (focused instanceof HTMLElement) focused.focus();
  }

  handleClose = () => {
    if (this.ownCloses > 0) {
      this.ownCloses--;
      return;
    }
    if (!this.host.open) return;
    this.closed();
  };

  /** Empties the live region first, so the same words said twice are still announced. */
  announce(text: string) {
    this.announcement = '';
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => {
      this.announcement = text;
      this.host.requestUpdate();
    });
  }

  /** The step's heading (tabindex=-1) takes the focus once rendered: where a reader starts. */
  async focusHeading() {
    await this.host.updateComplete;
    this.host.renderRoot.querySelector<HTMLElement>('[data-step-heading]')?.focus();
  }
}
