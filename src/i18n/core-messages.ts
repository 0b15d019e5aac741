import { localizer } from './locale.ts';

/** The strings the Buy button needs before the checkout chunk loads — and nothing more. */
export interface CoreMessages {
  buy: (price: string) => string;
  buyFrom: (price: string) => string;
  soldOut: string;
  /** Not for sale for another reason than stock (a platform's seller not set up to be paid). */
  unavailable: string;
  loading: string;
  viewProduct: string;
}

export const coreEn: CoreMessages = {
  buy: (price) => `Buy · ${price}`,
  buyFrom: (price) => `Buy · from ${price}`,
  soldOut: 'Sold out',
  unavailable: 'Not available',
  loading: 'Loading price…',
  viewProduct: 'View product page',
};

export const coreAr: CoreMessages = {
  buy: (price) => `اشترِ · ${price}`,
  buyFrom: (price) => `اشترِ · من ${price}`,
  soldOut: 'نفدت الكمية',
  unavailable: 'غير متاح',
  loading: 'جارٍ تحميل السعر…',
  viewProduct: 'فتح صفحة المنتج',
};

/** The core's strings for a locale: all the Buy button may say. */
export const coreI18n = localizer<CoreMessages>({ en: coreEn, ar: coreAr });
