// Microsoft's Graph v1.0 metadata (test/fixtures/graph-metadata/v1.0-Prod.csdl, MIT, see its README) as a small
// type model, and a validator that checks a JSON body against a declared type. This is the oracle the emulator
// and the kiosk's zod schemas did not write: property names and casing, Edm types, enum members, nullability,
// inheritance (BaseType) and `@odata.type`. The XML is read with fast-xml-parser.
//
// OData JSON rules applied (OData JSON Format 4.01, sections 7, 8, 21): a property the body leaves out is fine
// ($select and default property sets); `null` is allowed unless the property says `Nullable="false"`; a
// collection-valued property is an array, never null, and `Nullable` applies to its items; annotations
// (`@odata.*`, `name@odata.*`) are not properties. An `@odata.type` names the instance's type, which must be the
// declared type or one derived from it; the instance is then checked against that type.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export const CSDL_PATH = path.resolve(__dirname, '../../fixtures/graph-metadata/v1.0-Prod.csdl');

export interface CsdlProperty {
  name: string;
  /** Qualified, aliases resolved: `Edm.String`, `microsoft.graph.attestationLevel`. */
  type: string;
  collection: boolean;
  nullable: boolean;
  navigation: boolean;
}

export interface CsdlStructuredType {
  kind: 'entity' | 'complex';
  name: string;
  baseType: string | null;
  abstract: boolean;
  open: boolean;
  /** Declared on this type only; `propertiesOf` adds the inherited ones. */
  properties: Map<string, CsdlProperty>;
}

export interface CsdlEnumType {
  kind: 'enum';
  name: string;
  flags: boolean;
  members: Set<string>;
}

export interface CsdlModel {
  types: Map<string, CsdlStructuredType | CsdlEnumType>;
}

type XmlNode = Record<string, unknown>;
const arr = (v: unknown): XmlNode[] => (v === undefined ? [] : Array.isArray(v) ? (v as XmlNode[]) : [v as XmlNode]);
const attr = (n: XmlNode, name: string): string | undefined => (typeof n[name] === 'string' ? (n[name] as string) : undefined);

export function parseCsdl(xml: string): CsdlModel {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    isArray: (name) => ['Schema', 'EntityType', 'ComplexType', 'EnumType', 'Property', 'NavigationProperty', 'Member'].includes(name),
  });
  const doc = parser.parse(xml) as XmlNode;
  const schemas = arr(((doc['edmx:Edmx'] as XmlNode)['edmx:DataServices'] as XmlNode).Schema);
  const aliases = new Map<string, string>();
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    const alias = attr(s, 'Alias');
    if (alias) aliases.set(alias, ns);
  }
  const qualify = (name: string): string => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    return `${aliases.get(prefix) ?? prefix}.${name.slice(dot + 1)}`;
  };
  const readProperty = (p: XmlNode, navigation: boolean): CsdlProperty => {
    const raw = attr(p, 'Type') ?? '';
    const m = /^Collection\((.+)\)$/.exec(raw);
    return {
      name: attr(p, 'Name') ?? '',
      type: qualify(m ? m[1]! : raw),
      collection: m !== null,
      nullable: attr(p, 'Nullable') !== 'false',
      navigation,
    };
  };
  const types = new Map<string, CsdlStructuredType | CsdlEnumType>();
  for (const s of schemas) {
    const ns = attr(s, 'Namespace') ?? '';
    for (const [kind, list] of [
      ['entity', arr(s.EntityType)],
      ['complex', arr(s.ComplexType)],
    ] as const) {
      for (const t of list) {
        const name = `${ns}.${attr(t, 'Name')}`;
        const properties = new Map<string, CsdlProperty>();
        for (const p of arr(t.Property)) properties.set(attr(p, 'Name') ?? '', readProperty(p, false));
        for (const p of arr(t.NavigationProperty)) properties.set(attr(p, 'Name') ?? '', readProperty(p, true));
        const base = attr(t, 'BaseType');
        types.set(name, {
          kind,
          name,
          baseType: base ? qualify(base) : null,
          abstract: attr(t, 'Abstract') === 'true',
          open: attr(t, 'OpenType') === 'true',
          properties,
        });
      }
    }
    for (const e of arr(s.EnumType)) {
      const name = `${ns}.${attr(e, 'Name')}`;
      types.set(name, { kind: 'enum', name, flags: attr(e, 'IsFlags') === 'true', members: new Set(arr(e.Member).map((m) => attr(m, 'Name') ?? '')) });
    }
  }
  return { types };
}

let cached: CsdlModel | null = null;
/** The Graph v1.0 model from the fixture, parsed once per test file. */
export function graphModel(): CsdlModel {
  cached ??= parseCsdl(readFileSync(CSDL_PATH, 'utf8'));
  return cached;
}

