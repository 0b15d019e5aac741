import { expect } from '@open-wc/testing';
import { buyButton, mountReady, newTee } from './helpers/fixtures.ts';

describe('smoke', () => {
  it('shows the price from the endpoint', async () => {
    const tee = await newTee({ price: 2500 });
    const el = await mountReady(tee.id);
    expect(buyButton(el)!.textContent!.trim()).to.equal('Buy · $25.00');
  });
});
