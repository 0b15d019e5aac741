import { nothing } from 'lit';
import type { CheckoutHost, CheckoutView } from '../internal/checkout-port.ts';
import { checkoutStyles } from './checkout.styles.ts';
import { CheckoutDialog, renderDialog, stepProgress, stepTitle } from './dialog.ts';
import { CheckoutFlow } from './flow.ts';
import type { StepActions, StepContext } from './steps/context.ts';

/**
 * The checkout as the element sees it (internal/checkout-port.ts): the dialog, the steps in it,
 * and the flow behind them. Each render hands the steps a StepContext — the flow's state and the
 * reader's actions — so no step reaches the flow itself. Closing, however it happens, ends in
 * one call to the element, `host.checkoutClosed()`.
 */
export class CheckoutDialogView implements CheckoutView {
  private readonly dialog: CheckoutDialog;
  private readonly flow: CheckoutFlow;
  /** Bound once, so templates do not make new listeners each render. */
  private readonly actions: StepActions;

  constructor(private readonly host: CheckoutHost) {
    // The dialog's styles arrive with this chunk: add them to the element's own.
    host.addStyles(checkoutStyles);
    this.dialog = new CheckoutDialog(host, () => {
      this.flow.closed();
      host.checkoutClosed();
    });
    this.flow = new CheckoutFlow(host, {
      announce: (text) => this.dialog.announce(text),
      stepChanged: () => {
        this.dialog.announce(this.stepAnnouncement());
        void this.dialog.focusHeading();
      },
      outOfTopLayer: (work) => this.dialog.outOfTopLayer(work),
      close: () => this.hide(),
    });
    const flow = this.flow;
    this.actions = {
      continue: () => void flow.continue(),
      back: () => flow.dispatch({ type: 'back' }),
      close: () => this.hide(),
      startAgain: () => flow.startAgain(),
      select: (option, value) => flow.choose({ type: 'select', option, value }),
      chooseVariant: (variantId) => flow.choose({ type: 'variant', variantId }),
      setQuantity: (quantity) => flow.choose({ type: 'quantity', quantity }),
      setContact: (contact) => flow.dispatch({ type: 'contact', contact }),
      submitContact: () => flow.submitContact(),
      edit: (step) => flow.dispatch({ type: 'edit', step }),
    };
  }

  /** What the steps see (test hooks read `state`, as the steps do). */
  get state() {
    return this.flow.state;
  }

  async show() {
    if (this.dialog.element?.open) return this.dialog.focusHeading();
    this.dialog.show();
    await this.flow.opened();
    this.dialog.announce(this.stepAnnouncement());
    await this.dialog.focusHeading();
  }

  hide() {
    this.dialog.close();
  }

  render() {
    return this.host.open ? renderDialog(this.context(), this.dialog) : nothing;
  }

  productChanged() {
    this.flow.productChanged();
    this.host.requestUpdate();
  }

  dispose() {
    this.flow.stop();
    this.host.removeController(this.flow);
  }

  private context(): StepContext {
    const flow = this.flow;
    return {
      state: flow.state,
      product: flow.product,
      i18n: flow.i18n,
      steps: flow.steps,
      actions: this.actions,
      payment: () => flow.payment(),
      rendered: () => this.host.updateComplete,
    };
  }

  private stepAnnouncement(): string {
    const ctx = { state: this.flow.state, steps: this.flow.steps, i18n: this.flow.i18n };
    const title = stepTitle(ctx.i18n, ctx.state.step);
    const progress = stepProgress(ctx);
    return progress ? `${progress}: ${title}` : title;
  }
}
