/**
 * `buy-in-post/links`: plain product links in posts become Buy buttons (for social clients,
 * whose posts are text and links). Importing it registers nothing; `upgradeLinks()` starts, and
 * loads the element itself with the first product link it finds. docs/embedding.md, "Links".
 */
export type { LinkUpgrade, LinkUpgradeOptions, TrustedEndpoint } from './upgrade.ts';
export { upgradeLinks } from './upgrade.ts';
