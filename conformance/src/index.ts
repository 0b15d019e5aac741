export { signatureProblem } from './checks/webhooks.ts';
export { jsonReport, textReport } from './report.ts';
export { anchor, GROUPS, REQUIREMENTS, type Requirement } from './requirements.ts';
export { type Options, type Report, type Result, runConformance } from './run.ts';
