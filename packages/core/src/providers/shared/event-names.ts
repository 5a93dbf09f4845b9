/**
 * Namespaces a provider's event names (`relation.created` -> `superoffice.relation.created`),
 * making each distinct name once. A name concatenated afresh for every delivery would be
 * flattened and hashed again by each handler lookup; a remembered one already knows its hash.
 * At most `limit` names are remembered (a CRM may send many custom event names).
 */
export function eventNamer(namespace: string, limit = 1000): (event: string) => string {
  const names = new Map<string, string>();
  return (event) => {
    let name = names.get(event);
    if (name === undefined) {
      name = `${namespace}.${event}`;
      if (names.size < limit) names.set(event, name);
    }
    return name;
  };
}
