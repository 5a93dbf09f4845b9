import type { KeyObject } from 'node:crypto';
import {
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
  toRequest,
} from '@crmhooks/core/testing';

/** What the demo sends, and the status each must get. */
export function demoDeliveries(keys: { superOfficeSecret: string; highLevelKey: KeyObject }) {
  const secret = keys.superOfficeSecret;
  const privateKey = keys.highLevelKey;
  const relationCreate = highLevelDelivery({ type: 'RelationCreate', payload: highLevelSample('RelationCreate'), privateKey });
  return [
    { label: 'SuperOffice test', request: toRequest(superOfficeDelivery({ secret, payload: superOfficeSample('test') })), expected: 200 },
    ...(['relation.created', 'relation.changed', 'relation.deleted'] as const).map((event) => ({
      label: `SuperOffice ${event}`,
      request: toRequest(superOfficeDelivery({ secret, payload: superOfficeSample(event) })),
      expected: 200,
    })),
    ...(['AssociationCreate', 'AssociationUpdate', 'AssociationDelete', 'RelationDelete'] as const).map((type) => ({
      label: `HighLevel ${type}`,
      request: toRequest(highLevelDelivery({ type, payload: highLevelSample(type), privateKey })),
      expected: 200,
    })),
    { label: 'HighLevel RelationCreate', request: toRequest(relationCreate), expected: 200 },
    { label: 'HighLevel RelationCreate (duplicate)', request: toRequest(relationCreate), expected: 200 },
    {
      label: 'SuperOffice forged signature',
      request: toRequest(superOfficeDelivery({ secret: 'attacker-guess', payload: superOfficeSample('relation.deleted') })),
      expected: 401,
    },
    {
      label: 'SuperOffice malformed JSON',
      request: toRequest(superOfficeDelivery({ secret, payload: '{"Event": "relation.created",' })),
      expected: 400,
    },
  ];
}
