// JSON Schema validation (ajv) and the translation of ajv's errors into plain messages.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import schema from '../../schema/entities.schema.json' with { type: 'json' };
import type { ConfigIssue } from './errors.ts';
import { pointerToPath } from './positions.ts';
import { didYouMean } from './suggest.ts';

export { schema };

const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
// Editors (VS Code, yaml-language-server) show this instead of the raw regular expression; so do we.
ajv.addKeyword('patternErrorMessage');
const validate = ajv.compile(schema);

export interface SchemaError {
  readonly pointer: string;
  readonly keyword: string;
  /** For `type` errors: the types the field accepts. */
  readonly want: readonly string[];
  readonly issue: ConfigIssue | null;
}

/** Validates `data`; an empty array means valid. */
export function checkSchema(data: unknown): SchemaError[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => ({
    pointer: e.instancePath,
    keyword: e.keyword,
    want: e.keyword === 'type' ? [e.params.type as string | string[]].flat() : [],
    issue: toIssue(e),
  }));
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a map', array: 'a list', string: 'a string', number: 'a number',
  integer: 'a whole number', boolean: 'true or false', null: 'empty',
};

function describeTypes(types: string | string[]): string {
  return [types].flat().map((t) => TYPE_NAMES[t] ?? t).join(' or ');
}

function subject(pointer: string): string {
  return pointer === '' ? 'top level' : pointer;
}

function parentSchemaOf(e: ErrorObject): Record<string, unknown> {
  return (e.parentSchema ?? {}) as Record<string, unknown>;
}

/** One ajv error as a message a person understands, or null for errors that only repeat another. */
function toIssue(e: ErrorObject): ConfigIssue | null {
  const path = pointerToPath(e.instancePath);
  const where = subject(e.instancePath);
  const parent = parentSchemaOf(e);
  // A failed `then` is explained by its own errors; a failed `propertyNames` by the name's error.
  if (e.keyword === 'if' || e.keyword === 'propertyNames') return null;
  if (e.propertyName !== undefined) {
    const what = e.instancePath === '/entities' ? 'entity name' : 'name';
    const rule = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : e.message ?? 'is not valid';
    return { path: [...path, e.propertyName], at: 'key', message: `${where}: ${what} '${e.propertyName}' ${rule}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(e.params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const hint = didYouMean(name, known) || (known.length > 0 ? ` (known: ${known.join(', ')})` : '');
      return { path: [...path, name], at: 'key', message: `${where} has unknown property '${name}'${hint}` };
    }
    case 'required':
      return { path, at: 'key', message: `${where} must have required property '${String(e.params.missingProperty)}'` };
    case 'type':
      return { path, at: 'value', message: `${where} must be ${describeTypes(e.params.type as string | string[])}` };
    case 'enum':
      return { path, at: 'value', message: `${where} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, at: 'value', message: `${where} must be ${String(e.params.allowedValue)}` };
    case 'pattern': {
      const rule = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `must match ${String(e.params.pattern)}`;
      return { path, at: 'value', message: `${where} ${rule}` };
    }
    case 'minLength':
      return { path, at: 'value', message: e.params.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${String(e.params.limit)} characters long` };
    case 'minItems':
      return { path, at: 'value', message: `${where} must list at least ${String(e.params.limit)} item${e.params.limit === 1 ? '' : 's'}` };
    case 'uniqueItems': {
      const index = e.params.i as number;
      const item = Array.isArray(e.data) ? e.data[index] : undefined;
      const shown = typeof item === 'string' ? `'${item}'` : String(item);
      return { path: [...path, index], at: 'value', message: `${where} lists ${shown} more than once` };
    }
    default:
      return { path, at: 'value', message: `${where} ${e.message ?? 'is not valid'}` };
  }
}
