// The dashboard's words, in English and Arabic. A page asks `t('key', {params})`; the app sets
// <html lang dir> and re-renders every page when the seller switches language (LocaleController).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { config as zodConfig } from 'zod';
import zodAr from 'zod/v4/locales/ar.js';
import zodEn from 'zod/v4/locales/en.js';

export type Locale = 'en' | 'ar';
export const LOCALES: Locale[] = ['en', 'ar'];

const en = {
  'app.title': 'Seller dashboard',
  'app.skip': 'Skip to content',
  'app.nav': 'Dashboard',
  'app.language': 'Language',
  'app.signOut': 'Sign out',
  'app.loading': 'Loading…',
  'app.saving': 'Saving…',
  'app.saved': 'Saved',
  'app.notFound': 'Not found',
  'app.notFoundText': 'There is nothing here, or it belongs to another shop.',
  'app.backToProducts': 'Back to products',
  'app.networkError': 'The endpoint could not be reached. Check your connection and try again.',
  'app.retry': 'Try again',
  'app.fixErrors': 'Some fields need attention: {count}.',
  'form.amount': 'Enter an amount such as 25.00',
  'problem.code_invalid': 'This code is not the one we sent. Check the latest mail and try again.',
  'problem.code_expired': 'This code has expired. Ask for a new one.',
  'problem.too_many_attempts': 'Too many wrong codes. Ask for a new one.',
  'problem.rate_limited': 'Too many tries. Wait a minute, then try again.',
  'problem.unauthorized': 'This key is not known, or your session has ended. Sign in again.',
  'problem.csrf_failed': 'Your session could not be checked. Reload the page and try again.',
  'problem.payload_too_large': 'This file is too large.',
  'problem.unsupported_image_type':
    'This is not an image we can show: use PNG, JPEG, WebP, GIF or AVIF.',
  'problem.mail_unavailable': 'The code could not be mailed right now. Try again in a moment.',
  'problem.internal_error': 'Something went wrong on the endpoint. Try again.',
  'nav.products': 'Products',
  'nav.orders': 'Orders',
  'nav.settings': 'Settings',
  'nav.payouts': 'Payouts',
  'signIn.title': 'Sign in to your shop',
  'signIn.intro': 'We mail you a one-time code. No password to remember.',
  'signIn.email': 'Email',
  'signIn.sendCode': 'Email me a code',
  'signIn.codeSent': 'We sent a six-digit code to {email}. It works once, for a few minutes.',
  'signIn.code': 'Code',
  'signIn.verify': 'Sign in',
  'signIn.otherEmail': 'Use another email',
  'signIn.withKey': 'Developers: sign in with an API key',
  'signIn.apiKey': 'API key',
  'signIn.withKeyButton': 'Sign in with the key',
  'signIn.withEmail': 'Sign in with an email code instead',
  'products.title': 'Products',
  'products.new': 'New product',
  'products.empty': 'No products yet. Create your first one: it takes a minute.',
  'products.showArchived': 'Show archived products',
  'products.col.title': 'Product',
  'products.col.price': 'Price',
  'products.col.stock': 'Stock',
  'products.col.status': 'Status',
  'products.col.actions': 'Actions',
  'products.edit': 'Edit {title}',
  'products.share': 'Share {title}',
  'products.shareButton': 'Share',
  'products.unlimited': 'unlimited',
  'status.active': 'Active',
  'status.archived': 'Archived',
  'status.paid': 'Paid, to ship',
  'status.fulfilled': 'Fulfilled',
  'product.newTitle': 'New product',
  'product.editTitle': 'Edit “{title}”',
  'product.details': 'Details',
  'product.titleField': 'Title',
  'product.description': 'Description',
  'product.url': 'Product page (optional)',
  'product.kind': 'Kind',
  'product.kind.physical': 'Physical (shipped)',
  'product.kind.digital': 'Digital (a file to download)',
  'product.options': 'Options',
  'product.optionsHelp':
    'Such as Size or Colour, with their values separated by commas. Up to three.',
  'product.optionName': 'Option {n} name',
  'product.optionValues': 'Option {n} values',
  'product.addOption': 'Add an option',
  'product.removeOption': 'Remove option {n}',
  'product.optionsLocked': 'Options are fixed once the product exists.',
  'product.variants': 'Variants, prices and stock',
  'product.variant': 'Variant',
  'product.default': 'Default',
  'product.price': 'Price ({currency})',
  'product.compareAt': 'Compare-at price',
  'product.stock': 'Stock',
  'product.stockHelp': 'Leave empty for unlimited',
  'product.sku': 'SKU',
  'product.archiveVariant': 'Archived',
  'product.images': 'Images',
  'product.upload': 'Upload an image (PNG, JPEG, WebP or GIF)',
  'product.uploading': 'Uploading…',
  'product.imageAlt': 'Description of image {n} (for screen readers)',
  'product.removeImage': 'Remove image {n}',
  'product.file': 'The file buyers download',
  'product.fileNone': 'No file yet',
  'product.fileKept': 'A file is attached',
  'product.uploadFile': 'Upload the file',
  'product.maxPerCheckout': 'Most units per buyer (optional)',
  'product.create': 'Create product',
  'product.save': 'Save changes',
  'product.archive': 'Archive product',
  'product.unarchive': 'Put back on sale',
  'product.archived': 'This product is archived: readers see it as unavailable.',
  'product.stale':
    'Someone else changed this product while you were editing (another tab, device or the API). Your changes were not saved. Reload to see the latest version, then make your changes again.',
  'product.reload': 'Reload the latest version',
  'product.created': 'Product created.',
  'product.preview': 'Preview',
  'product.previewHelp': 'The real Buy button, as readers will see it.',
  'product.previewSave': 'Save the product to preview it.',
  'product.previewLight': 'Light, English',
  'product.previewDark': 'Dark, Arabic',
  'share.title': 'Share “{title}”',
  'share.intro':
    'Paste this into a post, a blog or a CMS (an HTML block). The Buy button appears where it goes.',
  'share.snippet': 'Snippet',
  'share.copy': 'Copy snippet',
  'share.copied': 'Copied to the clipboard.',
  'share.copyFailed': 'Copying was refused by the browser: select the text and copy it.',
  'share.post': 'Post address (optional, tells you which post sold it)',
  'share.origins': 'Sites allowed to sell',
  'share.originsHelp':
    'A page can start a checkout only from a site listed here. Add the address of your blog or site (for example https://blog.example).',
  'share.originsNone': 'No site is listed yet.',
  'share.addOrigin': 'Add site',
  'share.origin': 'Site address',
  'share.removeOrigin': 'Remove {origin}',
  'orders.title': 'Orders',
  'orders.status': 'Status',
  'orders.all': 'All',
  'orders.since': 'Since',
  'orders.until': 'Until',
  'orders.search': 'Order number or email',
  'orders.filter': 'Filter',
  'orders.csv': 'Export CSV',
  'orders.empty': 'No orders match.',
  'orders.more': 'Load more',
  'orders.count': '{count} order(s)',
  'orders.col.number': 'Order',
  'orders.col.date': 'Date',
  'orders.col.item': 'Item',
  'orders.col.total': 'Total',
  'orders.col.status': 'Status',
  'order.title': 'Order {number}',
  'order.item': 'Item',
  'order.quantity': 'Quantity',
  'order.subtotal': 'Subtotal',
  'order.shipping': 'Shipping',
  'order.tax': 'Tax',
  'order.total': 'Total',
  'order.email': 'Buyer’s email',
  'order.emailHidden': 'Not shared by the buyer',
  'order.shipTo': 'Ship to',
  'order.digital': 'Digital: nothing to ship',
  'order.post': 'Sold from',
  'order.postNone': 'No post recorded',
  'order.fulfilments': 'Shipments',
  'order.fulfil': 'Mark as fulfilled',
  'order.carrier': 'Carrier',
  'order.tracking': 'Tracking number',
  'order.trackingUrl': 'Tracking link (optional)',
  'order.fulfilled': 'Marked as fulfilled. The buyer’s shop was notified.',
  'order.refund': 'Refund',
  'order.refunded': 'Refund requested.',
  'settings.title': 'Settings',
  'settings.shop': 'Shop',
  'settings.name': 'Shop name',
  'settings.kind': 'Kind of seller',
  'settings.kind.artist': 'Artist',
  'settings.kind.brand': 'Brand',
  'settings.kind.nonprofit': 'Non-profit',
  'settings.kind.other': 'Other',
  'settings.currency': 'Currency: {currency}',
  'settings.shipping': 'Shipping zones',
  'settings.zoneName': 'Zone {n} name',
  'settings.zoneCountries': 'Zone {n} countries (codes, comma separated)',
  'settings.zoneRate': 'Zone {n} rate',
  'settings.zoneFree': 'Zone {n} ships free from (optional)',
  'settings.addZone': 'Add a zone',
  'settings.removeZone': 'Remove zone {n}',
  'settings.tax': 'Tax rates',
  'settings.taxCountry': 'Rate {n} country',
  'settings.taxRate': 'Rate {n} percent',
  'settings.addTax': 'Add a tax rate',
  'settings.removeTax': 'Remove rate {n}',
  'settings.origins': 'Sites allowed to sell',
  'settings.originsField': 'Sites (one per line, such as https://blog.example)',
  'settings.webhook': 'Webhook',
  'settings.webhookUrl': 'Webhook URL (HTTPS)',
  'settings.save': 'Save settings',
  'settings.deliveries': 'Recent webhook deliveries',
  'settings.deliveriesNone': 'No deliveries yet.',
  'settings.col.event': 'Event',
  'settings.col.when': 'When',
  'settings.col.result': 'Result',
  'settings.rotate': 'Keys and secrets',
  'settings.rotateHelp':
    'Rotating gives you a new value shown once. The old one keeps working for the grace period, so you can update your systems without downtime.',
  'settings.rotateSecret': 'Rotate the webhook secret',
  'settings.rotateKey': 'Rotate the API key',
  'settings.newValue': 'New value (shown once, copy it now)',
  'settings.oldUntil': 'The old one works until {when}.',
  'payouts.title': 'Payouts',
  'payouts.status': 'Onboarding status: {status}',
  'payouts.continue': 'Continue onboarding with the payment provider',
  'payouts.ready': 'Payouts are on: sales are paid into your account.',
  'payouts.action_required': 'details needed',
  'payouts.pending': 'being checked',
  'payouts.enabled': 'ready',
  'product.editButton': 'Edit',
  'order.refundAmount': 'Amount to refund (empty: all that is left)',
  'order.refundReason': 'Reason (optional)',
  'order.refundedSoFar': 'Refunded so far: {amount}',
};

