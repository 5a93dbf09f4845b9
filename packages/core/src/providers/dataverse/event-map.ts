import type { DataverseAssociateContext, DataverseExecutionContext } from './types.js';

/** Dataverse's other usual messages. A custom API or another message is declared per receiver: `dataverse<'new_Approve'>({ key })`. */
export type DataverseOtherMessage = 'Create' | 'Update' | 'Delete' | 'Assign' | 'SetState' | 'SetStateDynamicEntity' | 'Merge' | 'Retrieve' | 'RetrieveMultiple';

/**
 * Dataverse event names (`dataverse.` and the message name) and their payloads: `Associate` and
 * `Disassociate` typed with their relationship, the others as the execution context. The set is
 * closed, so a misspelled name does not compile.
 */
export type DataverseEventMap<Extra extends string = never> = {
  readonly 'dataverse.Associate': DataverseAssociateContext<'Associate'>;
  readonly 'dataverse.Disassociate': DataverseAssociateContext<'Disassociate'>;
} & { readonly [K in DataverseOtherMessage | Extra as `dataverse.${K}`]: DataverseExecutionContext<K> };
