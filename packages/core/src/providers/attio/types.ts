/** Who did it: a workspace member, an API token, or Attio itself (`system`, with a null id). */
export interface AttioActor {
  readonly type: 'workspace-member' | 'api-token' | 'system' | (string & {});
  readonly id: string | null;
}

/** What every Attio webhook event carries: its type, the ids of what changed (with the workspace's), and who did it. */
export interface AttioEvent<TType extends string = string, TId extends object = Record<string, string>> {
  readonly event_type: TType;
  readonly id: { readonly workspace_id: string } & TId;
  readonly actor: AttioActor;
  readonly [field: string]: unknown;
}

/** A list entry event: a record added to a list (`created`), removed from it (`deleted`), or an entry's list attribute changed (`updated`). */
export interface AttioListEntryEvent<TType extends AttioListEntryEventType = AttioListEntryEventType>
  extends AttioEvent<TType, { readonly list_id: string; readonly entry_id: string; readonly attribute_id?: string }> {
  /** The object of the record the entry belongs to. */
  readonly parent_object_id: string;
  /** The record the entry belongs to. */
  readonly parent_record_id: string;
}

export type AttioListEntryEventType = 'list-entry.created' | 'list-entry.updated' | 'list-entry.deleted';

/** A record event; `record.updated` names the attribute that changed (`id.attribute_id`), not its value. */
export type AttioRecordEvent<TType extends string = string> = AttioEvent<
  TType,
  { readonly object_id: string; readonly record_id: string; readonly attribute_id?: string }
>;

/** The body of one delivery: the webhook that sent it and its events (one per delivery today; Attio may batch later). */
export interface AttioDeliveryBody {
  readonly webhook_id: string;
  readonly events: readonly AttioEvent[];
}