type Key = keyof typeof en;

const ar: Record<Key, string> = {
  'app.title': 'لوحة البائع',
  'app.skip': 'انتقل إلى المحتوى',
  'app.nav': 'اللوحة',
  'app.language': 'اللغة',
  'app.signOut': 'تسجيل الخروج',
  'app.loading': 'جارٍ التحميل…',
  'app.saving': 'جارٍ الحفظ…',
  'app.saved': 'تم الحفظ',
  'app.notFound': 'غير موجود',
  'app.notFoundText': 'لا شيء هنا، أو أنه يخص متجرًا آخر.',
  'app.backToProducts': 'العودة إلى المنتجات',
  'app.networkError': 'تعذّر الوصول إلى الخادم. تحقّق من الاتصال وحاول مجددًا.',
  'app.retry': 'حاول مجددًا',
  'app.fixErrors': 'بعض الحقول تحتاج إلى تصحيح: {count}.',
  'form.amount': 'أدخل مبلغًا مثل 25.00',
  'problem.code_invalid': 'هذا ليس الرمز الذي أرسلناه. تحقّق من آخر رسالة وحاول مجددًا.',
  'problem.code_expired': 'انتهت صلاحية هذا الرمز. اطلب رمزًا جديدًا.',
  'problem.too_many_attempts': 'رموز خاطئة كثيرة. اطلب رمزًا جديدًا.',
  'problem.rate_limited': 'محاولات كثيرة. انتظر دقيقة ثم حاول مجددًا.',
  'problem.unauthorized': 'هذا المفتاح غير معروف أو انتهت جلستك. سجّل الدخول مجددًا.',
  'problem.csrf_failed': 'تعذّر التحقق من جلستك. أعد تحميل الصفحة وحاول مجددًا.',
  'problem.payload_too_large': 'هذا الملف كبير جدًا.',
  'problem.unsupported_image_type':
    'هذه ليست صورة يمكننا عرضها: استخدم PNG أو JPEG أو WebP أو GIF أو AVIF.',
  'problem.mail_unavailable': 'تعذّر إرسال الرمز الآن. حاول بعد قليل.',
  'problem.internal_error': 'حدث خطأ في الخادم. حاول مجددًا.',
  'nav.products': 'المنتجات',
  'nav.orders': 'الطلبات',
  'nav.settings': 'الإعدادات',
  'nav.payouts': 'المدفوعات',
  'signIn.title': 'سجّل الدخول إلى متجرك',
  'signIn.intro': 'نرسل إليك رمزًا لمرة واحدة عبر البريد. لا كلمة مرور لتتذكرها.',
  'signIn.email': 'البريد الإلكتروني',
  'signIn.sendCode': 'أرسل لي رمزًا',
  'signIn.codeSent': 'أرسلنا رمزًا من ست خانات إلى {email}. يصلح مرة واحدة لبضع دقائق.',
  'signIn.code': 'الرمز',
  'signIn.verify': 'تسجيل الدخول',
  'signIn.otherEmail': 'استخدم بريدًا آخر',
  'signIn.withKey': 'للمطورين: سجّل الدخول بمفتاح API',
  'signIn.apiKey': 'مفتاح API',
  'signIn.withKeyButton': 'سجّل الدخول بالمفتاح',
  'signIn.withEmail': 'سجّل الدخول برمز عبر البريد بدلًا من ذلك',
  'products.title': 'المنتجات',
  'products.new': 'منتج جديد',
  'products.empty': 'لا منتجات بعد. أنشئ منتجك الأول: يستغرق دقيقة.',
  'products.showArchived': 'اعرض المنتجات المؤرشفة',
  'products.col.title': 'المنتج',
  'products.col.price': 'السعر',
  'products.col.stock': 'المخزون',
  'products.col.status': 'الحالة',
  'products.col.actions': 'إجراءات',
  'products.edit': 'تعديل {title}',
  'products.share': 'مشاركة {title}',
  'products.shareButton': 'مشاركة',
  'products.unlimited': 'غير محدود',
  'status.active': 'نشط',
  'status.archived': 'مؤرشف',
  'status.paid': 'مدفوع، بانتظار الشحن',
  'status.fulfilled': 'تم التنفيذ',
  'product.newTitle': 'منتج جديد',
  'product.editTitle': 'تعديل «{title}»',
  'product.details': 'التفاصيل',
  'product.titleField': 'العنوان',
  'product.description': 'الوصف',
  'product.url': 'صفحة المنتج (اختياري)',
  'product.kind': 'النوع',
  'product.kind.physical': 'مادي (يُشحن)',
  'product.kind.digital': 'رقمي (ملف للتنزيل)',
  'product.options': 'الخيارات',
  'product.optionsHelp': 'مثل المقاس أو اللون، مع قيمها مفصولة بفواصل. حتى ثلاثة خيارات.',
  'product.optionName': 'اسم الخيار {n}',
  'product.optionValues': 'قيم الخيار {n}',
  'product.addOption': 'أضف خيارًا',
  'product.removeOption': 'احذف الخيار {n}',
  'product.optionsLocked': 'الخيارات ثابتة بعد إنشاء المنتج.',
  'product.variants': 'المتغيرات والأسعار والمخزون',
  'product.variant': 'المتغير',
  'product.default': 'افتراضي',
  'product.price': 'السعر ({currency})',
  'product.compareAt': 'السعر قبل الخصم',
  'product.stock': 'المخزون',
  'product.stockHelp': 'اتركه فارغًا لكمية غير محدودة',
  'product.sku': 'رمز SKU',
  'product.archiveVariant': 'مؤرشف',
  'product.images': 'الصور',
  'product.upload': 'ارفع صورة (PNG أو JPEG أو WebP أو GIF)',
  'product.uploading': 'جارٍ الرفع…',
  'product.imageAlt': 'وصف الصورة {n} (لقارئات الشاشة)',
  'product.removeImage': 'احذف الصورة {n}',
  'product.file': 'الملف الذي ينزّله المشترون',
  'product.fileNone': 'لا ملف بعد',
  'product.fileKept': 'يوجد ملف مرفق',
  'product.uploadFile': 'ارفع الملف',
  'product.maxPerCheckout': 'أقصى عدد لكل مشترٍ (اختياري)',
  'product.create': 'أنشئ المنتج',
  'product.save': 'احفظ التغييرات',
  'product.archive': 'أرشف المنتج',
  'product.unarchive': 'أعده إلى البيع',
  'product.archived': 'هذا المنتج مؤرشف: يراه القرّاء غير متاح.',
  'product.stale':
    'غيّر شخص آخر هذا المنتج أثناء تعديلك (نافذة أو جهاز آخر أو عبر API). لم تُحفظ تغييراتك. أعد التحميل لترى أحدث نسخة ثم أعد تغييراتك.',
  'product.reload': 'حمّل أحدث نسخة',
  'product.created': 'تم إنشاء المنتج.',
  'product.preview': 'معاينة',
  'product.previewHelp': 'زر الشراء الحقيقي كما سيراه القرّاء.',
  'product.previewSave': 'احفظ المنتج لمعاينته.',
  'product.previewLight': 'فاتح، بالإنجليزية',
  'product.previewDark': 'داكن، بالعربية',
  'share.title': 'مشاركة «{title}»',
  'share.intro':
    'الصق هذا في منشور أو مدوّنة أو نظام إدارة محتوى (كتلة HTML). يظهر زر الشراء حيث تضعه.',
  'share.snippet': 'الشيفرة',
  'share.copy': 'انسخ الشيفرة',
  'share.copied': 'نُسخت إلى الحافظة.',
  'share.copyFailed': 'رفض المتصفح النسخ: حدّد النص وانسخه.',
  'share.post': 'عنوان المنشور (اختياري، يخبرك أي منشور باع)',
  'share.origins': 'المواقع المسموح لها بالبيع',
  'share.originsHelp':
    'لا تبدأ صفحةٌ عملية شراء إلا من موقع مدرج هنا. أضف عنوان مدونتك أو موقعك (مثل https://blog.example).',
  'share.originsNone': 'لا موقع مدرج بعد.',
  'share.addOrigin': 'أضف الموقع',
  'share.origin': 'عنوان الموقع',
  'share.removeOrigin': 'احذف {origin}',
  'orders.title': 'الطلبات',
  'orders.status': 'الحالة',
  'orders.all': 'الكل',
  'orders.since': 'من تاريخ',
  'orders.until': 'حتى تاريخ',
  'orders.search': 'رقم الطلب أو البريد',
  'orders.filter': 'صفِّ',
  'orders.csv': 'صدّر CSV',
  'orders.empty': 'لا طلبات مطابقة.',
  'orders.more': 'حمّل المزيد',
  'orders.count': '{count} طلب',
  'orders.col.number': 'الطلب',
  'orders.col.date': 'التاريخ',
  'orders.col.item': 'الصنف',
  'orders.col.total': 'المجموع',
  'orders.col.status': 'الحالة',
  'order.title': 'الطلب {number}',
  'order.item': 'الصنف',
  'order.quantity': 'الكمية',
  'order.subtotal': 'المجموع الفرعي',
  'order.shipping': 'الشحن',
  'order.tax': 'الضريبة',
  'order.total': 'المجموع',
  'order.email': 'بريد المشتري',
  'order.emailHidden': 'لم يشاركه المشتري',
  'order.shipTo': 'الشحن إلى',
  'order.digital': 'رقمي: لا شيء للشحن',
  'order.post': 'بيع من',
  'order.postNone': 'لم يُسجَّل منشور',
  'order.fulfilments': 'الشحنات',
  'order.fulfil': 'علّم كمنفَّذ',
  'order.carrier': 'شركة الشحن',
  'order.tracking': 'رقم التتبع',
  'order.trackingUrl': 'رابط التتبع (اختياري)',
  'order.fulfilled': 'عُلّم كمنفَّذ. أُبلغ متجرك عبر webhook.',
  'order.refund': 'استرداد',
  'order.refunded': 'طُلب الاسترداد.',
  'settings.title': 'الإعدادات',
  'settings.shop': 'المتجر',
  'settings.name': 'اسم المتجر',
  'settings.kind': 'نوع البائع',
  'settings.kind.artist': 'فنان',
  'settings.kind.brand': 'علامة تجارية',
  'settings.kind.nonprofit': 'منظمة غير ربحية',
  'settings.kind.other': 'غير ذلك',
  'settings.currency': 'العملة: {currency}',
  'settings.shipping': 'مناطق الشحن',
  'settings.zoneName': 'اسم المنطقة {n}',
  'settings.zoneCountries': 'دول المنطقة {n} (رموز مفصولة بفواصل)',
  'settings.zoneRate': 'سعر شحن المنطقة {n}',
  'settings.zoneFree': 'شحن مجاني للمنطقة {n} ابتداءً من (اختياري)',
  'settings.addZone': 'أضف منطقة',
  'settings.removeZone': 'احذف المنطقة {n}',
  'settings.tax': 'نسب الضريبة',
  'settings.taxCountry': 'دولة النسبة {n}',
  'settings.taxRate': 'النسبة {n} بالمئة',
  'settings.addTax': 'أضف نسبة ضريبة',
  'settings.removeTax': 'احذف النسبة {n}',
  'settings.origins': 'المواقع المسموح لها بالبيع',
  'settings.originsField': 'المواقع (واحد في كل سطر، مثل https://blog.example)',
  'settings.webhook': 'Webhook',
  'settings.webhookUrl': 'عنوان Webhook ‏(HTTPS)',
  'settings.save': 'احفظ الإعدادات',
  'settings.deliveries': 'آخر إرسالات Webhook',
  'settings.deliveriesNone': 'لا إرسالات بعد.',
  'settings.col.event': 'الحدث',
  'settings.col.when': 'الوقت',
  'settings.col.result': 'النتيجة',
  'settings.rotate': 'المفاتيح والأسرار',
  'settings.rotateHelp':
    'التدوير يعطيك قيمة جديدة تظهر مرة واحدة. تبقى القديمة صالحة خلال مهلة السماح كي تحدّث أنظمتك دون انقطاع.',
  'settings.rotateSecret': 'دوّر سر Webhook',
  'settings.rotateKey': 'دوّر مفتاح API',
  'settings.newValue': 'القيمة الجديدة (تظهر مرة واحدة، انسخها الآن)',
  'settings.oldUntil': 'تبقى القديمة صالحة حتى {when}.',
  'payouts.title': 'المدفوعات',
  'payouts.status': 'حالة التسجيل: {status}',
  'payouts.continue': 'تابع التسجيل لدى مزوّد الدفع',
  'payouts.ready': 'المدفوعات مفعّلة: تُحوَّل المبيعات إلى حسابك.',
  'payouts.action_required': 'مطلوب استكمال بيانات',
  'payouts.pending': 'قيد المراجعة',
  'payouts.enabled': 'جاهزة',
  'product.editButton': 'تعديل',
  'order.refundAmount': 'المبلغ المسترد (فارغ: كل المتبقي)',
  'order.refundReason': 'السبب (اختياري)',
  'order.refundedSoFar': 'المسترد حتى الآن: {amount}',
};

