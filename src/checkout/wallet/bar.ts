import { html, nothing, type TemplateResult } from 'lit';
import type { StepContext } from '../steps/context.ts';

/**
 * The line above the step about saved details: a signed-in reader sees who they are and a way
 * to "Saved details"; a guest is offered sign-in on the first step, before a checkout exists
 * (a checkout started with the reader's session opens with their address and card chosen).
 */
export function renderWalletBar(ctx: StepContext): TemplateResult | typeof nothing {
  const { t } = ctx.i18n;
  const { signedIn, wallet } = ctx.wallet;
  if (signedIn) {
    const who = wallet?.email ? t.signedInAs(wallet.email) : t.signedInHost;
    return html`<div part="wallet" class="wallet-bar">
      <p>${who}</p>
      <button type="button" class="link" @click=${ctx.actions.openSavedDetails}>${t.savedTitle}</button>
    </div>`;
  }
  if (ctx.state.step !== 'product') return nothing;
  return html`<div part="wallet" class="wallet-bar">
    <p>${t.walletGuest}</p>
    <button type="button" class="link" @click=${ctx.actions.openSignIn}>${t.signInOffer}</button>
  </div>`;
}
