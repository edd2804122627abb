import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { sharedFor } from '../../src/container/modules/shared-for.js';

test('readiness probes (unauthenticated /_s3seal/ready) are shared: one in flight at a time, a settled answer reused for its window, then probed afresh', async (t) => {
  let calls = 0;
  const probe = sharedFor(150, async () => {
    calls++;
    await sleep(50);
    return calls;
  });
  const answers = await Promise.all(Array.from({ length: 20 }, () => probe()));
  t.deepEqual(new Set(answers), new Set([1]), 'twenty concurrent callers share one probe');
  t.is(await probe(), 1, 'reused within the window');
  t.is(calls, 1);
  await sleep(200);
  t.is(await probe(), 2, 'probed again after the window');
  t.is(calls, 2);
});
