import type { Report, Result } from './run.ts';

const MARK = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

/** The report for people: one line per requirement, then the totals. */
export function textReport(report: Report): string {
  const lines = [`Commerce Endpoint Protocol v1 — conformance of ${report.endpoint}`, ''];
  let group = '';
  for (const r of report.results) {
    if (r.group !== group) {
      group = r.group;
      lines.push(group);
    }
    lines.push(`  ${MARK[r.status]}  ${r.id.padEnd(22)} ${r.level.padEnd(6)} ${r.text}`);
    if (r.status !== 'pass' || r.detail) lines.push(`        ${r.detail ?? ''}`.trimEnd());
    if (r.status !== 'pass') lines.push(`        see ${r.link}`);
  }
  const count = (f: (r: Result) => boolean) => report.results.filter(f).length;
  const passed = count((r) => r.status === 'pass');
  const failed = count((r) => r.status === 'fail');
  const mustFailed = count((r) => r.status === 'fail' && r.level === 'MUST');
  const skipped = count((r) => r.status === 'skip');
  lines.push('');
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push(
    failed === 0
      ? `All requirements checked passed: ${passed} passed, ${skipped} skipped (${report.seconds} s).`
      : `${failed} failed (${mustFailed} MUST), ${passed} passed, ${skipped} skipped (${report.seconds} s).`,
  );
  return lines.join('\n');
}

export const jsonReport = (report: Report) => JSON.stringify(report, null, 2);
