// The kiosk's zod schemas for Graph answers, held to Microsoft's Graph v1.0 metadata (the CSDL fixture): every
// property a schema reads exists on the declared type with that exact casing, every enum value it accepts is a
// member, and a schema accepts null wherever the CSDL allows it, unless REQUIRED_DESPITE_CSDL says why the
// station truly needs the value (issue 10, 3h).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as schemas from '../../main/directory/schemas';
import { RolePage } from '../../main/operator/directory-roles';
import { graphModel, propertiesOf, type CsdlModel } from '../emulator/conformance/csdl';

const model = graphModel();

/** Each schema the kiosk applies to a Graph body, with the type Graph declares for it. */
const DECLARED: [name: string, schema: z.ZodType, type: string][] = [
  ['GraphUser', schemas.GraphUser, 'user'],
  ['GraphCardUser', schemas.GraphCardUser, 'user'],
  ['GraphTap', schemas.GraphTap, 'temporaryAccessPassAuthenticationMethod'],
  ['GraphIssuedTap', schemas.GraphIssuedTap, 'temporaryAccessPassAuthenticationMethod'],
  ['GraphFido2Method', schemas.GraphFido2Method, 'fido2AuthenticationMethod'],
  ['GraphTapPolicy', schemas.GraphTapPolicy, 'temporaryAccessPassAuthenticationMethodConfiguration'],
  ['GraphFido2Policy', schemas.GraphFido2Policy, 'fido2AuthenticationMethodConfiguration'],
];
const COLLECTIONS: [name: string, schema: z.ZodType, type: string][] = [
  ['GraphUserList', schemas.GraphUserList, 'user'],
  ['GraphTapList', schemas.GraphTapList, 'temporaryAccessPassAuthenticationMethod'],
  ['GraphFido2List', schemas.GraphFido2List, 'fido2AuthenticationMethod'],
  ['RolePage', RolePage, 'directoryRole'],
];

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; entries?: Record<string, string> };
const def = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** Through optional, nullable, default and array wrappers to the object, enum or scalar inside. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default') && d.innerType) cur = d.innerType;
    else if (d.type === 'array' && d.element) cur = d.element;
    else return cur;
  }
}

function check(m: CsdlModel, label: string, schema: z.ZodType, type: string, issues: string[], refusesNull: string[]): void {
  const obj = unwrap(schema);
  const shape = def(obj).shape;
  if (!shape) throw new Error(`${label} is not an object schema`);
  const props = propertiesOf(m, type);
  for (const [key, field] of Object.entries(shape)) {
    if (key.startsWith('@')) continue;
    const p = props.get(key);
    if (!p) {
      issues.push(`${label}.${key}: ${type} declares no such property`);
      continue;
    }
    const inner = unwrap(field);
    const innerDef = def(inner);
    if (innerDef.type === 'enum' && innerDef.entries) {
      const e = m.types.get(p.type);
      const members = e && e.kind === 'enum' ? e.members : new Set<string>();
      for (const v of Object.values(innerDef.entries)) if (!members.has(v)) issues.push(`${label}.${key}: "${v}" is not a member of ${p.type}`);
    }
    if (innerDef.type === 'object') check(m, `${label}.${key}`, field, p.type, issues, refusesNull);
    // A collection is never null in OData JSON; Nullable there is about its items.
    if (p.nullable && !p.collection && !field.safeParse(null).success) refusesNull.push(`${label}.${key}`);
  }
}

describe('the kiosk’s Graph schemas against the CSDL', () => {
  it.each(DECLARED.map(([name, schema, type]) => ({ name, schema, type })))(
    '$name reads only properties $type declares, with its enum members',
    ({ name, schema, type }) => {
      const issues: string[] = [];
      check(model, name, schema, type, issues, []);
      expect(issues).toEqual([]);
    },
  );

  it.each(COLLECTIONS.map(([name, schema, type]) => ({ name, schema, type })))(
    '$name: the items of the collection conform to $type',
    ({ name, schema, type }) => {
      const value = def(schema).shape?.value;
      expect(value).toBeDefined();
      const issues: string[] = [];
      check(model, name, value!, type, issues, []);
      expect(issues).toEqual([]);
    },
  );

  it('accepts null wherever the CSDL allows it, except where REQUIRED_DESPITE_CSDL says why not', () => {
    const refusesNull: string[] = [];
    for (const [name, schema, type] of [...DECLARED, ...COLLECTIONS]) {
      const target = COLLECTIONS.some(([n]) => n === name) ? def(schema).shape!.value! : schema;
      check(model, name, target, type, [], refusesNull);
    }
    const justified = Object.keys(schemas.REQUIRED_DESPITE_CSDL);
    expect(refusesNull.filter((k) => !justified.includes(k))).toEqual([]);
    // No stale justification: every entry names a property a schema really refuses as null.
    expect(justified.filter((k) => !refusesNull.includes(k))).toEqual([]);
    for (const reason of Object.values(schemas.REQUIRED_DESPITE_CSDL)) expect(reason.length).toBeGreaterThan(20);
  });

  it('a pass read back with every nullable property null still parses (the pass is never lost to a schema)', () => {
    const nulls = {
      id: 'tap-1',
      createdDateTime: null,
      startDateTime: null,
      lifetimeInMinutes: null,
      isUsableOnce: null,
      isUsable: null,
      methodUsabilityReason: null,
    };
    expect(schemas.GraphTap.safeParse(nulls).success).toBe(true);
    expect(schemas.GraphIssuedTap.safeParse({ ...nulls, temporaryAccessPass: 'x' }).success).toBe(true);
    expect(schemas.GraphTapList.safeParse({ value: [nulls] }).success).toBe(true);
    expect(
      schemas.GraphFido2List.safeParse({ value: [{ id: 'k', displayName: null, createdDateTime: null, aaGuid: null, model: null, attestationLevel: null }] })
        .success,
    ).toBe(true);
  });
});
