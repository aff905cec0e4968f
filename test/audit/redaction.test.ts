import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditEventError, auditEvents as e, auditEventSchema, RedactionError, RedactionGuard, SECRET_FIELD, type AuditEvent } from '../../main/audit';
import { encodedForms } from '../../main/audit/redaction';
import { enrollment, everythingOnDisk, open, operator, person, tempFolder } from './helpers';

let folder: string;
let cleanup: () => void;
beforeEach(() => ({ folder, cleanup } = tempFolder()));
afterEach(() => cleanup());

/** Passes as Graph makes them: 8 to 48 printable characters (the policy's defaultLength range). */
const passArb = fc.string({
  unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789+-*/=%$#@!"\\'.split('')),
  minLength: 8,
  maxLength: 48,
});

const onDisk = (pass: string) => {
  const all = everythingOnDisk(folder);
  return all.includes(pass) || all.includes(JSON.stringify(pass).slice(1, -1));
};

/** Put `pass` into the string field at `index` (counting string fields depth-first) of an event. */
function poison(event: AuditEvent, index: number, pass: string): { event: AuditEvent; changed: boolean } {
  let seen = 0;
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const hit = seen === index;
      seen += 1;
      if (hit) changed = true;
      return hit ? `${value} ${pass}` : value;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'type' ? v : walk(v)]));
    return value;
  };
  return { event: walk(event) as AuditEvent, changed };
}

/** One event from every builder; the pass is where it really travels (Graph's create response). */
function fromEveryBuilder(pass: string): Record<keyof typeof e, AuditEvent> {
  const run = enrollment({ pass });
  const byType = new Map(run.events.map((event) => [event.type, event]));
  const pick = (type: AuditEvent['type']) => byType.get(type) as AuditEvent;
  return {
    operatorSignedIn: e.operatorSignedIn({ operator, roles: ['Authentication Administrator'] }),
    operatorLocked: e.operatorLocked({ operator, reason: 'idle' }),
    operatorSignedOut: e.operatorSignedOut({ operator, reason: 'manual' }),
    lookup: pick('lookup'),
    identityChecked: pick('identity.checked'),
    keyDetected: pick('key.detected'),
    preflight: pick('preflight'),
    tapIntent: pick('tap.intent'),
    tapIssued: pick('tap.issued'),
    signinObserved: pick('signin.observed'),
    keyRegistered: pick('key.registered'),
    keyProvisioned: e.keyProvisioned({
      enrollmentId: run.enrollmentId,
      operator,
      user: person,
      methodId: 'f1d0c0de-0017-4a00-8000-00000000a018',
      aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
      model: 'YubiKey 5 Series with NFC',
      credIdSha256: 'ab'.repeat(32),
      pinSetHere: true,
      proven: true,
      requestId: null,
    }),
    keyRemoved: e.keyRemoved({
      enrollmentId: run.enrollmentId,
      operator,
      user: person,
      methodId: 'f1d0c0de-0017-4a00-8000-00000000a017',
      aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a',
      model: 'YubiKey 5 Series with NFC',
      requestId: crypto.randomUUID(),
    }),
    keyRecycled: e.keyRecycled({ operator, aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: 'YubiKey 5 Series with NFC', vidPid: '1050:0407' }),
    sessionsRevoked: e.sessionsRevoked({ enrollmentId: run.enrollmentId, operator, user: person, requestId: null }),
    tapDeleteFailed: pick('tap.delete-failed'),
    tapDeleted: pick('tap.deleted'),
    tapNotCreated: e.tapNotCreated({ intentId: run.intentId, user: person, reason: 'none-found-at-recovery' }),
    sessionWiped: pick('session.wiped'),
    claimIntent: e.claimIntent({ claimId: run.intentId, operator, user: person, claimGroupId: 'e7e70000-0002-4a00-8000-000000000002' }),
    claimMade: e.claimMade({ claimId: run.intentId, user: person }),
    claimRefused: e.claimRefused({ claimId: run.intentId, user: person, reason: 'held-elsewhere', status: 400, code: 'Request_BadRequest' }),
    claimReleased: e.claimReleased({ claimId: run.intentId, user: person, reason: 'stale-by-operator', operator, ageMinutes: 45 }),
    failure: e.failure({
      enrollmentId: run.enrollmentId,
      step: 'tap.create',
      status: 503,
      code: 'serviceUnavailable',
      requestId: crypto.randomUUID(),
      detail: 'Service unavailable',
    }),
  };
}

