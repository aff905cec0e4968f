/**
 * How a closed set of codes is written (common/codes.ts, event-codes.ts, provision-codes.ts): one object, code → zod
 * schema of its parameters. The union type is the object's keys, the runtime list (`…_CODES`, for the i18n
 * completeness test) is `Object.keys` of the same object (`codesOf`), so the list and the union cannot drift apart.
 * Also the parameter schemas more than one set uses. Node-free, zod only.
 */
import { z } from 'zod';

/** A set of codes, each with the schema of its parameters. */
export type CodeSchemas = Readonly<Record<string, z.ZodType>>;

/** `{ [code]: { code, params } }[code]`: a discriminated union by `K` (default `code`) with typed `params`. */
export type Coded<M extends CodeSchemas, K extends string = 'code'> = {
  [C in keyof M & string]: { readonly [P in K]: C } & { readonly params: z.output<M[C]> };
}[keyof M & string];

/** The parameters of code `C` in the set `M`. */
export type ParamsOf<M extends CodeSchemas, C extends keyof M> = z.output<M[C]>;

export const codesOf = <M extends CodeSchemas>(set: M): readonly (keyof M & string)[] => Object.freeze(Object.keys(set) as (keyof M & string)[]);

export const none = z.strictObject({});
export const aaguid = z.strictObject({ aaguid: z.string() });
/** What Graph tells of another station's claim: the person's pass's createdDateTime (ISO 8601) when one was issued. */
export const heldElsewhere = z.strictObject({ passIssuedAt: z.string().nullable(), ageMinutes: z.int().min(0) });
