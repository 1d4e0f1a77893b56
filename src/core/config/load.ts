// Reading config files: JSON, or YAML for files ending in .yaml/.yml.
import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '../errors.js';
import { formatPath } from './validate.js';

/**
 * Keys that name JavaScript's object machinery. No config or profile has such a field, and zod silently drops
 * `__proto__` even from free-form records (`strategy.params`, `transfer.methodOptions`), so they are refused here,
 * for every file and every depth.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any config needs; deeper data would overflow the stack of the code that copies and validates it. */
const MAX_DEPTH = 64;

/** @throws ConfigError at the first reserved key, or where the data nests deeper than MAX_DEPTH */
function checkKeys(data: unknown, file: string): void {
  // Iterative: the data may be nested far deeper than the call stack allows.
  const pending: { node: unknown; at: PropertyKey[] }[] = [{ node: data, at: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, at } = next;
    if (node === null || typeof node !== 'object') continue;
    if (at.length >= MAX_DEPTH) throw new ConfigError(file, `${formatPath(at.slice(0, 4))}…`, `nested deeper than ${MAX_DEPTH} levels`);
    const children = Object.entries(node).map(([key, value]) => {
      const child = [...at, Array.isArray(node) ? Number(key) : key];
      if (RESERVED_KEYS.has(key)) throw new ConfigError(file, formatPath(child), `'${key}' is a reserved JavaScript name, not a field`);
      return { node: value, at: child };
    });
    // Reversed, so the first problem in file order is the one reported.
    pending.push(...children.reverse());
  }
}

/**
 * Parse a JSON or YAML file into plain data.
 * @throws ConfigError for unreadable files, syntax errors, reserved keys (`__proto__`, …) and absurd nesting
 */
export function readConfigData(file: string): unknown {
  const data = parseConfigText(file);
  checkKeys(data, file);
  return data;
}

function parseConfigText(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, '', `cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (/\.ya?ml$/i.test(file)) {
    const doc = YAML.parseDocument(text);
    // An unknown tag (`!!js/function`, `!foo`) would silently become a plain string: refused like a syntax error.
    const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
    if (problems.length > 0) {
      const e = problems[0];
      throw new ConfigError(file, '', `invalid YAML at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    try {
      // toJS resolves aliases; it refuses alias bombs ("Excessive alias count") instead of expanding them.
      return doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(file, '', `invalid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new ConfigError(file, '', `invalid JSON${line ? ` at line ${line}` : ''}: ${msg}`);
  }
}
