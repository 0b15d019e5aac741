import { createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { ServiceError } from '../services/errors.ts';

/**
 * `buy-in-post-server wallet rotate-keys`: re-wraps every buyer's data key with the current
 * key of BIP_WALLET_KEYS, so an older key can then be removed. Safe to run while servers run
 * and to run again. Exits 1 when some wallets could not be opened (their key is missing).
 */
export async function rotateWalletKeys(config: Config): Promise<number> {
  const app = await createApp(config);
  try {
    const report = await app.services.wallet.rotateKeys();
    console.log(
      `Wallet keys: ${report.rewrapped} data key(s) re-wrapped; ${report.onCurrent} wallet(s) now on "${report.current}".`,
    );
    if (report.failed.length === 0) return 0;
    console.error(
      `${report.failed.length} wallet(s) could not be opened and were left as they are:`,
    );
    for (const f of report.failed) console.error(`  ${f.buyerId}: ${f.message}`);
    return 1;
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    console.error(err.detail ?? err.message);
    return 2;
  } finally {
    await app.close();
  }
}