describe('the pass never reaches disk', () => {
  it('covers every builder', () => {
    expect(Object.keys(fromEveryBuilder('+drkzqAD')).sort()).toEqual(Object.keys(e).sort());
    expect(Object.values(fromEveryBuilder('+drkzqAD')).every(Boolean)).toBe(true);
  });

  it("through every record builder, with the pass in Graph's response", async () => {
    await fc.assert(
      fc.asyncProperty(passArb, async (pass) => {
        const journal = await open(folder);
        journal.guard.forbid(pass);
        const events = Object.values(fromEveryBuilder(pass));
        for (const event of events) {
          await journal.append(event).catch((error: unknown) => {
            // Only a coincidence (a pass that happens to occur in an id) may refuse a record, and then loudly.
            expect(error).toBeInstanceOf(RedactionError);
          });
        }
        await journal.close();
        expect(onDisk(pass)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('a pass slipped into any text field is refused, the line is not written, and the error does not echo it', async () => {
    await fc.assert(
      fc.asyncProperty(passArb, fc.nat({ max: 40 }), fc.nat({ max: 15 }), async (pass, fieldIndex, eventIndex) => {
        const events = Object.values(fromEveryBuilder(pass));
        const target = events[eventIndex % events.length] as AuditEvent;
        const { event, changed } = poison(target, fieldIndex, pass);
        fc.pre(changed);
        const journal = await open(folder);
        journal.guard.forbid(pass);
        const outcome = await journal.append(event).then(
          () => 'written',
          (error: unknown) => error,
        );
        await journal.close();
        expect(outcome).not.toBe('written');
        expect(outcome instanceof RedactionError || outcome instanceof AuditEventError).toBe(true);
        expect(String((outcome as Error).message)).not.toContain(pass);
        expect(onDisk(pass)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('a builder refuses a spread Graph response (an extra temporaryAccessPass field) without echoing the value', () => {
    const graph = { id: '0b9f1a1e-4a0c-4a44-9d55-d7d6c7a7f001', temporaryAccessPass: 'Secr3t!Pass', lifetimeInMinutes: 60, isUsableOnce: true };
    const spread = {
      ...graph,
      enrollmentId: crypto.randomUUID(),
      intentId: crypto.randomUUID(),
      user: person,
      tapMethodId: graph.id,
      lifetimeMinutes: 60,
      oneTime: true,
    };
    let error: unknown;
    try {
      e.tapIntent(spread as unknown as Parameters<typeof e.tapIntent>[0]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AuditEventError);
    expect((error as Error).message).toContain('temporaryAccessPass');
    expect((error as Error).message).not.toContain('Secr3t!Pass');
  });

  it('no field in any record type is named like a secret', () => {
    const names: string[] = [];
    const walk = (schema: z.ZodType): void => {
      const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (def['type'] === 'object') {
        for (const [key, inner] of Object.entries(def['shape'] as Record<string, z.ZodType>)) {
          names.push(key);
          walk(inner);
        }
      }
      for (const key of ['innerType', 'element', 'in', 'out']) if (def[key]) walk(def[key] as z.ZodType);
      if (Array.isArray(def['options'])) (def['options'] as z.ZodType[]).forEach(walk);
    };
    walk(auditEventSchema);
    expect(names.length).toBeGreaterThan(60);
    expect(names).toContain('tapMethodId');
    expect(names.filter((n) => SECRET_FIELD.test(n))).toEqual([]);
  });

  it('the runtime check refuses a secret-looking field name even in a nested object', () => {
    const event = { ...e.operatorSignedIn({ operator, roles: [] }), operator: { ...operator, password: 'x' } };
    expect(() => auditEventSchema.parse(event)).toThrow();
  });
});

describe('RedactionGuard', () => {
  it('finds a pass anywhere in a line, raw or JSON-escaped, and forgets it on request', () => {
    const guard = new RedactionGuard();
    const pass = 'a"b\\c+dEf9';
    guard.forbid(pass);
    expect(guard.contains(`x${pass}y`)).toBe(true);
    expect(guard.contains(JSON.stringify({ note: pass }))).toBe(true);
    expect(guard.contains('a"b\\c+dEf')).toBe(false);
    guard.forget(pass);
    expect(guard.contains(`x${pass}y`)).toBe(false);
    expect(guard.size).toBe(0);
  });

  it('finds every encoded form of a pass at any place in any text, and only where one is (the fingerprint misses nothing)', () => {
    // The reference: a pass form is in the text exactly when it is a substring of it.
    const textArb = fc.string({
      unit: fc.oneof(fc.constantFrom(...'ab"\\%+/=x'.split('')), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 60,
    });
    fc.assert(
      fc.property(fc.array(passArb, { minLength: 1, maxLength: 3 }), fc.nat(), textArb, textArb, fc.boolean(), (passes, which, before, after, embed) => {
        const guard = new RedactionGuard();
        for (const pass of passes) guard.forbid(pass);
        const pass = passes[which % passes.length] as string;
        const forms = encodedForms(pass).flatMap((f) => [f.text, JSON.stringify(f.text).slice(1, -1)]);
        const text = embed ? `${before}${forms[which % forms.length] ?? pass}${after}` : `${before}${after}`;
        const expected = passes.some((p) => encodedForms(p).some((f) => text.includes(f.text) || text.includes(JSON.stringify(f.text).slice(1, -1))));
        expect(guard.contains(text)).toBe(expected);
        if (embed) expect(guard.contains(text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
