import { ConfigurationError } from '@crmhooks/core';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Quoted, schema-qualified names for a component's tables, checked before they go into SQL
 * text: `tableNamer('createJournal', 'public', 'crmhooks_journal_').name('events')`.
 */
export function tableNamer(factory: string, schema: string, prefix: string): { readonly schema: string; name(table: string): string } {
  if (!IDENTIFIER.test(schema)) throw new ConfigurationError(`${factory}({ schema }) must be a lower-case SQL identifier, got "${schema}".`);
  if (prefix !== '' && !IDENTIFIER.test(prefix)) {
    throw new ConfigurationError(`${factory}({ tablePrefix }) must be lower-case letters, digits and _, got "${prefix}".`);
  }
  return { schema: `"${schema}"`, name: (table) => `"${schema}"."${prefix}${table}"` };
}
