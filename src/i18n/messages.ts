import { type CoreMessages, coreAr, coreEn } from './core-messages.ts';
import { localizer } from './locale.ts';

/**
 * Every string the element shows, in one catalogue (the button's few strings live in
 * core-messages.ts, which is in the core chunk; this file loads with the checkout). English is
 * the reference; each language must have every key (the type checks it). Functions take what
 * varies; plurals go through Intl.PluralRules with the active locale.
 *
 * Longer than other modules on purpose: it is the catalogue, one key per line per language, and
 * a translator reads it top to bottom. Splitting it would only scatter one table.
 */
export interface Messages extends CoreMessages {
  close: string;
  back: string;
  continue: string;
  retry: string;
  stepProduct: string;
  stepShipping: string;
  stepPayment: string;
  stepReview: string;
  stepDone: string;
  stepOf: (n: number, total: number) => string;
  sellerKind: Record<'artist' | 'brand' | 'nonprofit' | 'other', string>;
  by: (seller: string, kind: string) => string;
  was: (price: string) => string;
  quantity: string;
  decrease: string;
  increase: string;
  items: (n: number, rules: Intl.PluralRules) => string;
  onlyLeft: (n: number, rules: Intl.PluralRules) => string;
  optionSoldOut: string;
  optionNotMade: string;
  choose: (option: string) => string;
  subtotal: string;
  shipping: string;
  shippingAtNextStep: string;
  free: string;
  tax: string;
  total: string;
  totalIs: (total: string) => string;
  email: string;
  shareEmail: string;
  shareEmailHelp: string;
  name: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
  optional: string;
  required: (field: string) => string;
  invalidEmail: string;
  checkField: (field: string) => string;
  testMode: string;
  testModeHelp: string;
  cardNumber: string;
  invalidCard: string;
  toReview: (total: string) => string;
  paymentUnsupported: string;
  confirmingPayment: string;
  /** The wait for the endpoint to hear from the payment provider goes on. */
  paymentSlow: string;
  /** Stripe's payment form is loading, or could not load. */
  paymentLoading: string;
  paymentLoadFailed: string;
  /** Between the wallet buttons and the card form. */
  orPayWithCard: string;
  /** The review step's line for a card entered in Stripe's form, and for a wallet. */
  payingByCard: string;
  payingWith: (wallet: string) => string;
  redirectPreparing: string;
  redirectHelp: string;
  redirectGo: string;
  reviewIntro: string;
  confirm: (total: string) => string;
  edit: string;
  thankYou: string;
  orderNumber: (n: string) => string;
  /** The confirmation of an order the seller refunded: its heading, and what was given back. */
  orderRefunded: string;
  refundedFull: (amount: string) => string;
  refundedPartial: (amount: string, total: string) => string;
  whatNextPhysical: string;
  whatNextDigital: string;
  download: string;
  done: string;
  processing: string;
  /** Test-mode decline reasons, by the endpoint's `declineCode`. */
  declines: Record<string, string>;
  errors: {
    payment_failed: string;
    still_processing: string;
    origin_not_allowed: string;
    out_of_stock: string;
    out_of_stock_alternatives: string;
    checkout_expired: string;
    payment_declined: (reason: string) => string;
    network: string;
    does_not_ship: string;
    generic: string;
    variant_unavailable: string;
    rate_limited: string;
    /** A platform's seller who cannot take payments (yet, or any more). */
    seller_not_ready: string;
  };
  startAgain: string;
  resumeNotice: string;
  images: string;
  // ---- saved details (the buyer's wallet) ----
  /** The line above the step for a reader who is not signed in, and its button. */
  walletGuest: string;
  signInOffer: string;
  signedInAs: (email: string) => string;
  /** Signed in through the host site (no email in the wallet). */
  signedInHost: string;
  signedIn: string;
  signInTitle: string;
  signInIntro: string;
  rememberMe: string;
  rememberMeHelp: string;
  sendCode: string;
  codeSent: (email: string) => string;
  codeResent: string;
  codeLabel: string;
  codeFormat: string;
  signInWithCode: string;
  sendNewCode: string;
  otherEmail: string;
  codeWrong: (attemptsLeft: number, rules: Intl.PluralRules) => string;
  codeExpired: string;
  codeTooMany: string;
  mailUnavailable: string;
  walletUnavailable: string;
  savedTitle: string;
  savedLoading: string;
  backToOrder: string;
  addresses: string;
  noAddresses: string;
  cards: string;
  noCards: string;
  cardExpires: (date: string) => string;
  remove: string;
  removed: (what: string) => string;
  emailSharing: string;
  noSharing: string;
  sharingSince: (date: string) => string;
  stopSharing: string;
  sharingStopped: (seller: string) => string;
  thisSite: string;
  forgetHelp: string;
  forgetMe: string;
  forgotten: string;
  deleteTitle: string;
  deleteHelp: string;
  deleteEverything: string;
  deleteConfirm: string;
  deleteYes: string;
  deleted: string;
  cancel: string;
  /** Choosing among saved addresses and cards. */
  shipTo: string;
  newAddress: string;
  payWith: string;
  newCard: string;
  saveCard: string;
  saveCardHelp: string;
  shareEmailWith: (seller: string) => string;
  shareEmailGranted: string;
}

