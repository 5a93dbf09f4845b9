import type { SignedDelivery } from '@crmhooks/core/testing';
import { post } from './http.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends deliveries as a CRM does through an outage: each until it is answered 200, again every
 * 200 ms, to the receivers in turn. Records what was acknowledged and every answer's status.
 */
export class RetryingCrm {
  readonly acknowledged = new Set<string>();
  /** How many answers had each status; `0` counts connections that failed (a receiver down). */
  readonly answered = new Map<string, number>();
  readonly #urls: readonly string[];
  readonly #deliveryOf: (id: string) => SignedDelivery;

  constructor(urls: readonly string[], deliveryOf: (id: string) => SignedDelivery) {
    this.#urls = urls;
    this.#deliveryOf = deliveryOf;
  }

  /** Sends one delivery until it is answered 200; `index` picks the receiver it goes to first. */
  async deliver(id: string, index: number): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const url = this.#urls[(index + attempt) % this.#urls.length]!;
      const status = await post(url, this.#deliveryOf(id)).then((answer) => answer.status, () => 0);
      this.answered.set(String(status), (this.answered.get(String(status)) ?? 0) + 1);
      if (status === 200) return void this.acknowledged.add(id);
      await sleep(200);
    }
  }

  /** Sends every delivery until acknowledged, `concurrency` at a time. */
  async deliverAll(ids: readonly string[], concurrency: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ids.length) {
          const index = next++;
          await this.deliver(ids[index]!, index);
        }
      }),
    );
  }

  /** Sends a tenth of them again once acknowledged, as CRMs resend. */
  async resendSome(ids: readonly string[]): Promise<void> {
    for (let index = 0; index < ids.length; index += 10) await this.deliver(ids[index]!, index);
  }
}
