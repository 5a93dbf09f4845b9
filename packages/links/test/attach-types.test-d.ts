import { createWebhooks, highlevel, superoffice } from '@crmhooks/core';
import { expectTypeOf, test } from 'vitest';
import { createLinkMirror } from '../src/index.js';

test('attach takes a receiver and types onApplied with its association events', () => {
  const webhooks = createWebhooks({ providers: [superoffice({ secret: 's' }), highlevel()] });
  const mirror = createLinkMirror();
  mirror.attach(webhooks, (applied) => {
    expectTypeOf(applied.event.provider).toEqualTypeOf<'superoffice' | 'highlevel'>();
  });
  // @ts-expect-error: not a receiver
  mirror.attach({});
});