export const en: Messages = {
  ...coreEn,
  close: 'Close',
  back: 'Back',
  continue: 'Continue',
  retry: 'Try again',
  stepProduct: 'Choose your item',
  stepShipping: 'Contact and shipping',
  stepPayment: 'Payment',
  stepReview: 'Review your order',
  stepDone: 'Order confirmed',
  stepOf: (n, total) => `Step ${n} of ${total}`,
  sellerKind: { artist: 'Artist', brand: 'Brand', nonprofit: 'Non-profit', other: 'Seller' },
  by: (seller, kind) => `${kind} · ${seller}`,
  was: (price) => `was ${price}`,
  quantity: 'Quantity',
  decrease: 'Decrease quantity',
  increase: 'Increase quantity',
  items: (n, rules) => (rules.select(n) === 'one' ? `${n} item` : `${n} items`),
  onlyLeft: (n, rules) => (rules.select(n) === 'one' ? `Only ${n} left` : `Only ${n} left`),
  optionSoldOut: 'sold out',
  optionNotMade: 'not available in this combination',
  choose: (option) => `Choose ${option.toLowerCase()}`,
  subtotal: 'Subtotal',
  shipping: 'Shipping',
  shippingAtNextStep: 'Calculated at the next step',
  free: 'Free',
  tax: 'Tax',
  total: 'Total',
  totalIs: (total) => `Total ${total}`,
  email: 'Email',
  shareEmail: 'Share my email with the seller',
  shareEmailHelp:
    'Off unless you tick it. The seller always gets your name and address to ship your order; your card details are never shared.',
  name: 'Full name',
  line1: 'Address',
  line2: 'Apartment, suite, etc.',
  city: 'City',
  region: 'State / region',
  postalCode: 'Postal code',
  country: 'Country',
  phone: 'Phone',
  optional: 'optional',
  required: (field) => `${field} is required`,
  invalidEmail: 'Enter an email address like name@example.com',
  checkField: (field) => `Check this field: ${field}`,
  testMode: 'Test mode',
  testModeHelp:
    'No real money moves. Use 4242 4242 4242 4242 to succeed, or 4000 0000 0000 0002 to see a decline.',
  cardNumber: 'Card number',
  invalidCard: 'This card number does not look right. Check it and try again.',
  toReview: (total) => `Continue to review · ${total}`,
  paymentUnsupported:
    'This shop asks for a way of paying that this page cannot show yet. Open the product page to buy it there.',
  confirmingPayment: 'Confirming your payment…',
  paymentSlow:
    'Your payment is taking longer than usual to confirm. Keep this window open; you will not be charged twice.',
  paymentLoading: 'Loading the secure payment form…',
  paymentLoadFailed: 'The payment form could not load. Check your connection and try again.',
  orPayWithCard: 'Or pay by card',
  payingByCard: 'Card, entered securely with Stripe',
  payingWith: (wallet) => `Paying with ${wallet}`,
  redirectPreparing: 'Preparing the secure payment page…',
  redirectHelp:
    'You will finish paying on the payment provider’s secure page, then come back here.',
  redirectGo: 'Go to secure payment',
  reviewIntro: 'Check everything, then confirm.',
  confirm: (total) => `Pay ${total}`,
  edit: 'Edit',
  thankYou: 'Thank you!',
  orderNumber: (n) => `Order ${n}`,
  orderRefunded: 'Order refunded',
  refundedFull: (amount) => `The seller refunded this order: ${amount} goes back to you.`,
  refundedPartial: (amount, total) =>
    `The seller refunded ${amount} of the ${total} you paid; it goes back to you.`,
  whatNextPhysical: 'The seller has your order and will ship it to you.',
  whatNextDigital: 'Your download is ready.',
  download: 'Download',
  done: 'Done',
  processing: 'Processing…',
  declines: {
    card_declined: 'Your card was declined.',
    generic_decline: 'Your card was declined.',
    payment_intent_authentication_failure:
      'Your bank could not confirm it was you. Try again, or use another card.',
    lost_card: 'Your card was declined.',
    insufficient_funds: 'Your card has insufficient funds.',
    expired_card: 'Your card has expired.',
    incorrect_cvc: 'Your card’s security code is incorrect.',
    incorrect_number: 'Your card number is incorrect.',
    processing_error: 'Your card could not be processed.',
  },
  errors: {
    payment_failed: 'The payment service is not answering. Nothing was charged; try again.',
    still_processing:
      'Your payment is still being confirmed. Check again in a moment; you will not be charged twice.',
    origin_not_allowed: 'This shop does not sell on this site. Open the product page to buy it.',
    out_of_stock: 'Sorry, there is not enough stock for that choice.',
    out_of_stock_alternatives: 'These are still available:',
    checkout_expired:
      'Your reservation expired. Your choices are kept; start again to reserve the item.',
    payment_declined: (reason) => `The payment was declined: ${reason}`,
    network: 'The shop cannot be reached. Your entries are kept; try again.',
    does_not_ship: 'The seller does not ship to this country.',
    generic: 'Something went wrong. Your entries are kept; try again.',
    variant_unavailable: 'This option is no longer available.',
    rate_limited: 'Too many attempts. Wait a minute, then try again.',
    seller_not_ready: 'This seller cannot take payments right now. Nothing was charged.',
  },
  startAgain: 'Start again',
  resumeNotice: 'Welcome back — your checkout is as you left it.',
  images: 'Product photos',
  walletGuest: 'Bought from this shop before?',
  signInOffer: 'Sign in for your saved details',
  signedInAs: (email) => `Signed in as ${email}`,
  signedInHost: 'Signed in through this site',
  signedIn: 'Signed in. Your saved details are ready.',
  signInTitle: 'Sign in',
  signInIntro:
    'We email you a 6-digit code. Your saved address and card then work on every site that sells through this shop.',
  rememberMe: 'Remember me on this site',
  rememberMeHelp: 'Keeps you signed in on this device. Leave it off on a shared computer.',
  sendCode: 'Send me a code',
  codeSent: (email) => `We sent a 6-digit code to ${email}. It works for 10 minutes.`,
  codeResent: 'A new code is on its way.',
  codeLabel: '6-digit code',
  codeFormat: 'Enter the 6 digits of the code we sent.',
  signInWithCode: 'Sign in',
  sendNewCode: 'Send a new code',
  otherEmail: 'Use another email',
  codeWrong: (n, rules) =>
    n === 0
      ? 'That code is not right, and it cannot be tried again. Send a new one.'
      : rules.select(n) === 'one'
        ? 'That code is not right. 1 attempt left.'
        : `That code is not right. ${n} attempts left.`,
  codeExpired: 'That code has expired. Send a new one.',
  codeTooMany: 'Too many wrong codes. Send a new one.',
  mailUnavailable: 'This shop cannot send codes right now. Try again later.',
  walletUnavailable: 'Saved details are not available at this shop right now.',
  savedTitle: 'Saved details',
  savedLoading: 'Loading your saved details…',
  backToOrder: 'Back to your order',
  addresses: 'Addresses',
  noAddresses: 'No saved addresses.',
  cards: 'Cards',
  noCards: 'No saved cards.',
  cardExpires: (date) => `expires ${date}`,
  remove: 'Remove',
  removed: (what) => `Removed: ${what}.`,
  emailSharing: 'Email shared with sellers',
  noSharing: 'No seller sees your email.',
  sharingSince: (date) => `since ${date}`,
  stopSharing: 'Stop sharing',
  sharingStopped: (seller) => `${seller} no longer gets your email with new orders.`,
  thisSite: 'On this site',
  forgetHelp: 'Signs you out here. Your saved details stay with the shop for your next sign-in.',
  forgetMe: 'Forget me on this site',
  forgotten: 'You are signed out on this site.',
  deleteTitle: 'Delete everything',
  deleteHelp:
    'Deletes your saved addresses, cards, email and sign-ins at this shop, on every site. Orders you placed are kept for the sellers’ records, no longer linked to you.',
  deleteEverything: 'Delete everything',
  deleteConfirm: 'Delete all your saved details? This cannot be undone.',
  deleteYes: 'Yes, delete everything',
  deleted: 'Your saved details are deleted. Orders you placed are kept by the sellers.',
  cancel: 'Cancel',
  shipTo: 'Ship to',
  newAddress: 'A new address',
  payWith: 'Pay with',
  newCard: 'A new card',
  saveCard: 'Save this card for next time',
  saveCardHelp:
    'Only its brand and last four digits are kept in your saved details; remove it there at any time.',
  shareEmailWith: (seller) => `Share my email with ${seller}`,
  shareEmailGranted: 'You allowed this on an earlier order. Stop at any time in Saved details.',
};

