import type {
  HighLevelAssociationCreate,
  HighLevelAssociationDelete,
  HighLevelAssociationUpdate,
  HighLevelEvent,
  HighLevelRelationCreate,
  HighLevelRelationDelete,
} from './types.js';

/** The five fully typed HighLevel link events. */
export type HighLevelLinkEventName =
  | 'AssociationCreate'
  | 'AssociationUpdate'
  | 'AssociationDelete'
  | 'RelationCreate'
  | 'RelationDelete';

/** Other documented HighLevel event names (listed for autocompletion; any name is dispatched). */
export type HighLevelOtherEventName =
  | `Contact${'Create' | 'Update' | 'Delete'}`
  | `Opportunity${'Create' | 'Update' | 'Delete'}`
  | `Record${'Create' | 'Update' | 'Delete'}`
  | 'INSTALL'
  | 'UNINSTALL';

/**
 * HighLevel event names (namespaced `highlevel.`) and their payloads. The
 * association and relation events are fully typed; any other `type` is
 * dispatched under its own name as `HighLevelEvent`.
 */
export type HighLevelEventMap = {
  'highlevel.AssociationCreate': HighLevelAssociationCreate;
  'highlevel.AssociationUpdate': HighLevelAssociationUpdate;
  'highlevel.AssociationDelete': HighLevelAssociationDelete;
  'highlevel.RelationCreate': HighLevelRelationCreate;
  'highlevel.RelationDelete': HighLevelRelationDelete;
  readonly [name: `highlevel.${string}`]: HighLevelEvent;
} & { readonly [K in HighLevelOtherEventName as `highlevel.${K}`]: HighLevelEvent };
