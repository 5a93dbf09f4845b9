/** A signed delivery: headers and the exact body text, as a CRM would send them. */
export interface SignedDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The delivery id of each event, as the receiver derives it (HubSpot batches carry several). */
  readonly deliveryIds?: readonly string[];
}

/** Builds a Web `Request` POSTing the delivery to `url`, for testing Web handlers. */
export function toRequest(delivery: SignedDelivery, url = 'http://127.0.0.1/webhooks/crm'): Request {
  return new Request(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
}