export const ar: Messages = {
  ...coreAr,
  close: 'إغلاق',
  back: 'رجوع',
  continue: 'متابعة',
  retry: 'حاول مجددًا',
  stepProduct: 'اختر منتجك',
  stepShipping: 'التواصل والشحن',
  stepPayment: 'الدفع',
  stepReview: 'راجع طلبك',
  stepDone: 'تم تأكيد الطلب',
  stepOf: (n, total) => `الخطوة ${n} من ${total}`,
  sellerKind: {
    artist: 'فنان',
    brand: 'علامة تجارية',
    nonprofit: 'منظمة غير ربحية',
    other: 'بائع',
  },
  by: (seller, kind) => `${kind} · ${seller}`,
  was: (price) => `كان ${price}`,
  quantity: 'الكمية',
  decrease: 'إنقاص الكمية',
  increase: 'زيادة الكمية',
  items: (n, rules) => {
    switch (rules.select(n)) {
      case 'zero':
        return 'لا قطع';
      case 'one':
        return 'قطعة واحدة';
      case 'two':
        return 'قطعتان';
      case 'few':
        return `${n} قطع`;
      default:
        return `${n} قطعة`;
    }
  },
  onlyLeft: (n, rules) => {
    switch (rules.select(n)) {
      case 'one':
        return 'بقيت قطعة واحدة فقط';
      case 'two':
        return 'بقيت قطعتان فقط';
      case 'few':
        return `بقيت ${n} قطع فقط`;
      default:
        return `بقيت ${n} قطعة فقط`;
    }
  },
  optionSoldOut: 'نفدت الكمية',
  optionNotMade: 'غير متوفر بهذا الاختيار',
  choose: (option) => `اختر ${option}`,
  subtotal: 'المجموع الفرعي',
  shipping: 'الشحن',
  shippingAtNextStep: 'يُحسب في الخطوة التالية',
  free: 'مجاني',
  tax: 'الضريبة',
  total: 'الإجمالي',
  totalIs: (total) => `الإجمالي ${total}`,
  email: 'البريد الإلكتروني',
  shareEmail: 'شارك بريدي الإلكتروني مع البائع',
  shareEmailHelp:
    'لن يُشارَك ما لم تحدد هذا الخيار. يحصل البائع دائمًا على اسمك وعنوانك ليشحن طلبك، أما بيانات بطاقتك فلا تُشارَك أبدًا.',
  name: 'الاسم الكامل',
  line1: 'العنوان',
  line2: 'الشقة أو الجناح وغير ذلك',
  city: 'المدينة',
  region: 'الولاية / المنطقة',
  postalCode: 'الرمز البريدي',
  country: 'البلد',
  phone: 'الهاتف',
  optional: 'اختياري',
  required: (field) => `${field} مطلوب`,
  invalidEmail: 'أدخل بريدًا إلكترونيًا مثل name@example.com',
  checkField: (field) => `تحقّق من هذا الحقل: ${field}`,
  testMode: 'وضع الاختبار',
  testModeHelp:
    'لا تُنقل أموال حقيقية. استخدم 4242 4242 4242 4242 لنجاح الدفع، أو 4000 0000 0000 0002 لرؤية الرفض.',
  cardNumber: 'رقم البطاقة',
  invalidCard: 'يبدو أن رقم البطاقة غير صحيح. تحقّق منه وحاول مجددًا.',
  toReview: (total) => `متابعة إلى المراجعة · ${total}`,
  paymentUnsupported:
    'يطلب هذا المتجر طريقة دفع لا تستطيع هذه الصفحة عرضها بعد. افتح صفحة المنتج لتشتري من هناك.',
  confirmingPayment: 'جارٍ تأكيد الدفع…',
  paymentSlow:
    'يستغرق تأكيد الدفع وقتًا أطول من المعتاد. أبقِ هذه النافذة مفتوحة؛ لن يُخصم المبلغ مرتين.',
  paymentLoading: 'جارٍ تحميل نموذج الدفع الآمن…',
  paymentLoadFailed: 'تعذّر تحميل نموذج الدفع. تحقّق من اتصالك وحاول مجددًا.',
  orPayWithCard: 'أو ادفع بالبطاقة',
  payingByCard: 'بطاقة، أُدخلت بأمان عبر Stripe',
  payingWith: (wallet) => `الدفع عبر ${wallet}`,
  redirectPreparing: 'جارٍ تجهيز صفحة الدفع الآمنة…',
  redirectHelp: 'ستكمل الدفع في صفحة مزوّد الدفع الآمنة، ثم تعود إلى هنا.',
  redirectGo: 'الانتقال إلى الدفع الآمن',
  reviewIntro: 'راجع كل شيء ثم أكّد.',
  confirm: (total) => `ادفع ${total}`,
  edit: 'تعديل',
  thankYou: 'شكرًا لك!',
  orderNumber: (n) => `الطلب ${n}`,
  orderRefunded: 'تم استرداد الطلب',
  refundedFull: (amount) => `ردّ البائع ثمن هذا الطلب: يعود إليك ${amount}.`,
  refundedPartial: (amount, total) =>
    `ردّ البائع ${amount} من أصل ${total} دفعتها؛ يعود إليك المبلغ.`,
  whatNextPhysical: 'وصل طلبك إلى البائع وسيشحنه إليك.',
  whatNextDigital: 'التنزيل جاهز.',
  download: 'تنزيل',
  done: 'تم',
  processing: 'جارٍ المعالجة…',
  declines: {
    card_declined: 'رُفضت بطاقتك.',
    generic_decline: 'رُفضت بطاقتك.',
    payment_intent_authentication_failure:
      'تعذّر على مصرفك التحقق من هويتك. حاول مجددًا أو استخدم بطاقة أخرى.',
    lost_card: 'رُفضت بطاقتك.',
    insufficient_funds: 'رصيد بطاقتك غير كافٍ.',
    expired_card: 'انتهت صلاحية بطاقتك.',
    incorrect_cvc: 'رمز الأمان لبطاقتك غير صحيح.',
    incorrect_number: 'رقم بطاقتك غير صحيح.',
    processing_error: 'تعذّرت معالجة بطاقتك.',
  },
  errors: {
    payment_failed: 'خدمة الدفع لا تستجيب. لم يُخصم أي مبلغ؛ حاول مجددًا.',
    still_processing: 'ما زال الدفع قيد التأكيد. تحقّق بعد لحظات؛ لن يُخصم المبلغ مرتين.',
    origin_not_allowed: 'هذا المتجر لا يبيع عبر هذا الموقع. افتح صفحة المنتج لتشتري منه.',
    out_of_stock: 'عذرًا، لا تكفي الكمية المتوفرة لهذا الاختيار.',
    out_of_stock_alternatives: 'ما زال متوفرًا:',
    checkout_expired: 'انتهت مدة الحجز. اختياراتك محفوظة؛ ابدأ من جديد لحجز المنتج.',
    payment_declined: (reason) => `رُفض الدفع: ${reason}`,
    network: 'تعذّر الوصول إلى المتجر. بياناتك محفوظة؛ حاول مجددًا.',
    does_not_ship: 'لا يشحن البائع إلى هذا البلد.',
    generic: 'حدث خطأ ما. بياناتك محفوظة؛ حاول مجددًا.',
    variant_unavailable: 'هذا الخيار لم يعد متوفرًا.',
    rate_limited: 'محاولات كثيرة. انتظر دقيقة ثم حاول مجددًا.',
    seller_not_ready: 'لا يستطيع هذا البائع تلقّي المدفوعات حاليًا. لم يُخصم أي مبلغ.',
  },
  startAgain: 'ابدأ من جديد',
  resumeNotice: 'مرحبًا بعودتك — طلبك كما تركته.',
  images: 'صور المنتج',
  walletGuest: 'اشتريت من هذا المتجر من قبل؟',
  signInOffer: 'سجّل الدخول لاستخدام بياناتك المحفوظة',
  signedInAs: (email) => `تم تسجيل الدخول باسم ${email}`,
  signedInHost: 'تم تسجيل الدخول عبر هذا الموقع',
  signedIn: 'تم تسجيل الدخول. بياناتك المحفوظة جاهزة.',
  signInTitle: 'تسجيل الدخول',
  signInIntro:
    'نرسل إليك رمزًا من 6 أرقام بالبريد الإلكتروني. بعدها يعمل عنوانك وبطاقتك المحفوظان على كل موقع يبيع عبر هذا المتجر.',
  rememberMe: 'تذكّرني على هذا الموقع',
  rememberMeHelp: 'يبقيك مسجّل الدخول على هذا الجهاز. لا تفعّله على جهاز مشترك.',
  sendCode: 'أرسل لي رمزًا',
  codeSent: (email) => `أرسلنا رمزًا من 6 أرقام إلى ${email}. يعمل لمدة 10 دقائق.`,
  codeResent: 'رمز جديد في الطريق إليك.',
  codeLabel: 'الرمز المكوّن من 6 أرقام',
  codeFormat: 'أدخل الأرقام الستة للرمز الذي أرسلناه.',
  signInWithCode: 'تسجيل الدخول',
  sendNewCode: 'أرسل رمزًا جديدًا',
  otherEmail: 'استخدم بريدًا آخر',
  codeWrong: (n, rules) => {
    if (n === 0) return 'الرمز غير صحيح ولا يمكن تجربته مجددًا. اطلب رمزًا جديدًا.';
    switch (rules.select(n)) {
      case 'one':
        return 'الرمز غير صحيح. بقيت محاولة واحدة.';
      case 'two':
        return 'الرمز غير صحيح. بقيت محاولتان.';
      case 'few':
        return `الرمز غير صحيح. بقيت ${n} محاولات.`;
      default:
        return `الرمز غير صحيح. بقيت ${n} محاولة.`;
    }
  },
  codeExpired: 'انتهت صلاحية هذا الرمز. اطلب رمزًا جديدًا.',
  codeTooMany: 'رموز خاطئة كثيرة. اطلب رمزًا جديدًا.',
  mailUnavailable: 'لا يستطيع هذا المتجر إرسال الرموز الآن. حاول لاحقًا.',
  walletUnavailable: 'البيانات المحفوظة غير متاحة في هذا المتجر حاليًا.',
  savedTitle: 'البيانات المحفوظة',
  savedLoading: 'جارٍ تحميل بياناتك المحفوظة…',
  backToOrder: 'العودة إلى طلبك',
  addresses: 'العناوين',
  noAddresses: 'لا توجد عناوين محفوظة.',
  cards: 'البطاقات',
  noCards: 'لا توجد بطاقات محفوظة.',
  cardExpires: (date) => `تنتهي ${date}`,
  remove: 'إزالة',
  removed: (what) => `تمت الإزالة: ${what}.`,
  emailSharing: 'البريد المُشارَك مع البائعين',
  noSharing: 'لا يرى أي بائع بريدك الإلكتروني.',
  sharingSince: (date) => `منذ ${date}`,
  stopSharing: 'أوقف المشاركة',
  sharingStopped: (seller) => `لن يحصل ${seller} على بريدك مع الطلبات الجديدة.`,
  thisSite: 'على هذا الموقع',
  forgetHelp: 'يسجّل خروجك هنا. تبقى بياناتك المحفوظة لدى المتجر لتسجيل دخولك التالي.',
  forgetMe: 'انسَني على هذا الموقع',
  forgotten: 'تم تسجيل خروجك على هذا الموقع.',
  deleteTitle: 'حذف كل شيء',
  deleteHelp:
    'يحذف عناوينك وبطاقاتك وبريدك وتسجيلات دخولك المحفوظة لدى هذا المتجر على كل المواقع. تبقى طلباتك السابقة في سجلات البائعين دون ربطها بك.',
  deleteEverything: 'حذف كل شيء',
  deleteConfirm: 'هل تحذف كل بياناتك المحفوظة؟ لا يمكن التراجع عن ذلك.',
  deleteYes: 'نعم، احذف كل شيء',
  deleted: 'حُذفت بياناتك المحفوظة. تبقى طلباتك السابقة لدى البائعين.',
  cancel: 'إلغاء',
  shipTo: 'الشحن إلى',
  newAddress: 'عنوان جديد',
  payWith: 'الدفع باستخدام',
  newCard: 'بطاقة جديدة',
  saveCard: 'احفظ هذه البطاقة للمرة القادمة',
  saveCardHelp:
    'لا يُحفظ منها إلا نوعها وآخر أربعة أرقام في بياناتك المحفوظة، ويمكنك إزالتها من هناك في أي وقت.',
  shareEmailWith: (seller) => `شارك بريدي الإلكتروني مع ${seller}`,
  shareEmailGranted: 'وافقت على ذلك في طلب سابق. يمكنك الإيقاف في أي وقت من البيانات المحفوظة.',
};

/** The checkout's strings for a locale: every string the element shows. */
export const checkoutI18n = localizer<Messages>({ en, ar });
