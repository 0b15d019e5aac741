import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../log.ts';
import type { Clock } from '../util.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Where sign-in codes go: SMTP, or (development without SMTP) an in-memory mailbox. */
export interface Mailer {
  readonly kind: 'smtp' | 'dev';
  send(mail: OutgoingMail): Promise<void>;
}

/** The code mail. The code leads the subject so a phone's notification shows it. */
export function codeMail(to: string, code: string, minutes: number): OutgoingMail {
  return {
    to,
    subject: `${code} is your buy-in-post code`,
    text: [
      `Your code: ${code}`,
      '',
      `Type it where you asked for it. It works once, for ${minutes} minutes.`,
      'If you did not ask for a code, ignore this mail: nothing happens without it.',
    ].join('\n'),
  };
}

/** Mail through SMTP with nodemailer (`BIP_SMTP_URL`, e.g. `smtps://user:pass@host:465`). */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(url: string, from: string) {
    this.transport = nodemailer.createTransport(url, { from });
    // Short timeouts: a buyer waits on this request (nodemailer's defaults are minutes).
    const options = this.transport.options as Record<string, unknown>;
    options.connectionTimeout ??= 10_000;
    options.greetingTimeout ??= 10_000;
    options.socketTimeout ??= 20_000;
  }

  // One connection per mail (nodemailer's default without `pool`): nothing stays open to close.
  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail(mail);
  }
}

export interface MailboxMessage extends OutgoingMail {
  sentAt: string;
}

/**
 * Development without SMTP: codes are kept here (the demo's mailbox page reads them through
 * `GET /v1/dev/mailbox`, which exists only in development) and logged. The logger scrubs email
 * addresses from everything, so the line names the code, not the recipient.
 */
export class DevMailbox implements Mailer {
  readonly kind = 'dev';
  static readonly KEEP = 50;
  private readonly messages: MailboxMessage[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger | null,
  ) {}

  async send(mail: OutgoingMail): Promise<void> {
    this.messages.unshift({ ...mail, sentAt: this.clock.now().toISOString() });
    this.messages.length = Math.min(this.messages.length, DevMailbox.KEEP);
    this.log?.info(
      { devMailbox: '/v1/dev/mailbox' },
      `development mailbox: ${mail.subject} (no BIP_SMTP_URL, so it was not sent)`,
    );
  }

  /** Newest first. */
  list(): MailboxMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }
}
