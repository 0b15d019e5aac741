import type { Clock } from '../../src/util.ts';

/** A clock the test moves by hand: reservations lapse and the sweeper finds them, at once. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}
