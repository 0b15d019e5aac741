// Anything the path does not name, or a product or order that is not this seller's (the endpoint
// answers 404 for another seller's, never 403: nothing says it exists).
import { html } from 'lit';
import { t } from '../i18n.ts';
import { Page } from '../page.ts';
import { href } from '../router.ts';

export class NotFoundPage extends Page {
  protected override render() {
    return html`<section class="narrow" data-page="not-found">
      <h1 tabindex="-1">${t('app.notFound')}</h1>
      <p>${t('app.notFoundText')}</p>
      <p><a href=${href({ page: 'products' })}>${t('app.backToProducts')}</a></p>
    </section>`;
  }
}
