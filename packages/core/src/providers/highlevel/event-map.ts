import type {
  HighLevelAppInstall,
  HighLevelAppUninstall,
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

/**
 * HighLevel's other documented webhook events. One HighLevel adds later is declared per
 * receiver until crmhooks lists it: `highlevel<'NewThingCreate'>()`.
 */
export type HighLevelOtherEventName =
  | `Appointment${'Create' | 'Update' | 'Delete'}`
  | 'CampaignStatusUpdate'
  | `Contact${'Create' | 'Update' | 'Delete' | 'DndUpdate' | 'TagUpdate'}`
  | 'ConversationUnreadUpdate'
  | 'InboundMessage'
  | 'OutboundMessage'
  | 'ProviderOutboundMessage'
  | `Invoice${'Create' | 'Update' | 'Delete' | 'Paid' | 'PartiallyPaid' | 'Sent' | 'Void'}`
  | 'LCEmailStats'
  | `Location${'Create' | 'Update'}`
  | `Note${'Create' | 'Update' | 'Delete'}`
  | `ObjectSchema${'Create' | 'Update'}`
  | `Opportunity${'Create' | 'Update' | 'Delete' | 'AssignedToUpdate' | 'MonetaryValueUpdate' | 'StageUpdate' | 'StatusUpdate'}`
  | `Order${'Create' | 'StatusUpdate'}`
  | 'PlanChange'
  | `Price${'Create' | 'Update' | 'Delete'}`
  | `Product${'Create' | 'Update' | 'Delete'}`
  | `Record${'Create' | 'Update' | 'Delete'}`
  | `Task${'Create' | 'Complete' | 'Delete'}`
  | 'UserCreate';

/**
 * HighLevel event names (namespaced `highlevel.`) and their payloads: the association and
 * relation events and the app's `INSTALL` and `UNINSTALL` fully typed, every other documented `type` (and `Extra`, the names this
 * receiver declares) loosely. The set is closed, so a misspelled name does not compile.
 */
export type HighLevelEventMap<Extra extends string = never> = {
  'highlevel.AssociationCreate': HighLevelAssociationCreate;
  'highlevel.AssociationUpdate': HighLevelAssociationUpdate;
  'highlevel.AssociationDelete': HighLevelAssociationDelete;
  'highlevel.RelationCreate': HighLevelRelationCreate;
  'highlevel.RelationDelete': HighLevelRelationDelete;
  'highlevel.INSTALL': HighLevelAppInstall;
  'highlevel.UNINSTALL': HighLevelAppUninstall;
} & { readonly [K in HighLevelOtherEventName | Extra as `highlevel.${K}`]: HighLevelEvent };
