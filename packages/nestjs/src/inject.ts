import { Inject } from '@nestjs/common';
import { CRM_WEBHOOKS } from './constants.js';

/** Injects the module's `CrmWebhooks<CrmEventMap>` receiver, e.g. to call `on()` by hand. */
export const InjectCrmWebhooks = (): ParameterDecorator & PropertyDecorator => Inject(CRM_WEBHOOKS);
