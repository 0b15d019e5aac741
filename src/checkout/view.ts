import { nothing } from 'lit';
import type { CheckoutHost, CheckoutView } from '../internal/checkout-port.ts';
import { checkoutStyles } from './checkout.styles.ts';
import { CheckoutDialog, type OpenPanel, renderDialog, stepProgress, stepTitle } from './dialog.ts';
import { CheckoutFlow } from './flow.ts';
import type { StepActions, StepContext } from './steps/context.ts';
import type { PanelHost, PanelName } from './wallet/panel.ts';
import { SavedDetailsPanel } from './wallet/saved-details.ts';
import { SignInPanel } from './wallet/sign-in.ts';

/**
 * The checkout as the element sees it (internal/checkout-port.ts): the dialog, the steps in it,
 * and the flow behind them. Each render hands the steps a StepContext — the flow's state and the
 * reader's actions — so no step reaches the flow itself. Closing, however it happens, ends in
 * one call to the element, `host.checkoutClosed()`. The wallet's panels (sign-in, saved details)
 * take the dialog's place over the step and hand back to it.
 */
export class CheckoutDialogView implements CheckoutView {
  private readonly dialog: CheckoutDialog;
  private readonly flow: CheckoutFlow;
  /** Bound once, so templates do not make new listeners each render. */
  private readonly actions: StepActions;
  /** The wallet panel over the step, if one is open. */
  private panel: PanelName | null = null;
  private readonly signIn: SignInPanel;
  private readonly savedDetails: SavedDetailsPanel;

  /** Whether the dialog's styles are among the element's yet (they come with its first render). */
  private styled = false;

  constructor(private readonly host: CheckoutHost) {
    this.dialog = new CheckoutDialog(host, () => {
      this.panel = null; // a panel is a moment: the next open shows the step
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
      openSignIn: () => this.openPanel('sign-in'),
      openSavedDetails: () => this.openPanel('saved-details'),
      chooseSavedAddress: (id) => flow.chooseSavedAddress(id),
      shareEmail: (share) => void flow.shareEmail(share),
    };
    const panels: PanelHost = {
      account: flow.account,
      get i18n() {
        return flow.i18n;
      },
      element: host.element,
      requestUpdate: () => host.requestUpdate(),
      rendered: () => host.updateComplete,
      announce: (text) => this.dialog.announce(text),
      close: () => this.closePanel(),
      open: (panel) => this.openPanel(panel),
      signedIn: () => flow.walletChanged(),
      gone: (ids) => flow.savedGone(ids),
    };
    this.signIn = new SignInPanel(panels);
    this.savedDetails = new SavedDetailsPanel(panels);
  }

  /** Shows a wallet panel over the step; its title is announced and its heading focused. */
  private openPanel(panel: PanelName) {
    if (this.flow.state.busy) return;
    this.panel = panel;
    if (panel === 'sign-in') this.signIn.reset();
    else void this.savedDetails.open();
    this.host.requestUpdate();
    this.dialog.announce(this.flow.i18n.t[panel === 'sign-in' ? 'signInTitle' : 'savedTitle']);
    void this.dialog.focusHeading();
  }

  /** Back to the step, as it was. */
  private closePanel() {
    if (!this.panel) return;
    this.panel = null;
    this.host.requestUpdate();
    this.dialog.announce(this.stepAnnouncement());
    void this.dialog.focusHeading();
  }

  /** What the steps see (test hooks read `state`, as the steps do). */
  get state() {
    return this.flow.state;
  }

  async show() {
    if (this.dialog.element?.open) return this.dialog.focusHeading();
    this.dialog.show();
    await this.flow.opened();
    // The step is said once the dialog's first frame is on its way: said now, the live region's
    // two renders ('' then the words) would lay the page out again in the task of the press —
    // after showModal() has just restyled all of it — for words no one hears before that frame.
    requestAnimationFrame(() => this.dialog.announce(this.stepAnnouncement()));
    await this.dialog.focusHeading();
  }

  hide() {
    this.dialog.close();
  }

  render() {
    if (!this.host.open) return nothing;
    // The dialog's styles arrive with this chunk: added to the element's own with the dialog's
    // first render, in the task that shows it, so the page restyles once for both. Not when the
    // view is made (the reader's pointer nearing Buy): the pointer's next hit test would restyle
    // and lay out the page for them first, on the way to the press.
    if (!this.styled) this.host.addStyles(checkoutStyles);
    this.styled = true;
    return renderDialog(this.context(), this.dialog, this.openPanelView());
  }

  private openPanelView(): OpenPanel | null {
    if (!this.panel) return null;
    const view = this.panel === 'sign-in' ? this.signIn.render() : this.savedDetails.render();
    return { name: this.panel, view, close: () => this.closePanel() };
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
      wallet: flow.wallet,
      quickPay: flow.quickPay(),
    };
  }

  private stepAnnouncement(): string {
    const ctx = { state: this.flow.state, steps: this.flow.steps, i18n: this.flow.i18n };
    const title = stepTitle(ctx.i18n, ctx.state.step);
    const progress = stepProgress(ctx);
    return progress ? `${progress}: ${title}` : title;
  }
}
