import type { App } from './app.ts';
import type { CreateProductBody, ShippingZone, TaxRate } from './protocol/seller.ts';
import { CreateProductBody as CreateProductSchema } from './protocol/seller.ts';

export interface SeededSeller {
  id: string;
  name: string;
  kind: string;
  apiKey: string;
  webhookSecret: string;
  products: string[];
}

const ZONES: ShippingZone[] = [
  { name: 'Domestic', countries: ['US'], rate: 500, freeOver: 7500 },
  { name: 'Canada & Mexico', countries: ['CA', 'MX'], rate: 1200, freeOver: 15000 },
  {
    name: 'International',
    countries: [
      'GB',
      'FR',
      'DE',
      'ES',
      'IT',
      'NL',
      'AE',
      'SA',
      'EG',
      'JO',
      'LB',
      'MA',
      'QA',
      'KW',
      'JP',
      'AU',
    ],
    rate: 1800,
    freeOver: null,
  },
];
const TAX: TaxRate[] = [
  { country: 'GB', rateBps: 2000 },
  { country: 'FR', rateBps: 2000 },
  { country: 'DE', rateBps: 1900 },
  { country: 'AE', rateBps: 500 },
  { country: 'SA', rateBps: 1500 },
];

/**
 * The demo catalogue. `img` names each picture: they are offline placeholders served by the
 * demo server (`demo/serve.ts`, `GET /img/{slug}.svg`).
 */
const demo = (
  img: (slug: string, alt: string) => { url: string; alt: string },
): {
  seller: { name: string; kind: 'artist' | 'brand' | 'nonprofit' };
  products: CreateProductBody[];
}[] => [
  {
    seller: { name: 'Nour & the Night Trains', kind: 'artist' },
    products: [
      {
        id: 'tour-tee',
        title: 'World Tour 2026 T-shirt',
        description: 'Heavyweight organic cotton, printed by hand for the 2026 tour.',
        url: 'https://example.com/nour/tour-tee',
        kind: 'physical',
        options: [
          { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
          { name: 'Colour', values: ['Black', 'Sand'] },
        ],
        images: [img('tour-tee', 'Black T-shirt with the tour dates printed on the back')],
        variants: ['S', 'M', 'L', 'XL'].flatMap((size) =>
          ['Black', 'Sand'].map((colour) => ({
            id: `tour-tee-${size.toLowerCase()}-${colour.toLowerCase()}`,
            options: { Size: size, Colour: colour },
            price: 2500,
            compareAtPrice: null,
            // Sand XL is sold out, Black S is nearly gone: the picker shows both states.
            stock:
              colour === 'Sand' && size === 'XL' ? 0 : colour === 'Black' && size === 'S' ? 3 : 40,
          })),
        ),
      },
      {
        id: 'vinyl-lp',
        title: 'Night Trains — vinyl LP',
        description: '180 g black vinyl with a printed inner sleeve.',
        url: 'https://example.com/nour/vinyl',
        kind: 'physical',
        options: [],
        images: [img('vinyl', 'A black vinyl record half out of its blue sleeve')],
        variants: [
          { id: 'vinyl-lp-std', options: {}, price: 3200, compareAtPrice: 3800, stock: 25 },
        ],
      },
      {
        id: 'digital-album',
        title: 'Night Trains — digital album',
        description: 'Ten tracks, lossless FLAC and MP3.',
        url: 'https://example.com/nour/album',
        kind: 'digital',
        options: [],
        images: [img('album', 'Album cover: a train crossing a desert at night')],
        variants: [{ id: 'digital-album-std', options: {}, price: 900, stock: null }],
      },
    ],
  },
  {
    seller: { name: 'Kinetic Footwear', kind: 'brand' },
    products: [
      {
        id: 'runner-sneakers',
        title: 'Kinetic Runner sneakers',
        description: 'Lightweight knit runners with a recycled sole.',
        url: 'https://example.com/kinetic/runner',
        kind: 'physical',
        options: [{ name: 'Size', values: ['40', '41', '42', '43', '44', '45'] }],
        images: [img('sneakers', 'White knit running shoe with an orange sole, side view')],
        variants: ['40', '41', '42', '43', '44', '45'].map((size) => ({
          id: `runner-${size}`,
          options: { Size: size },
          price: 8900,
          compareAtPrice: 11000,
          stock: size === '45' ? 0 : 12,
        })),
      },
    ],
  },
  {
    seller: { name: 'Green Shores Trust', kind: 'nonprofit' },
    products: [
      {
        id: 'shore-tote',
        title: 'Clean Shores tote bag',
        description: 'Every bag funds a beach clean-up hour.',
        url: 'https://example.com/greenshores/tote',
        kind: 'physical',
        options: [{ name: 'Colour', values: ['Natural', 'Ocean'] }],
        images: [img('tote', 'Canvas tote bag printed with a wave')],
        variants: [
          { id: 'shore-tote-natural', options: { Colour: 'Natural' }, price: 1800, stock: 60 },
          { id: 'shore-tote-ocean', options: { Colour: 'Ocean' }, price: 1800, stock: 60 },
        ],
      },
      {
        id: 'shore-donation',
        title: 'Donate a clean-up hour',
        description: 'Funds one volunteer hour of beach cleaning, with a digital thank-you card.',
        url: 'https://example.com/greenshores/donate',
        kind: 'digital',
        options: [{ name: 'Amount', values: ['$10', '$25', '$50'] }],
        images: [img('donate', 'Volunteers collecting litter on a beach at sunrise')],
        variants: [
          { id: 'donation-10', options: { Amount: '$10' }, price: 1000, stock: null },
          { id: 'donation-25', options: { Amount: '$25' }, price: 2500, stock: null },
          { id: 'donation-50', options: { Amount: '$50' }, price: 5000, stock: null },
        ],
      },
    ],
  },
];

/** Creates the demo sellers and catalogue (through the same services as the seller API). */
export async function seedDemo(
  app: App,
  opts: { imageBase?: string } = {},
): Promise<{ sellers: SeededSeller[] }> {
  const imageBase = opts.imageBase ?? `${app.config.publicUrl}/img`;
  const img = (slug: string, alt: string) => ({ url: `${imageBase}/${slug}.svg`, alt });
  const sellers: SeededSeller[] = [];
  for (const { seller, products } of demo(img)) {
    const created = await app.services.sellers.create({
      ...seller,
      shippingZones: ZONES,
      taxRates: TAX,
    });
    const ids: string[] = [];
    for (const p of products) {
      const product = await app.services.catalog.createProduct(
        created.id,
        CreateProductSchema.parse(p),
      );
      if (product.kind === 'digital') {
        const data = new TextEncoder().encode(
          `Thank you for supporting ${seller.name}!\nThis file stands in for "${product.title}".\n`,
        );
        await app.services.catalog.putFile(created.id, product.id, {
          name: `${product.id}.txt`,
          contentType: 'text/plain; charset=utf-8',
          data,
        });
      }
      ids.push(product.id);
    }
    sellers.push({
      id: created.id,
      name: seller.name,
      kind: seller.kind,
      apiKey: created.apiKey,
      webhookSecret: created.webhookSecret,
      products: ids,
    });
  }
  return { sellers };
}