const MESSAGES: Record<Locale, Record<Key, string>> = { en, ar };
const STORAGE_KEY = 'bip-dashboard:locale';

let current: Locale = initialLocale();

function initialLocale(): Locale {
  const kept = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (kept === 'en' || kept === 'ar') return kept;
  return globalThis.navigator?.language?.startsWith('ar') ? 'ar' : 'en';
}

export function locale(): Locale {
  return current;
}

/** The message `key` in the current language, `{name}` replaced from `params`. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  return MESSAGES[current][key].replace(/\{(\w+)\}/g, (_, name: string) =>
    String(params[name] ?? `{${name}}`),
  );
}

export type MessageKey = Key;

/** The seller's words for a problem's stable `code`, when the dashboard has them. */
export function problemMessage(code: string): string | undefined {
  const key = `problem.${code}`;
  return key in en ? t(key as Key) : undefined;
}

const listeners = new Set<() => void>();

/** Switches the language: <html lang dir>, the kept choice, and every page re-renders. */
export function setLocale(next: Locale): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  applyToDocument();
  for (const l of listeners) l();
}

export function applyToDocument(): void {
  // The schemas' own wording (a field too long, not an email…) in the same language.
  zodConfig(current === 'ar' ? zodAr() : zodEn());
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'ar' ? 'rtl' : 'ltr';
  document.title = t('app.title');
}

/** Re-renders its host when the language changes. */
export class LocaleController implements ReactiveController {
  private readonly update = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected() {
    listeners.add(this.update);
  }
  hostDisconnected() {
    listeners.delete(this.update);
  }
}

/** Money in minor units, formatted for the current language. */
export function formatMoney(m: { amount: number; currency: string }): string {
  return new Intl.NumberFormat(current, { style: 'currency', currency: m.currency }).format(
    m.amount / 10 ** currencyDigits(m.currency),
  );
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** How many minor-unit digits a currency has (2 for USD, 0 for JPY, 3 for KWD). */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}
