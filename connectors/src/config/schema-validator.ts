// One ajv instance (JSON Schema 2020-12, ajv-formats, allErrors, strict) for every schema in the
// @threadline/schemas package, so a rule file can $ref the config schema's $defs by relative URI
// ("threadline-config.schema.json#/$defs/exporter"). Each schema is compiled once, on first use.
import Ajv2020 from 'ajv/dist/2020';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRecord } from './json-pointer';
import { describeErrors, type SchemaIssue } from './schema-messages';

export type { SchemaIssue } from './schema-messages';

/** Annotations editors (VS Code, the YAML language server) understand; ajv must accept them too. */
const EDITOR_KEYWORDS = ['errorMessage', 'patternErrorMessage', 'markdownDescription', 'deprecationMessage'];

const SCHEMA_FILE = /\.schema\.json$/;

export interface SchemaValidatorOptions {
  /** Folder whose *.schema.json files are registered; null registers none. Default: the @threadline/schemas package. */
  schemaDirectory?: string | null;
}

export class SchemaValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** File names ("x.schema.json") and short names ("x") of registered schemas → their $id. */
  private readonly aliases = new Map<string, string>();
  /** Schema files that could not be registered, by file name → why. */
  private readonly brokenFiles = new Map<string, string>();

  constructor(options: SchemaValidatorOptions = {}) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    // ajv-formats ships its own copy of ajv's types; the instance is the same at run time.
    addFormats(this.ajv as unknown as Parameters<typeof addFormats>[0]);
    for (const keyword of EDITOR_KEYWORDS) this.ajv.addKeyword({ keyword, schemaType: 'string' });
    const directory = options.schemaDirectory === undefined ? defaultSchemaDirectory() : options.schemaDirectory;
    if (directory !== null) this.registerDirectory(directory);
  }

  /**
   * Adds a schema (it must have an $id). Other schemas may then $ref it; `validate` accepts its
   * $id, and, when `fileName` is given, that name with or without ".schema.json".
   * Throws when the schema itself is invalid.
   */
  registerSchema(schema: AnySchemaObject, fileName?: string): string {
    const id = schema.$id;
    if (typeof id !== 'string' || id === '') throw new Error(`Schema${fileName === undefined ? '' : ` ${fileName}`} has no $id`);
    if (this.aliases.has(id)) this.forget(id);
    this.ajv.addSchema(schema);
    this.aliases.set(id, id);
    const name = fileName ?? id.slice(id.lastIndexOf('/') + 1);
    this.aliases.set(name, id);
    this.aliases.set(name.replace(SCHEMA_FILE, ''), id);
    return id;
  }

  /** The $ids of all registered schemas. */
  schemaIds(): string[] {
    return [...new Set(this.aliases.values())];
  }

  /** The compiled validation function of a schema, by $id, file name or short name. */
  compile(schemaRef: string): ValidateFunction {
    const id = this.aliases.get(schemaRef) ?? schemaRef;
    const cached = this.compiled.get(id);
    if (cached !== undefined) return cached;
    const broken = this.brokenFiles.get(schemaRef) ?? this.brokenFiles.get(`${schemaRef}.schema.json`);
    if (broken !== undefined) throw new Error(`Schema ${schemaRef} could not be loaded: ${broken}`);
    let validateFunction: ValidateFunction | undefined;
    try {
      validateFunction = this.ajv.getSchema(id);
    } catch (error) {
      throw new Error(`Schema ${schemaRef} does not compile: ${(error as Error).message}`, { cause: error });
    }
    if (validateFunction === undefined) {
      throw new Error(`Unknown schema '${schemaRef}'; registered: ${[...this.aliases.keys()].filter((name) => !name.includes('/')).join(', ')}`);
    }
    this.compiled.set(id, validateFunction);
    return validateFunction;
  }

  /** Validates data against a schema; an empty list means valid. */
  validate(schemaRef: string, data: unknown): SchemaIssue[] {
    const validateFunction = this.compile(schemaRef);
    return validateFunction(data) ? [] : describeErrors(validateFunction.errors ?? [], data);
  }

  private registerDirectory(directory: string): void {
    for (const fileName of readdirSync(directory).filter((name) => SCHEMA_FILE.test(name)).sort()) {
      try {
        const schema: unknown = JSON.parse(readFileSync(join(directory, fileName), 'utf8'));
        if (!isRecord(schema)) throw new Error('the file does not hold a JSON object');
        this.registerSchema(schema as AnySchemaObject, fileName);
      } catch (error) {
        // One broken schema must not make every other one unusable; it fails when it is used.
        this.brokenFiles.set(fileName, (error as Error).message);
      }
    }
  }

  private forget(id: string): void {
    this.ajv.removeSchema(id);
    this.compiled.delete(id);
    for (const [name, target] of this.aliases) if (target === id) this.aliases.delete(name);
  }
}

function defaultSchemaDirectory(): string {
  return dirname(require.resolve('@threadline/schemas/package.json'));
}

let shared: SchemaValidator | undefined;

/** The process-wide validator over the @threadline/schemas package, created on first use. */
export function sharedSchemaValidator(): SchemaValidator {
  shared ??= new SchemaValidator();
  return shared;
}

/** Validates data against a schema of the shared validator (by $id, file name or short name). */
export function validate(schemaRef: string, data: unknown): SchemaIssue[] {
  return sharedSchemaValidator().validate(schemaRef, data);
}

/** Adds a schema to the shared validator; see SchemaValidator.registerSchema. */
export function registerSchema(schema: AnySchemaObject, fileName?: string): string {
  return sharedSchemaValidator().registerSchema(schema, fileName);
}
