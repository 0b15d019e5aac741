// Version negotiation (docs/versioning.md), loaded only when a product look-up fails: the
// element speaks protocol v1 and asks the endpoint which versions it serves (`GET /v1/health`,
// `protocols`), so that it can say plainly that it cannot speak to this endpoint instead of
// failing quietly. A separate lazy chunk: nothing of it weighs on the core a page loads.
import { localizer, resolveLocale } from '../i18n/locale.ts';

/** The protocol major version this element speaks. */
export const SPEAKS = '1';

interface VersionMessages {
  /** The endpoint serves other versions only. */
  other: (versions: string) => string;
  /** The endpoint answers no protocol v1 at all. */
  none: string;
}

const i18n = localizer<VersionMessages>({
  en: {
    other: (v) =>
      `This shop’s endpoint speaks protocol ${v}; this Buy button speaks v${SPEAKS}. The site needs to update it.`,
    none: `This shop’s endpoint does not speak protocol v${SPEAKS}, the one this Buy button speaks.`,
  },
  ar: {
    other: (v) =>
      `خادم هذا المتجر يتحدث البروتوكول ${v}، وزر الشراء هذا يتحدث الإصدار ${SPEAKS}. على الموقع أن يحدّثه.`,
    none: `خادم هذا المتجر لا يتحدث الإصدار ${SPEAKS} من البروتوكول، وهو الإصدار الذي يتحدثه زر الشراء هذا.`,
  },
});

/**
 * What the endpoint at `base` (`…/v1`) says of the versions it serves: the list, `[]` when it
 * serves no v1 at all (no health check there), or null when it cannot tell (unreachable, or an
 * answer that is no health check). Asked once per endpoint and page.
 */
const asked = new Map<string, Promise<string[] | null>>();
export function servedVersions(base: string): Promise<string[] | null> {
  let answer = asked.get(base);
  if (!answer) {
    answer = fetch(`${base}/health`, {
      credentials: 'omit',
      headers: { Accept: 'application/json' },
    })
      .then(async (res) => {
        if (res.status === 404) return [];
        if (!res.ok) return null;
        const health = (await res.json()) as { status?: unknown; protocols?: unknown };
        if (health.status !== 'ok') return null;
        // A v1 endpoint from before `protocols` was added speaks v1: it answered under /v1/.
        return Array.isArray(health.protocols) ? health.protocols.map(String) : [SPEAKS];
      })
      .catch(() => null);
    asked.set(base, answer);
  }
  return answer;
}

/**
 * The sentence the element shows, in its language, when the endpoint at `base` cannot be
 * spoken to; null when it can (or cannot tell: the failure was something else, and the usual
 * fallback stands).
 */
export async function versionNotice(base: string, el: HTMLElement): Promise<string | null> {
  const versions = await servedVersions(base);
  if (!versions || versions.includes(SPEAKS)) return null;
  const { t } = i18n(resolveLocale(el, el.getAttribute('locale')));
  return versions.length ? t.other(versions.map((v) => `v${v}`).join(', ')) : t.none;
}
