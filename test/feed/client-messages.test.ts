import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../src/feed/client-messages.js';
import { clientMessageSchema } from '../../src/feed/protocol.js';
import { FRAME_SECTIONS } from '../../src/feed/protocol-base.js';

/**
 * What the zod schema of the docs says of a message, its first problem worded as the agent words
 * it (zod goes on to length checks of a value of the wrong type, which the reader does not repeat).
 */
function bySchema(text: string) {
  const result = clientMessageSchema.safeParse(JSON.parse(text));
  if (result.success) return { ok: true, message: result.data };
  const [first] = result.error.issues;
  return { ok: false, error: `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` };
}

function firstProblem(read: ReturnType<typeof parseClientMessage>) {
  return read.ok ? read : { ok: false, error: read.error.split('; ')[0] };
}

const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 80 }),
  fc.constant([]),
  fc.constant({}),
);
const section = fc.oneof(fc.constantFrom(...FRAME_SECTIONS), fc.constantFrom('raw', 'counters', ''), anyValue);

/** Messages near the two valid shapes: right and wrong types, sections, ids and extra keys. */
const message = fc.record(
  {
    type: fc.oneof(fc.constantFrom('subscribe', 'ping', 'launch'), anyValue),
    sections: fc.oneof(fc.array(section, { maxLength: FRAME_SECTIONS.length + 2 }), anyValue),
    id: anyValue,
    extra: anyValue,
    more: anyValue,
  },
  { requiredKeys: [] },
);

describe('client messages without zod', () => {
  it('agree with the protocol’s zod schemas: the same messages, the same first problem', () => {
    fc.assert(
      fc.property(fc.oneof(message, anyValue, fc.array(anyValue, { maxLength: 2 })), (value) => {
        const text = JSON.stringify(value);
        expect(firstProblem(parseClientMessage(text))).toEqual(bySchema(text));
      }),
      { numRuns: 3000 },
    );
  });
});
