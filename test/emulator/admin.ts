// The admin API for tests (never part of the real service): reset, policies, faults, the request log, the clock,
// a read-only view of the passes that exist (without the passes themselves), and the ledger of every pass issued
// since start (the passes themselves, for the leak scans of test/leaks/scan.ts; the emulator is never packaged).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from './context';

const Reset = z.object({ tapPolicy: z.enum(['kiosk', 'microsoft-defaults']).optional() }).default({});
const Clock = z.object({
  advanceMinutes: z
    .number()
    .min(0)
    .max(60 * 24 * 365)
    .optional(),
  advanceMs: z.number().min(0).optional(),
});
const Throttle = z.object({
  resourceUnits: z.number().int().positive().optional(),
  windowSeconds: z.number().positive().optional(),
  writes: z.number().int().positive().optional(),
  writeWindowSeconds: z.number().positive().optional(),
  retryAfterSeconds: z.number().min(0).nullable().optional(),
});
const Target = z.object({ targetType: z.enum(['group', 'user']), id: z.string(), isRegistrationRequired: z.boolean().default(false) });
const Exclude = z.object({ targetType: z.enum(['group', 'user']), id: z.string() });
const KeyRestrictions = z.object({ isEnforced: z.boolean(), enforcementType: z.enum(['allow', 'block']), aaGuids: z.array(z.string()) });
const TapPolicyPatch = z
  .object({
    state: z.enum(['enabled', 'disabled']),
    defaultLifetimeInMinutes: z.number().int().min(10).max(43200),
    defaultLength: z.number().int().min(8).max(48),
    minimumLifetimeInMinutes: z.number().int().min(10).max(43200),
    maximumLifetimeInMinutes: z.number().int().min(10).max(43200),
    isUsableOnce: z.boolean(),
    includeTargets: z.array(Target),
    excludeTargets: z.array(Exclude),
  })
  .partial()
  .strict();
const Fido2PolicyPatch = z
  .object({
    state: z.enum(['enabled', 'disabled']),
    isSelfServiceRegistrationAllowed: z.boolean(),
    isAttestationEnforced: z.boolean().nullable(),
    keyRestrictions: KeyRestrictions.nullable(),
    passkeyProfiles: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          passkeyTypes: z.array(z.enum(['deviceBound', 'synced'])),
          attestationEnforcement: z.enum(['disabled', 'registrationOnly']),
          keyRestrictions: KeyRestrictions,
        }),
      )
      .nullable(),
    defaultPasskeyProfile: z.string().nullable(),
    includeTargets: z.array(Target.extend({ allowedPasskeyProfiles: z.array(z.string()).optional() })),
    excludeTargets: z.array(Exclude),
  })
  .partial()
  .strict();

/** PATCH /_admin/users/{id or UPN}: `registrationInterrupt` sends the user to the interrupt after sign-in (null: not). */
const UserPatch = z.strictObject({ registrationInterrupt: z.enum(['skippable', 'required']).nullable().optional() });

export type TapPolicyPatch = z.infer<typeof TapPolicyPatch>;
export type Fido2PolicyPatch = z.infer<typeof Fido2PolicyPatch>;

/** `reset` is the emulator's own reset (it also runs the route modules' onReset hooks: sessions, codes). */
export function registerAdmin(app: FastifyInstance, ctx: EmulatorContext, reset: (preset?: 'kiosk' | 'microsoft-defaults') => void): void {
  const bad = (issues: unknown) => ({ error: { code: 'BadRequest', message: 'invalid admin request', issues } });

  app.post('/_admin/reset', async (req, reply) => {
    const body = Reset.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    reset(body.data.tapPolicy);
    return reply.code(204).send();
  });

  app.get('/_admin/policies/temporaryAccessPass', async () => ctx.state.tapPolicy);
  app.patch('/_admin/policies/temporaryAccessPass', async (req, reply) => {
    const body = TapPolicyPatch.safeParse(req.body);
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    ctx.state.tapPolicy = { ...ctx.state.tapPolicy, ...body.data };
    return ctx.state.tapPolicy;
  });
  app.get('/_admin/policies/fido2', async () => ctx.state.fido2Policy);
  app.patch('/_admin/policies/fido2', async (req, reply) => {
    const body = Fido2PolicyPatch.safeParse(req.body);
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    ctx.state.fido2Policy = { ...ctx.state.fido2Policy, ...body.data };
    return ctx.state.fido2Policy;
  });

  // Per-user switches of the emulator's My Security Info (id or user principal name): the registration interrupt.
  app.patch<{ Params: { user: string } }>('/_admin/users/:user', async (req, reply) => {
    const body = UserPatch.safeParse(req.body);
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    const user = ctx.state.findUser(req.params.user);
    if (!user) return reply.code(404).send({ error: { code: 'NotFound', message: 'no such user' } });
    if (body.data.registrationInterrupt !== undefined) user.registrationInterrupt = body.data.registrationInterrupt;
    return { id: user.id, registrationInterrupt: user.registrationInterrupt };
  });

  app.post('/_admin/faults', async (req, reply) => {
    try {
      ctx.faults.add(req.body as never);
    } catch (e) {
      return reply.code(400).send(bad(e instanceof z.ZodError ? e.issues : String(e)));
    }
    return reply.code(201).send({ pending: ctx.faults.pending });
  });
  app.delete('/_admin/faults', async (_req, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });

  app.get('/_admin/requests', async () => ({ value: ctx.requests }));
  app.delete('/_admin/requests', async (_req, reply) => {
    ctx.requests.length = 0;
    return reply.code(204).send();
  });

  app.get('/_admin/clock', async () => ({ now: ctx.clock.now().toISOString(), offsetMs: ctx.clock.offset }));
  app.post('/_admin/clock', async (req, reply) => {
    const body = Clock.safeParse(req.body);
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    ctx.clock.advance((body.data.advanceMinutes ?? 0) * 60_000 + (body.data.advanceMs ?? 0));
    return { now: ctx.clock.now().toISOString(), offsetMs: ctx.clock.offset };
  });

  app.put('/_admin/throttle', async (req, reply) => {
    const body = Throttle.safeParse(req.body);
    if (!body.success) return reply.code(400).send(bad(body.error.issues));
    const patch = Object.fromEntries(Object.entries(body.data).filter(([, v]) => v !== undefined));
    ctx.throttle.configure({ ...ctx.throttle.config, ...patch });
    return ctx.throttle.config;
  });

  /** The passes that exist now, for "no TAP left behind" assertions. The secret itself is never exposed. */
  app.get('/_admin/taps', async () => ({
    value: [...ctx.state.taps.values()].map(({ pass: _pass, ...t }) => ({
      ...t,
      createdDateTime: t.createdDateTime.toISOString(),
      startDateTime: t.startDateTime.toISOString(),
      usedDateTime: t.usedDateTime?.toISOString() ?? null,
    })),
  }));

  /** Every pass created since the emulator started, across resets: what a leak scan must find in no file. */
  app.get('/_admin/issued-passes', async () => ({ value: [...ctx.issuedPasses] }));
}
