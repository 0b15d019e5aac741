import { parseArgs } from 'node:util';
import { jsonReport, textReport } from './report.ts';
import { GROUPS } from './requirements.ts';
import { runConformance } from './run.ts';

const HELP = `buy-in-post-conformance — checks a commerce endpoint against protocol v1

Usage:
  buy-in-post-conformance <endpoint> --seller-key <bip_sk_…> [options]

  <endpoint>              the endpoint's address, without /v1 (http://localhost:8787)
  --seller-key KEY        a seller's API key: the kit makes its products and settings through
                          the seller API, and puts the settings back afterwards
  --only LIST             groups or requirement ids, comma-separated
                          (groups: ${GROUPS.join(', ')})
  --json                  the report as JSON on stdout
  --wait SECONDS          the longest to wait for a reservation to lapse or a webhook retry (90)
  --webhook-secret SECRET the seller's webhook secret, if GET /v1/seller/webhook-secret is not served
  --receiver-url URL      where the endpoint reaches the kit's webhook receiver (endpoints on
                          another machine); the kit listens on that port
  --openapi FILE          validate answers against another document than the protocol's own

Exit status: 0 when every MUST requirement passed, 1 when one failed, 2 when the run could not
be made (a bad option, an unreachable endpoint, a refused seller key).`;

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'seller-key': { type: 'string' },
        only: { type: 'string' },
        json: { type: 'boolean', default: false },
        wait: { type: 'string' },
        'webhook-secret': { type: 'string' },
        'receiver-url': { type: 'string' },
        openapi: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const endpoint = positionals[0];
  const sellerKey = (values['seller-key'] as string | undefined) ?? process.env.BIP_SELLER_KEY;
  if (!endpoint || !sellerKey) {
    console.error(`${endpoint ? 'A --seller-key is needed' : 'Which endpoint?'}\n\n${HELP}`);
    return 2;
  }
  const wait = values.wait === undefined ? undefined : Number(values.wait);
  if (wait !== undefined && !(wait >= 0)) {
    console.error('--wait takes a number of seconds');
    return 2;
  }
  try {
    const report = await runConformance({
      endpoint,
      sellerKey,
      ...(values.only ? { only: String(values.only).split(',') } : {}),
      ...(wait !== undefined ? { waitSeconds: wait } : {}),
      ...(values['webhook-secret'] ? { webhookSecret: String(values['webhook-secret']) } : {}),
      ...(values['receiver-url'] ? { receiverUrl: String(values['receiver-url']) } : {}),
      ...(values.openapi ? { openapi: String(values.openapi) } : {}),
    });
    console.log(values.json ? jsonReport(report) : textReport(report));
    return report.passed ? 0 : 1;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    console.error(
      `The run could not be made: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
    );
    return 2;
  }
}
