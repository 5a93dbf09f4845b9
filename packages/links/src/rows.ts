import type { AssociationEnd } from '@crmhooks/core';
import type { Link, LinkDefinition } from './types.js';

/** A row of the links table, as the database returns it. */
export interface LinkRow {
  readonly provider: string;
  /** '' when the events named no tenant. */
  readonly tenant: string;
  readonly link_id: string;
  readonly definition_id: string | null;
  readonly from_type: string | null;
  readonly from_table: number | null;
  readonly from_id: string | null;
  readonly to_type: string | null;
  readonly to_table: number | null;
  readonly to_id: string | null;
  readonly created_at: Date | null;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
  readonly state_key: string;
}

/** A row of the link definitions table. */
export interface DefinitionRow {
  readonly provider: string;
  readonly tenant: string;
  readonly definition_id: string;
  readonly key: string | null;
  readonly from_type: string | null;
  readonly from_label: string | null;
  readonly to_type: string | null;
  readonly to_label: string | null;
  readonly from_to_cardinality: string | null;
  readonly to_from_cardinality: string | null;
  readonly created_at: Date | null;
  readonly updated_at: Date;
  readonly deleted_at: Date | null;
  readonly state_key: string;
}

const optional = <T>(value: T | null): T | undefined => value ?? undefined;

function end(objectType: string | null, table: number | null, recordId: string | null): AssociationEnd {
  return {
    ...(objectType !== null && { objectType }),
    ...(table !== null && { table }),
    ...(recordId !== null && { recordId }),
  };
}

export function toLink(row: LinkRow): Link {
  return {
    provider: row.provider,
    tenant: row.tenant || undefined,
    id: row.link_id,
    definitionId: optional(row.definition_id),
    from: end(row.from_type, row.from_table, row.from_id),
    to: end(row.to_type, row.to_table, row.to_id),
    createdAt: optional(row.created_at),
    updatedAt: row.updated_at,
    deletedAt: optional(row.deleted_at),
  };
}

function side(objectType: string | null, label: string | null) {
  return { ...(objectType !== null && { objectType }), ...(label !== null && { label }) };
}

export function toDefinition(row: DefinitionRow): LinkDefinition {
  return {
    provider: row.provider,
    tenant: row.tenant || undefined,
    id: row.definition_id,
    key: optional(row.key),
    from: side(row.from_type, row.from_label),
    to: side(row.to_type, row.to_label),
    fromToCardinality: optional(row.from_to_cardinality),
    toFromCardinality: optional(row.to_from_cardinality),
    createdAt: optional(row.created_at),
    updatedAt: row.updated_at,
    deletedAt: optional(row.deleted_at),
  };
}