export function structured(model: CsdlModel, name: string): CsdlStructuredType {
  const t = model.types.get(qualifyGraph(name));
  if (!t || t.kind === 'enum') throw new Error(`no entity or complex type ${name} in the CSDL`);
  return t;
}

/** `user` → `microsoft.graph.user`; a qualified name stays as it is. */
export function qualifyGraph(name: string): string {
  return name.includes('.') ? name : `microsoft.graph.${name}`;
}

/** Every property of the type, its base types' included (nearest declaration wins). */
export function propertiesOf(model: CsdlModel, name: string): Map<string, CsdlProperty> {
  const chain: CsdlStructuredType[] = [];
  for (let t: CsdlStructuredType | null = structured(model, name); t; t = t.baseType ? structured(model, t.baseType) : null) chain.unshift(t);
  const out = new Map<string, CsdlProperty>();
  for (const t of chain) for (const [k, p] of t.properties) out.set(k, p);
  return out;
}

/** Whether `name` is `ancestor` or derives from it through BaseType. */
export function derivesFrom(model: CsdlModel, name: string, ancestor: string): boolean {
  const target = qualifyGraph(ancestor);
  for (let t: CsdlStructuredType | null = structured(model, name); t; t = t.baseType ? structured(model, t.baseType) : null) {
    if (t.name === target) return true;
  }
  return false;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// OData ABNF dateTimeOffsetValue: a date, `T`, a time with optional fractional seconds, and `Z` or an offset.
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DURATION = /^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const INT_RANGES: Record<string, [number, number]> = {
  'Edm.Byte': [0, 255],
  'Edm.SByte': [-128, 127],
  'Edm.Int16': [-32768, 32767],
  'Edm.Int32': [-2147483648, 2147483647],
  'Edm.Int64': [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const isAnnotation = (key: string) => key.startsWith('@') || key.includes('@');

/**
 * The issues of `value` as an instance of the declared type `typeName` (an entity or complex type); empty when
 * it conforms. Each issue names the JSON path and the rule.
 */
export function validateInstance(model: CsdlModel, typeName: string, value: unknown, where = '$'): string[] {
  const issues: string[] = [];
  checkStructured(model, qualifyGraph(typeName), value, where, issues);
  return issues;
}

/** A collection response: `{ value: [ instances ] }` plus annotations. */
export function validateCollection(model: CsdlModel, typeName: string, body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.value)) return ['$: expected an object with a `value` array'];
  const issues: string[] = [];
  for (const key of Object.keys(body)) if (key !== 'value' && !isAnnotation(key)) issues.push(`$.${key}: not part of a collection response`);
  body.value.forEach((item, i) => checkStructured(model, qualifyGraph(typeName), item, `$.value[${i}]`, issues));
  return issues;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkStructured(model: CsdlModel, declared: string, value: unknown, where: string, issues: string[]): void {
  if (!isObject(value)) {
    issues.push(`${where}: expected an object of ${declared}`);
    return;
  }
  let actual = declared;
  const odataType = value['@odata.type'];
  if (odataType !== undefined) {
    const m = typeof odataType === 'string' ? /^#(.+)$/.exec(odataType) : null;
    const named = m ? qualifyGraph(m[1]!) : null;
    const t = named ? model.types.get(named) : undefined;
    if (!named || !t || t.kind === 'enum') {
      issues.push(`${where}.@odata.type: ${JSON.stringify(odataType)} names no entity or complex type`);
      return;
    }
    if (!derivesFrom(model, named, declared)) {
      issues.push(`${where}.@odata.type: ${named} does not derive from ${declared}`);
      return;
    }
    actual = named;
  }
  const type = structured(model, actual);
  if (type.abstract && odataType === undefined) {
    // An instance of an abstract type must say which concrete type it is; only then can its properties be known.
    issues.push(`${where}: ${actual} is abstract and the instance has no @odata.type`);
  }
  const props = propertiesOf(model, actual);
  for (const [key, v] of Object.entries(value)) {
    if (isAnnotation(key)) continue;
    const p = props.get(key);
    if (!p) {
      const caseOnly = [...props.keys()].find((k) => k.toLowerCase() === key.toLowerCase());
      issues.push(`${where}.${key}: ${actual} declares no such property${caseOnly ? ` (did you mean ${caseOnly}?)` : ''}`);
      continue;
    }
    checkProperty(model, p, v, `${where}.${key}`, issues);
  }
}

function checkProperty(model: CsdlModel, p: CsdlProperty, v: unknown, where: string, issues: string[]): void {
  if (p.collection) {
    if (!Array.isArray(v)) {
      issues.push(`${where}: expected a collection of ${p.type}${v === null ? ' (a collection is [] when empty, never null)' : ''}`);
      return;
    }
    v.forEach((item, i) => checkValue(model, p.type, p.nullable, item, `${where}[${i}]`, issues));
    return;
  }
  checkValue(model, p.type, p.nullable, v, where, issues);
}

function checkValue(model: CsdlModel, type: string, nullable: boolean, v: unknown, where: string, issues: string[]): void {
  if (v === null) {
    if (!nullable) issues.push(`${where}: null, but the CSDL says Nullable="false"`);
    return;
  }
  if (type.startsWith('Edm.')) {
    const problem = edmProblem(type, v);
    if (problem) issues.push(`${where}: ${problem}`);
    return;
  }
  const t = model.types.get(type);
  if (!t) {
    issues.push(`${where}: type ${type} is not in the CSDL`);
    return;
  }
  if (t.kind === 'enum') {
    const names = typeof v === 'string' ? (t.flags ? v.split(',').map((s) => s.trim()) : [v]) : null;
    if (!names) issues.push(`${where}: expected a member name of ${type}, got ${typeof v}`);
    else for (const n of names) if (!t.members.has(n)) issues.push(`${where}: ${JSON.stringify(n)} is not a member of ${type} (${[...t.members].join(', ')})`);
    return;
  }
  checkStructured(model, type, v, where, issues);
}

function edmProblem(type: string, v: unknown): string | null {
  const expect = (ok: boolean, what: string) => (ok ? null : `expected ${what} (${type}), got ${JSON.stringify(v)}`);
  switch (type) {
    case 'Edm.String':
      return expect(typeof v === 'string', 'a string');
    case 'Edm.Boolean':
      return expect(typeof v === 'boolean', 'true or false');
    case 'Edm.Guid':
      return expect(typeof v === 'string' && GUID.test(v), 'a GUID');
    case 'Edm.DateTimeOffset':
      return expect(typeof v === 'string' && DATE_TIME_OFFSET.test(v) && !Number.isNaN(Date.parse(v)), 'an ISO 8601 date and time with Z or an offset');
    case 'Edm.Date':
      return expect(typeof v === 'string' && DATE.test(v), 'a date YYYY-MM-DD');
    case 'Edm.Duration':
      return expect(typeof v === 'string' && DURATION.test(v), 'an ISO 8601 duration');
    case 'Edm.Binary':
      return expect(typeof v === 'string' && BASE64.test(v), 'base64');
    case 'Edm.Double':
    case 'Edm.Single':
      return expect(typeof v === 'number' || v === 'NaN' || v === 'INF' || v === '-INF', 'a number');
    case 'Edm.Decimal':
      return expect(typeof v === 'number', 'a number');
    case 'Edm.Stream':
      return null;
    default: {
      const range = INT_RANGES[type];
      if (range) return expect(typeof v === 'number' && Number.isInteger(v) && v >= range[0] && v <= range[1], 'an integer in range');
      return `unchecked Edm type ${type}`;
    }
  }
}

/**
 * An OData error response (OData JSON Format 4.01 section 21, as Graph sends it: errors.md in microsoft-graph-docs):
 * `{ error: { code: string, message: string, target?: string, details?: [{ code, message, target? }],
 * innerError?: object } }`. Graph's `innerError` carries `request-id`, `client-request-id` and `date`.
 */
export function validateErrorBody(body: unknown): string[] {
  const issues: string[] = [];
  if (!isObject(body)) return ['$: an error response is a JSON object'];
  for (const key of Object.keys(body)) if (key !== 'error') issues.push(`$.${key}: an error response has only "error"`);
  const e = body.error;
  if (!isObject(e)) return [...issues, '$.error: expected an object'];
  if (typeof e.code !== 'string' || e.code === '') issues.push('$.error.code: expected a non-empty string');
  if (typeof e.message !== 'string') issues.push('$.error.message: expected a string');
  if (e.target !== undefined && e.target !== null && typeof e.target !== 'string') issues.push('$.error.target: expected a string');
  if (e.details !== undefined) {
    if (!Array.isArray(e.details)) issues.push('$.error.details: expected an array');
    else
      e.details.forEach((d, i) => {
        if (!isObject(d) || typeof d.code !== 'string' || typeof d.message !== 'string') issues.push(`$.error.details[${i}]: expected { code, message }`);
      });
  }
  const inner = e.innerError ?? e.innererror;
  if (inner !== undefined && !isObject(inner)) issues.push('$.error.innerError: expected an object');
  for (const key of Object.keys(e)) {
    if (!['code', 'message', 'target', 'details', 'innerError', 'innererror'].includes(key) && !isAnnotation(key))
      issues.push(`$.error.${key}: not part of an OData error`);
  }
  return issues;
}
