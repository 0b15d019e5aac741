/**
 * Ids, secrets and nonces come from a pool of OpenSSL's random bytes (util.ts randomBytes): each
 * byte is handed out once, across refills, and what was handed out is not left in the pool.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { newId, newSecret, randomBytes } from '../src/util.ts';

test('random bytes: the length asked for, never handed out twice, across the pool’s refills', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 60 }),
      (sizes) => {
        const seen = new Set<string>();
        for (const n of sizes) {
          const bytes = randomBytes(n);
          assert.equal(bytes.length, n);
          // 16 bytes or more repeat only if bytes were handed out twice.
          if (n >= 16) {
            const hex = bytes.toString('hex');
            assert.ok(!seen.has(hex), 'the same bytes twice');
            seen.add(hex);
          }
        }
      },
    ),
  );
  // Twelve-byte ids over several pools: all distinct, none all zeros (a wiped slice handed out).
  const ids = Array.from({ length: 3000 }, () => randomBytes(12).toString('hex'));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(!ids.includes('0'.repeat(24)));
  assert.match(newId('chk'), /^chk_[A-Za-z0-9]{16}$/);
  assert.match(newSecret('ct'), /^ct_[A-Za-z0-9_-]{32}$/);
});
