/** A reference to a row: its table (`LogicalName`) and id. */
export interface DataverseEntityReference {
  readonly Id: string;
  readonly LogicalName: string;
  readonly Name?: string | null;
  readonly [field: string]: unknown;
}

/** A relationship between two tables, by its schema name (`contact_customer_accounts`). */
export interface DataverseRelationship {
  readonly SchemaName: string;
  /** Which end the target plays in a self-referencing relationship (0 referencing, 1 referenced), else null. */
  readonly PrimaryEntityRole?: number | null;
  readonly [field: string]: unknown;
}

/** One parameter of the message, as Dataverse serializes a parameter collection: a key and its value. */
export interface DataverseParameter<TValue = unknown> {
  readonly key: string;
  readonly value: TValue;
}

/**
 * The plugin execution context Dataverse posts (`RemoteExecutionContext` as JSON). Dates are in
 * the `/Date(ms+zone)/` form of .NET's JSON serializer.
 */
export interface DataverseExecutionContext<TMessage extends string = string> {
  readonly MessageName: TMessage;
  readonly PrimaryEntityName: string;
  readonly PrimaryEntityId: string;
  readonly OrganizationId: string;
  readonly OrganizationName?: string;
  readonly CorrelationId: string;
  readonly OperationId?: string;
  readonly OperationCreatedOn?: string;
  readonly UserId?: string;
  readonly InitiatingUserId?: string;
  readonly Depth?: number;
  readonly Stage?: number;
  /** Absent when the request was over 256 KB (then `MessageSizeExceeded` is true). */
  readonly InputParameters?: readonly DataverseParameter[];
  readonly OutputParameters?: readonly DataverseParameter[];
  readonly PreEntityImages?: readonly DataverseParameter[];
  readonly PostEntityImages?: readonly DataverseParameter[];
  /**
   * Set by crmhooks, not Dataverse: true when the request carried `x-ms-dynamics-msg-size-exceeded`
   * (over 256 KB), so Dataverse left out `InputParameters`, `ParentContext` and the images.
   */
  readonly MessageSizeExceeded?: true;
  readonly [field: string]: unknown;
}

/** `Associate` or `Disassociate`: rows linked to (or unlinked from) the target through one relationship. */
export interface DataverseAssociateContext<TMessage extends 'Associate' | 'Disassociate' = 'Associate' | 'Disassociate'> extends DataverseExecutionContext<TMessage> {
  /** `Target` (the row), `Relationship` and `RelatedEntities` (the rows linked to it), unless the request was too large. */
  readonly InputParameters?: readonly (
    | DataverseParameter<DataverseEntityReference>
    | DataverseParameter<DataverseRelationship>
    | DataverseParameter<readonly DataverseEntityReference[]>
    | DataverseParameter
  )[];
}
